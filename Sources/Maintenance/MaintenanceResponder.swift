import EventServerSupport
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// MaintenanceResponder decides what a gated request gets during maintenance: the 503 page,
/// a redirect, or normal service for an allowed peer.
///
/// A class so SIGHUP can swap the page in place (`reloadPage`). Loop-confined.
public final class MaintenanceResponder {
    /// The 503 replies in use.
    @exclusivity(unchecked) public private(set) var page: MaintenancePage
    private let pagePath: String?
    private let redirect: (location: String, path: String)?
    @usableFromInline let allowedPeers: [AddressRange]
    /// The last `Accept` value seen and whether it prefers JSON: clients of one kind send the same
    /// string again and again, so most gated requests skip the negotiation.
    @exclusivity(unchecked) private var lastAccept: (value: String, prefersJSON: Bool)?
    /// The page last built for a notice, and what it was built for: rebuilt when the notice
    /// changes, or each second while `Retry-After` counts down to the planned end.
    @exclusivity(unchecked) private var noticePage: (notice: MaintenanceNotice, retryAfter: Int, page: MaintenancePage)?
    /// The clock for the countdown (Unix seconds); tests set their own.
    private let now: () -> Int

    /// Builds the responder around `page`.
    ///
    /// - Parameters:
    ///   - pagePath: the file `page` was read from, re-read by `reloadPage()`.
    ///   - redirectLocation: GET and HEAD are sent there with 307 instead of the page; the
    ///     target's own path is never redirected, so a same-site target cannot loop.
    ///   - page: the 503 replies without a notice.
    ///   - allowedPeers: requests from these addresses are served normally in maintenance.
    ///   - now: the clock (Unix seconds) for a notice's `Retry-After` countdown.
    public init(
        page: MaintenancePage, pagePath: String? = nil, redirectLocation: String? = nil,
        allowedPeers: [AddressRange] = [], now: @escaping () -> Int = { time(nil) }
    ) {
        self.page = page
        self.now = now
        self.pagePath = pagePath
        redirect = redirectLocation.map { ($0, Self.path(of: $0)) }
        self.allowedPeers = allowedPeers
    }

    /// Re-reads the page file; on failure the old page stays and the error is thrown.
    public func reloadPage() throws {
        guard let pagePath else { return }
        page = try MaintenancePage(retryAfterSeconds: page.retryAfterSeconds, htmlFile: pagePath)
        noticePage = nil
    }

    /// Whether the request's socket peer is allowed through the gate. Inlined into the gate's
    /// caller, so a server with no allowed peer pays one test.
    @inlinable
    public func admits(_ request: Request) -> Bool {
        !allowedPeers.isEmpty && allowedPeersContain(request.peerAddress)
    }

    @usableFromInline
    func allowedPeersContain(_ peer: String?) -> Bool {
        guard let peer else { return false }
        return allowedPeers.contains { $0.contains(peer) }
    }

    /// The reply to a gated request, showing `notice` when the operator gave one.
    public func reply(to request: Request, notice: MaintenanceNotice? = nil) -> Response {
        // The usual case first; a redirect or a notice in a call of its own, so this one stays
        // small (callgrind: a maintenance reply costs less than the route's reply it replaces).
        guard redirect == nil, notice == nil else { return reply(redirectingOrShowing: notice, to: request) }
        return prefersJSON(request.headers["Accept"]) ? page.jsonResponse : page.htmlResponse
    }

    private func reply(redirectingOrShowing notice: MaintenanceNotice?, to request: Request) -> Response {
        if let redirect, request.method == .get || request.method == .head, request.path != redirect.path {
            let retryAfter = notice.map(retryAfter(for:)) ?? page.retryAfterSeconds
            var response = Response(status: .temporaryRedirect, headers: ["Location": redirect.location, "Cache-Control": "no-store"])
            response.headers.add(name: "Retry-After", value: String(retryAfter))
            return response
        }
        let json = prefersJSON(request.headers["Accept"])
        // Only the chosen reply is copied out of the page: passing the whole page (two replies)
        // along copied it, and retained its parts, per request (callgrind).
        if let notice {
            let built = page(for: notice)
            return json ? built.jsonResponse : built.htmlResponse
        }
        return json ? page.jsonResponse : page.htmlResponse
    }

    private func page(for notice: MaintenanceNotice) -> MaintenancePage {
        let retryAfter = retryAfter(for: notice)
        if let noticePage, noticePage.notice == notice, noticePage.retryAfter == retryAfter { return noticePage.page }
        let built = page.with(notice: notice, retryAfterSeconds: retryAfter)
        noticePage = (notice, retryAfter, built)
        return built
    }

    /// `Retry-After` under `notice`: the seconds to its planned end, or the page's own value.
    private func retryAfter(for notice: MaintenanceNotice) -> Int {
        notice.retryAfterSeconds(now: now(), otherwise: page.retryAfterSeconds)
    }

    private func prefersJSON(_ accept: String?) -> Bool {
        guard let accept else { return false }
        if let lastAccept, lastAccept.value == accept { return lastAccept.prefersJSON }
        let prefersJSON = MediaPreference.prefersJSON(accept)
        lastAccept = (accept, prefersJSON)
        return prefersJSON
    }

    /// The path part of a URL or of a path (`https://x/down?a` → `/down`).
    private static func path(of location: String) -> String {
        var rest = Substring(location)
        if let scheme = rest.firstRange(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return String(rest.prefix { $0 != "?" && $0 != "#" })
    }
}
