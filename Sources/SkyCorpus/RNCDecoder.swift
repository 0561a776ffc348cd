/// Decoder for Rob Northen Computing's ProPack, method 1 (LZ77 + per-chunk Huffman tables),
/// the compression used by most files in sky.dsk.
///
/// Layout: 18-byte big-endian header ("RNC", method, unpacked size, packed size,
/// unpacked CRC, packed CRC, leeway, chunk count), then a little-endian bit stream of
/// 16-bit words into which runs of literal bytes are interleaved.
public enum RNCError: Error, Equatable, CustomStringConvertible {
    case notRNC
    case unsupportedMethod(UInt8)
    case truncated(needed: Int, available: Int)
    case packedCRCMismatch(stored: UInt16, computed: UInt16)
    case unpackedCRCMismatch(stored: UInt16, computed: UInt16)
    case corrupt(String)

    public var description: String {
        switch self {
        case .notRNC: "no RNC signature"
        case let .unsupportedMethod(m): "RNC method \(m) is not supported (only method 1)"
        case let .truncated(n, a): "RNC stream truncated: need \(n) bytes, have \(a)"
        case let .packedCRCMismatch(s, c): "RNC packed CRC mismatch: stored \(hex(s)), computed \(hex(c))"
        case let .unpackedCRCMismatch(s, c): "RNC unpacked CRC mismatch: stored \(hex(s)), computed \(hex(c))"
        case let .corrupt(why): "corrupt RNC stream: \(why)"
        }
    }
}

private func hex(_ v: UInt16) -> String { "0x" + String(v, radix: 16) }

public struct RNCHeader: Equatable, Sendable {
    public static let size = 18
    public let method: UInt8
    public let unpackedSize: Int
    public let packedSize: Int
    public let unpackedCRC: UInt16
    public let packedCRC: UInt16
    /// Bytes the in-place decoder of the original needed between packed and unpacked data.
    public let leeway: UInt8
    public let chunkCount: Int

    public init<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        let b = Array(bytes.prefix(Self.size))
        guard b.count >= 4, b[0] == 0x52, b[1] == 0x4E, b[2] == 0x43 else { throw RNCError.notRNC }
        guard b.count == Self.size else { throw RNCError.truncated(needed: Self.size, available: b.count) }
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        method = b[3]
        unpackedSize = be32(4)
        packedSize = be32(8)
        unpackedCRC = UInt16(b[12]) << 8 | UInt16(b[13])
        packedCRC = UInt16(b[14]) << 8 | UInt16(b[15])
        leeway = b[16]
        chunkCount = Int(b[17])
    }
}

public enum RNCDecoder {
    public static func hasSignature<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.starts(with: [0x52, 0x4E, 0x43, 0x01])
    }

    /// Decodes one method-1 stream starting at the first byte of `input`; verifies both CRCs.
    public static func decompress<C: Collection>(_ input: C) throws -> [UInt8] where C.Element == UInt8 {
        let bytes = Array(input)
        let header = try RNCHeader(bytes)
        guard header.method == 1 else { throw RNCError.unsupportedMethod(header.method) }
        let end = RNCHeader.size + header.packedSize
        guard bytes.count >= end else { throw RNCError.truncated(needed: end, available: bytes.count) }
        let packed = bytes[RNCHeader.size..<end]
        let packedCRC = CRC16.arc(packed)
        guard packedCRC == header.packedCRC else {
            throw RNCError.packedCRCMismatch(stored: header.packedCRC, computed: packedCRC)
        }
        let output = try unpack(Array(packed), header: header)
        let unpackedCRC = CRC16.arc(output)
        guard unpackedCRC == header.unpackedCRC else {
            throw RNCError.unpackedCRCMismatch(stored: header.unpackedCRC, computed: unpackedCRC)
        }
        return output
    }

    static func unpack(_ packed: [UInt8], header: RNCHeader) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(header.unpackedSize)
        var bits = RNCBitReader(packed)
        _ = bits.read(2)  // lock and key flags: always clear in this game
        for _ in 0..<header.chunkCount {
            let literalTable = try RNCHuffmanTable(&bits)
            let distanceTable = try RNCHuffmanTable(&bits)
            let lengthTable = try RNCHuffmanTable(&bits)
            let steps = Int(bits.read(16))
            for step in 0..<steps {
                let literals = try literalTable.decodeValue(&bits)
                if literals > 0 { try bits.copyLiterals(literals, into: &out) }
                // The last step of a chunk carries literals only.
                guard step < steps - 1 else { break }
                let distance = try distanceTable.decodeValue(&bits) + 1
                let length = try lengthTable.decodeValue(&bits) + 2
                guard distance <= out.count else {
                    throw RNCError.corrupt("match distance \(distance) before start of output (\(out.count))")
                }
                // Byte by byte: source and destination may overlap (run-length style copies).
                var from = out.count - distance
                for _ in 0..<length { out.append(out[from]); from += 1 }
            }
            guard out.count <= header.unpackedSize else {
                throw RNCError.corrupt("output grew past the declared \(header.unpackedSize) bytes")
            }
        }
        guard out.count == header.unpackedSize else {
            throw RNCError.corrupt("decoded \(out.count) bytes, header declares \(header.unpackedSize)")
        }
        return out
    }
}

/// LSB-first reader over little-endian 16-bit words. The word at `position` is always a
/// fully unread look-ahead; literal byte runs start exactly there, which is why
/// `copyLiterals` drops it and reloads after the run.
struct RNCBitReader {
    private let bytes: [UInt8]
    private var position: Int
    private var buffer: UInt32
    private var count: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = 0
        buffer = Self.word(bytes, at: 0)
        count = 16
    }

    /// Past the end the stream reads as zeros: the last look-ahead word may not exist.
    private static func word(_ bytes: [UInt8], at i: Int) -> UInt32 {
        let lo = i < bytes.count ? UInt32(bytes[i]) : 0
        let hi = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
        return lo | hi << 8
    }

    private func word(at i: Int) -> UInt32 { Self.word(bytes, at: i) }

    func peek(_ n: Int) -> UInt32 { buffer & ((1 << UInt32(n)) - 1) }

    mutating func read(_ n: Int) -> UInt32 {
        let value = peek(n)
        buffer >>= UInt32(n)
        count -= n
        if count < 16 {
            position += 2
            buffer |= word(at: position) << UInt32(count)
            count += 16
        }
        return value
    }

    mutating func copyLiterals(_ n: Int, into out: inout [UInt8]) throws {
        guard position + n <= bytes.count else {
            throw RNCError.truncated(needed: position + n, available: bytes.count)
        }
        out.append(contentsOf: bytes[position..<(position + n)])
        position += n
        count -= 16
        buffer &= (1 << UInt32(count)) - 1
        buffer |= word(at: position) << UInt32(count)
        count += 16
    }
}

/// One of the three canonical Huffman tables sent at the start of every chunk: up to 16
/// symbols; symbol s >= 2 stands for the value 2^(s-1) plus s-1 extra bits.
struct RNCHuffmanTable {
    private struct Code {
        let bits: UInt32  // bit-reversed, because the stream is read LSB first
        let length: Int
        let symbol: Int
    }

    private var codes: [Code] = []

    init(_ reader: inout RNCBitReader) throws {
        let symbolCount = Int(reader.read(5))
        let lengths = (0..<symbolCount).map { _ in Int(reader.read(4)) }
        var next: UInt32 = 0  // next canonical code, left-aligned in 16 bits
        for length in 1...16 {
            for (symbol, l) in lengths.enumerated() where l == length {
                let code = next >> UInt32(16 - length)
                codes.append(Code(bits: Self.reverse(code, length), length: length, symbol: symbol))
                next += 1 << UInt32(16 - length)
            }
        }
        guard next <= 1 << 16 else { throw RNCError.corrupt("Huffman code lengths oversubscribed") }
    }

    private static func reverse(_ code: UInt32, _ length: Int) -> UInt32 {
        var r: UInt32 = 0
        for i in 0..<length where code & (1 << UInt32(i)) != 0 { r |= 1 << UInt32(length - 1 - i) }
        return r
    }

    func decodeValue(_ reader: inout RNCBitReader) throws -> Int {
        let window = reader.peek(16)
        for c in codes where window & ((1 << UInt32(c.length)) - 1) == c.bits {
            _ = reader.read(c.length)
            guard c.symbol >= 2 else { return c.symbol }
            return (1 << (c.symbol - 1)) | Int(reader.read(c.symbol - 1))
        }
        throw RNCError.corrupt("no Huffman code matches the next bits")
    }
}
