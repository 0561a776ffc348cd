import Foundation

/// Errors raised while reading Flight of the Amazon Queen's resource archive.
public enum QueenCorpusError: Error, Equatable, CustomStringConvertible {
    case notAnArchive(path: String, reason: String)
    case missingEntry(archive: String, name: String)
    case truncated(resource: String, offset: Int, need: Int, size: Int)
    case unsupportedCompression(archive: String, code: UInt8)

    public var description: String {
        switch self {
        case let .notAnArchive(path, reason): "\(path): not a Flight of the Amazon Queen queen.1c archive (\(reason))"
        case let .missingEntry(archive, name): "\(archive): has no resource \(name)"
        case let .truncated(resource, offset, need, size):
            "\(resource): needs \(need) bytes at offset \(offset) but has \(size) (truncated or not this game's format)"
        case let .unsupportedCompression(archive, code):
            "\(archive): speech compression \(code) is not supported (this reader handles 1 = MP3, the Debian talkie build)"
        }
    }
}

/// The "rebuilt" resource archive of the CD talkie (queen.1c, as Debian ships it).
///
/// Layout (big endian): `QTBL`, a 6-byte version string (`CEM10`: CD, English), 2 unused
/// bytes, a compression byte for the speech files (1 = MP3), a u16 entry count, then 21-byte
/// entries: a 12-byte NUL-padded name, a bundle byte, u32 offset (from the file start), u32 size.
public struct QueenArchive: Sendable {
    public static let defaultPath = URL(fileURLWithPath: "/usr/share/scummvm/flight-of-the-amazon-queen/queen.1c")
    public static let entrySize = 21
    public static let tableStart = 15

    public let path: String
    public let version: String
    /// How the .SB speech files are stored: 0 raw, 1 MP3, 2 Ogg, 3 FLAC.
    public let compression: UInt8
    private let data: Data
    private let entries: [String: Range<Int>]

    public init(path: URL = QueenArchive.defaultPath) throws {
        self.path = path.path
        do {
            data = try Data(contentsOf: path, options: .alwaysMapped)
        } catch {
            throw QueenCorpusError.notAnArchive(path: path.path, reason: "cannot read: \(error.localizedDescription)")
        }
        guard data.count >= Self.tableStart, data.prefix(4).elementsEqual(Array("QTBL".utf8)) else {
            throw QueenCorpusError.notAnArchive(path: path.path, reason: "does not start with QTBL")
        }
        let bytes = [UInt8](data.prefix(Self.tableStart))
        version = String(decoding: bytes[4..<10].prefix { $0 != 0 }, as: UTF8.self)
        compression = bytes[12]
        let count = Int(bytes[13]) << 8 | Int(bytes[14])
        let tableEnd = Self.tableStart + count * Self.entrySize
        guard data.count >= tableEnd else {
            throw QueenCorpusError.notAnArchive(path: path.path, reason: "its table of \(count) entries runs past the end")
        }
        let table = [UInt8](data[Self.tableStart..<tableEnd])
        var entries: [String: Range<Int>] = [:]
        for index in 0..<count {
            let base = index * Self.entrySize
            let name = String(decoding: table[base..<base + 12].prefix { $0 != 0 }, as: UTF8.self)
            let offset = table[base + 13..<base + 17].reduce(0) { $0 << 8 | Int($1) }
            let size = table[base + 17..<base + 21].reduce(0) { $0 << 8 | Int($1) }
            guard offset + size <= data.count else {
                throw QueenCorpusError.notAnArchive(path: path.path, reason: "entry \(name) runs past the end of the file")
            }
            entries[name.uppercased()] = offset..<offset + size
        }
        self.entries = entries
    }

    public var names: [String] { entries.keys.sorted() }

    public func contains(_ name: String) -> Bool { entries[name.uppercased()] != nil }

    public func bytes(_ name: String) throws -> [UInt8] {
        guard let range = entries[name.uppercased()] else { throw QueenCorpusError.missingEntry(archive: path, name: name) }
        return [UInt8](data[range])
    }
}
