import Foundation

public enum CompactTableError: Error, Equatable, CustomStringConvertible {
    case unsupportedVersion(UInt16)
    case truncated(at: Int)

    public var description: String {
        switch self {
        case let .unsupportedVersion(v): "sky.cpt version \(v) is not supported (expected 0)"
        case let .truncated(at): "sky.cpt ends early (at byte \(at))"
        }
    }
}

/// The game's "compacts" (characters, objects, lists) with their debug names, as stored in
/// `sky.cpt` (the engine data file shipped next to sky.dsk). Compact ids are
/// `list << 12 | index`, the numbers scripts use to name who speaks.
///
/// Layout (little endian): u16 version 0, u16 list count, one u16 length per list,
/// u32 raw size (unused here), u32 word count + that many u16 (per entry: size, and when
/// non-zero a type and `size` data words), u32 byte count + NUL-separated names, one per
/// non-empty entry, in order.
public struct CompactTable: Sendable {
    public struct Compact: Sendable, Equatable {
        public let id: Int
        public let type: Int
        public let name: String
        public let words: [UInt16]
    }

    /// Type code of a real game object (as opposed to lists, tables, grids...).
    public static let objectType = 1
    /// Word offsets inside an object compact of the two script references used here.
    public static let actionScriptWord = 17
    public static let baseScriptWord = 27

    public let compacts: [Int: Compact]

    public init(data: Data) throws {
        var reader = LittleEndianReader([UInt8](data))
        let version = try reader.u16()
        guard version == 0 else { throw CompactTableError.unsupportedVersion(version) }
        let listCount = Int(try reader.u16())
        let listLengths = try (0..<listCount).map { _ in Int(try reader.u16()) }
        _ = try reader.u32()
        let wordCount = Int(try reader.u32())
        let words = try (0..<wordCount).map { _ in try reader.u16() }
        let nameBytes = Int(try reader.u32())
        let names = try reader.bytes(nameBytes).split(separator: 0, omittingEmptySubsequences: false)

        var table: [Int: Compact] = [:]
        var w = 0, n = 0
        func word() throws -> UInt16 {
            guard w < words.count else { throw CompactTableError.truncated(at: w) }
            defer { w += 1 }
            return words[w]
        }
        for (list, length) in listLengths.enumerated() {
            for index in 0..<length {
                let size = Int(try word())
                guard size > 0 else { continue }
                let type = Int(try word())
                guard w + size <= words.count, n < names.count else { throw CompactTableError.truncated(at: w) }
                let id = list << 12 | index
                table[id] = Compact(id: id, type: type, name: String(decoding: names[n], as: UTF8.self),
                                    words: Array(words[w..<(w + size)]))
                w += size
                n += 1
            }
        }
        compacts = table
    }

    public init(directory: URL = DiskArchive.defaultGameDirectory) throws {
        try self.init(data: Data(contentsOf: directory.appendingPathComponent("sky.cpt")))
    }

    public func name(_ id: Int) -> String? { compacts[id]?.name }
}

/// Sequential little-endian reads that throw instead of trapping at the end.
struct LittleEndianReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func bytes(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, offset + n <= bytes.count else { throw CompactTableError.truncated(at: offset) }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u16() throws -> UInt16 {
        let b = try bytes(2)
        return UInt16(b[b.startIndex]) | UInt16(b[b.startIndex + 1]) << 8
    }

    mutating func u32() throws -> UInt32 {
        let b = try bytes(4)
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[b.startIndex + $1]) << (8 * UInt32($1)) }
    }
}
