// `import EventServer` is all a route module or an embedding application needs: the HTTP values,
// the route table and the maintenance types come with it. The transport does not: it stays an
// implementation detail (`internal import Evhttp` in the files that use it).
@_exported import EventServerSupport
@_exported import HTTPCore
@_exported import Maintenance
@_exported import Routing
