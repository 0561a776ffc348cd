/// Big-endian reads over one resource's data, with the engine's length-prefixed strings.
///
/// DOG, CUT and QUEEN.JAS start with a 20-byte Amiga "AmBk" bank header; every offset stored
/// inside them counts from the first byte after it, so `init(bankResource:)` drops it.
struct ResourceReader {
    static let bankHeaderSize = 20
    let name: String
    let bytes: [UInt8]

    init(name: String, bankResource: [UInt8]) throws {
        guard bankResource.count >= Self.bankHeaderSize else {
            throw QueenCorpusError.truncated(resource: name, offset: 0, need: Self.bankHeaderSize, size: bankResource.count)
        }
        self.name = name
        bytes = Array(bankResource.dropFirst(Self.bankHeaderSize))
    }

    private func need(_ offset: Int, _ count: Int) throws {
        guard offset >= 0, offset + count <= bytes.count else {
            throw QueenCorpusError.truncated(resource: name, offset: offset, need: count, size: bytes.count)
        }
    }

    func u16(_ offset: Int) throws -> Int {
        try need(offset, 2)
        return Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
    }

    func s16(_ offset: Int) throws -> Int { Int(Int16(truncatingIfNeeded: try u16(offset))) }

    /// A u8 length, then that many bytes; the next offset is rounded up to `align` (2 or 4).
    /// A zero length advances by exactly one byte, without rounding: the engine does so, and
    /// rounding there shifts every later string.
    func string(_ offset: Int, align: Int) throws -> (text: String, next: Int) {
        try need(offset, 1)
        let length = Int(bytes[offset])
        if length == 0 { return ("", offset + 1) }
        try need(offset + 1, length)
        let text = QueenText.decode(bytes[offset + 1..<offset + 1 + length])
        return (text, (offset + 1 + length + align - 1) & ~(align - 1))
    }
}

enum QueenText {
    /// The English data is ASCII; Latin-1 maps any other byte to one character, losslessly.
    static func decode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
