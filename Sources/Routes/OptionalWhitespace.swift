extension StringProtocol {
    /// The text without HTTP's optional whitespace (spaces and tabs) at either end.
    var trimmingOptionalWhitespace: SubSequence {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map(index(after:)) ?? start
        return self[start..<Swift.max(start, end)]
    }
}
