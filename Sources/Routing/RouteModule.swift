import HTTPCore

/// RouteModule is a set of routes an application plugs into the server, like Vapor's
/// `RouteCollection`.
///
/// The maintenance gate stands in front of every route a module registers; a module opts a
/// route out only by registering it as exempt.
public protocol RouteModule {
    /// Registers this module's routes; a conflicting registration throws and stops start-up.
    func register(in routes: any RoutesBuilder) throws
}
