/// Errors raised while decoding a subtitle section file (60600 + section).
public enum HuffmanTextError: Error, Equatable, CustomStringConvertible {
    case sectionTooShort(Int)
    case messageOutOfRange(index: Int, count: Int)
    case bitstreamOverrun(message: Int)
    case unterminated(message: Int)

    public var description: String {
        switch self {
        case let .sectionTooShort(n): "text section is only \(n) bytes"
        case let .messageOutOfRange(i, c): "message \(i) out of range (section holds \(c) messages)"
        case let .bitstreamOverrun(m): "message \(m) points past the end of the section"
        case let .unterminated(m): "message \(m) has no terminating zero"
        }
    }
}

/// One English subtitle section, as stored in sky.dsk (uncompressed).
///
/// Layout: u16 at 0 = offset of the skip table, u16 at 2 = start of the Huffman bit
/// stream. From byte 4 up to the skip table: one u16 per block of 32 messages, the block's
/// length in 2-bit units (the last block needs none). The skip table holds one byte per
/// message, its length in 2-bit units (bit 7 set means `(b & 0x7F) << 3`), so the number of
/// messages is the skip table's size. Characters are Huffman coded MSB first with the
/// fixed tree `huffTree00372`; a 0 byte ends a message.
public struct HuffmanTextSection: Sendable {
    public static let messagesPerBlock = 32
    /// Longest message the decoder accepts before calling the stream corrupt.
    static let maxMessageLength = 1024

    private let bytes: [UInt8]
    private let skipTableOffset: Int
    private let bitstreamOffset: Int
    /// Messages in this section: one skip byte each.
    public let messageCount: Int

    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 6 else { throw HuffmanTextError.sectionTooShort(bytes.count) }
        self.bytes = bytes
        skipTableOffset = Int(bytes[0]) | Int(bytes[1]) << 8
        bitstreamOffset = Int(bytes[2]) | Int(bytes[3]) << 8
        guard skipTableOffset >= 4, skipTableOffset <= bitstreamOffset, bitstreamOffset <= bytes.count else {
            throw HuffmanTextError.sectionTooShort(bytes.count)
        }
        messageCount = bitstreamOffset - skipTableOffset
        // Every block but the last has a length entry; more messages than that is corrupt.
        let lengthEntries = (skipTableOffset - 4) / 2
        guard messageCount <= (lengthEntries + 1) * Self.messagesPerBlock else {
            throw HuffmanTextError.sectionTooShort(bytes.count)
        }
    }

    private func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }

    /// Start of message `index`, counted in 2-bit units from the start of the bit stream.
    func startUnit(of index: Int) throws -> Int {
        guard index >= 0, index < messageCount else {
            throw HuffmanTextError.messageOutOfRange(index: index, count: messageCount)
        }
        let block = index / Self.messagesPerBlock
        var units = 0
        for b in 0..<block { units += u16(4 + 2 * b) }
        let skipBase = skipTableOffset + block * Self.messagesPerBlock
        for m in 0..<(index % Self.messagesPerBlock) {
            let skip = Int(bytes[skipBase + m])
            units += skip & 0x80 != 0 ? (skip & 0x7F) << 3 : skip
        }
        return units
    }

    /// The message's bytes, without the terminating 0.
    public func messageBytes(_ index: Int) throws -> [UInt8] {
        let units = try startUnit(of: index)
        var bit = (bitstreamOffset + (units >> 2)) * 8 + 2 * (units & 3)  // MSB-first bit index
        let endBit = bytes.count * 8
        var out: [UInt8] = []
        while out.count <= Self.maxMessageLength {
            var node = 0
            repeat {
                guard bit < endBit else { throw HuffmanTextError.bitstreamOverrun(message: index) }
                let set = bytes[bit >> 3] >> (7 - UInt8(bit & 7)) & 1 != 0
                bit += 1
                node = Int(set ? huffTree00372[node].right : huffTree00372[node].left)
            } while huffTree00372[node].left != 0 || huffTree00372[node].right != 0
            let value = huffTree00372[node].value
            if value == 0 { return out }
            out.append(value)
        }
        throw HuffmanTextError.unterminated(message: index)
    }

    /// The message as text. Bytes >= 0x80 (the game's accented letters, absent from the
    /// English lines) map to the Latin-1 code point of the same value, so nothing is lost.
    public func message(_ index: Int) throws -> String {
        String(String.UnicodeScalarView(try messageBytes(index).map { Unicode.Scalar($0) }))
    }
}
