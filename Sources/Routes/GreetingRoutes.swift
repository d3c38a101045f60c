import EventServer

/// GreetingRoutes answers `GET /` with a short plain-text greeting.
public struct GreetingRoutes: RouteModule {
    /// The module; it has no settings.
    public init() {}

    public func register(in routes: any RoutesBuilder) throws {
        try routes.add(.get, "/", handler: ConstantHandler(.text("Hello from eventserver\n")))
    }
}
