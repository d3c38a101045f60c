import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// StaticFiles serves a folder under a URL prefix (`/static/` by default).
///
/// Safe by construction: a path with `.`, `..` or empty segments (decoded, so `%2e%2e` counts)
/// is refused, and the resolved real path must stay inside the real root, so a symlink out of it
/// gets 404 too. Directories are never listed: a directory answers its `index.html` or 404.
/// Files carry `ETag` and `Last-Modified` (304 on a match), support one `Range` (206/416), and
/// are sent from disk with `sendfile`, never loaded into memory.
public struct StaticFiles: RouteModule {
    private let root: String
    private let prefix: String

    /// Serves the folder `root` under `prefix`; throws when `root` is not a readable folder.
    public init(root: String, prefix: String = "/static") throws {
        guard let resolved = Self.realPath(root), Self.isDirectory(resolved) else {
            throw ConfigurationError("static root \(root) is not a readable folder")
        }
        self.root = resolved
        self.prefix = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
    }

    public func register(in routes: any RoutesBuilder) throws {
        try routes.add(.get, "\(prefix)/*path", handler: StaticFileHandler(root: root))
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

/// StaticFileHandler answers one GET or HEAD for a file under `root`.
struct StaticFileHandler: Handler {
    let root: String

    func respond(to request: Request) throws -> Response {
        guard let relative = request.parameters["path"], let file = open(relative) else { return Self.notFound }
        let etag = "\"\(String(file.size, radix: 16))-\(String(file.modifiedNanoseconds, radix: 16))\""
        var headers: HTTPHeaders = [
            "ETag": etag,
            "Last-Modified": UTCTime.httpDate(file.modifiedSeconds),
            "Accept-Ranges": "bytes",
        ]
        if isNotModified(request, etag: etag, modifiedSeconds: file.modifiedSeconds) {
            return Response(status: .notModified, headers: headers)
        }
        headers.add(name: "Content-Type", value: MediaTypes.contentType(forFileNamed: file.path))
        var range = request.headers["Range"].map { ByteRange(header: $0, size: file.size) } ?? .ignored
        if let ifRange = request.headers["If-Range"], ifRange != etag { range = .ignored }
        switch range {
        case .ignored:
            return response(.ok, headers, file, offset: 0, count: file.size)
        case let .satisfiable(first, last):
            headers.add(name: "Content-Range", value: "bytes \(first)-\(last)/\(file.size)")
            return response(.partialContent, headers, file, offset: first, count: last - first + 1)
        case .unsatisfiable:
            return Response(
                status: .rangeNotSatisfiable,
                headers: ["Content-Range": "bytes */\(file.size)", "Content-Type": "text/plain; charset=utf-8"],
                body: Array("Range Not Satisfiable\n".utf8))
        }
    }

    private func response(_ status: HTTPStatus, _ headers: HTTPHeaders, _ file: OpenFile, offset: Int, count: Int) -> Response {
        guard count > 0, let region = file.region(offset: offset, count: count) else {
            return Response(status: status, headers: headers)
        }
        return Response(status: status, headers: headers, file: region)
    }

    /// RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
    private func isNotModified(_ request: Request, etag: String, modifiedSeconds: Int) -> Bool {
        if let noneMatch = request.headers["If-None-Match"] {
            return noneMatch.split(separator: ",").contains { candidate in
                let tag = candidate.trimmingOptionalWhitespace
                return tag == "*" || tag == etag || tag == "W/" + etag
            }
        }
        if let since = request.headers["If-Modified-Since"].flatMap(UTCTime.parseHTTPDate) {
            return modifiedSeconds <= since
        }
        return false
    }

    /// Opens the regular file `relative` names inside `root`, or nil for anything else.
    private func open(_ relative: String) -> OpenFile? {
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) || relative.isEmpty else {
            return nil
        }
        var candidate = relative.isEmpty ? root : root + "/" + relative
        if let resolved = StaticFiles.realPath(candidate), StaticFiles.isDirectory(resolved) {
            candidate = resolved + "/index.html"
        }
        guard let resolved = StaticFiles.realPath(candidate), resolved.hasPrefix(root + "/") else { return nil }
        return OpenFile(path: resolved)
    }

    private static let notFound = Response.text("Not Found\n", status: .notFound)
}

/// OpenFile is a regular file opened for reading, with the metadata validators need. The
/// descriptor is owned by a `FileRegion`, which closes it unless a response sends it.
private struct OpenFile {
    let path: String
    let size: Int
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int
    private let file: FileRegion

    init?(path: String) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        let isRegular = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        file = FileRegion(descriptor: descriptor, offset: 0, count: Int(info.st_size))
        guard isRegular else { return nil }
        self.path = path
        size = Int(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
    }

    /// The bytes `offset..<offset + count`, handing the descriptor over to the response.
    func region(offset: Int, count: Int) -> FileRegion? {
        file.region(offset: offset, count: count)
    }
}
