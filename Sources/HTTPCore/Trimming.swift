extension StringProtocol {
    /// The text without `characters` at either end (spaces and tabs by default), without
    /// Foundation and without copying.
    package func trimming(_ characters: Set<Character> = [" ", "\t"]) -> Substring {
        var text = self[...]
        while let first = text.first, characters.contains(first) { text.removeFirst() }
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return Substring(text)
    }
}
