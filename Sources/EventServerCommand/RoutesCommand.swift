import ArgumentParser
import EventServer

/// `eventserver routes`: prints the route table the same flags would serve.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Print the route table (method, pattern, module, exempt).")

    @OptionGroup var options: ServeOptions

    func run() throws {
        let routes = try reportingStartUpErrors { try options.makeServer().routes.routes }
        let rows = [("METHOD", "PATTERN", "MODULE", "EXEMPT")]
            + routes.map { ($0.method.rawValue, $0.pattern, $0.module, $0.isExempt ? "yes" : "no") }
        let widths = (
            rows.map(\.0.count).max() ?? 0, rows.map(\.1.count).max() ?? 0, rows.map(\.2.count).max() ?? 0
        )
        for row in rows {
            print(
                row.0.padding(widths.0) + "  " + row.1.padding(widths.1) + "  " + row.2.padding(widths.2) + "  "
                    + row.3)
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
