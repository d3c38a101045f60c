extension HTTPHeaders.Field {
    /// Whether the field can be written as one header line: its name is a token and its value
    /// holds no control character but tab. A CR or LF in a value would start a line of the
    /// client's choosing (header injection, response splitting), so the writer drops such a field.
    package var isSendable: Bool {
        !name.isEmpty && Self.all(name, ByteClass.token.contains) && Self.all(value, ByteClass.isFieldValueByte)
    }

    /// Whether every byte of `text` passes, over contiguous storage when there is one: a
    /// buffer's loop costs a few instructions a byte, `UTF8View`'s iterator tens.
    private static func all(_ text: String, _ passes: (UInt8) -> Bool) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(passes) } ?? text.utf8.allSatisfy(passes)
    }
}
