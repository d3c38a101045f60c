import Foundation

/// Parses the exposition with the reference Python parser; returns `name{labels}` → value.
public func parseWithPrometheusClient(_ text: String) throws -> [String: Double] {
    let script = """
        import sys
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                print(sample.name + ("{" + labels + "}" if labels else ""), sample.value)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let parsed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let failure = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("prometheus_client rejected the metrics: \(failure)") }
    var values: [String: Double] = [:]
    for line in parsed.split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2 { values[String(parts[0])] = Double(parts[1]) }
    }
    return values
}
