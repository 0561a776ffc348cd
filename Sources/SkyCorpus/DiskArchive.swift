import Foundation

/// Errors raised while reading the game's archive (`sky.dnr` index + `sky.dsk` data).
public enum DiskArchiveError: Error, Equatable, CustomStringConvertible {
    case truncatedIndex(expectedBytes: Int, actualBytes: Int)
    case fileNotFound(UInt16)
    case entryOutOfBounds(file: UInt16, end: Int, archiveSize: Int)
    case fileTooShortForHeader(UInt16)
    case decompressedSizeMismatch(file: UInt16, header: Int, decoded: Int)

    public var description: String {
        switch self {
        case let .truncatedIndex(e, a): "sky.dnr truncated: need \(e) bytes, have \(a)"
        case let .fileNotFound(f): "file \(f) is not in sky.dnr"
        case let .entryOutOfBounds(f, end, size): "file \(f) ends at byte \(end), past the end of sky.dsk (\(size))"
        case let .fileTooShortForHeader(f): "file \(f) is shorter than its 22-byte header"
        case let .decompressedSizeMismatch(f, h, d): "file \(f): header says \(h) bytes, RNC stream gave \(d)"
        }
    }
}

/// One row of `sky.dnr`: where a numbered file lives in `sky.dsk` and how it is stored.
public struct DiskEntry: Equatable, Sendable {
    public let fileNumber: UInt16
    /// Byte offset into sky.dsk (already scaled when the index stores it in 16-byte units).
    public let offset: Int
    /// Stored size in bytes (low 22 bits of the flags field).
    public let size: Int
    /// Flag bit 22: when the file is decompressed, its 22-byte header is not returned.
    public let omitsHeader: Bool
    /// Flag bit 23: the file is stored as is and must never be RNC-decoded.
    public let storedUncompressed: Bool

    public init(fileNumber: UInt16, offset: Int, size: Int, omitsHeader: Bool, storedUncompressed: Bool) {
        self.fileNumber = fileNumber
        self.offset = offset
        self.size = size
        self.omitsHeader = omitsHeader
        self.storedUncompressed = storedUncompressed
    }

    /// Decodes the 8-byte little-endian record: u16 file number, 24-bit offset, 24-bit flags.
    init(record r: ArraySlice<UInt8>) {
        let b = Array(r)
        fileNumber = UInt16(b[0]) | UInt16(b[1]) << 8
        let rawOffset = Int(b[2]) | Int(b[3]) << 8 | Int(b[4]) << 16
        let flags = Int(b[5]) | Int(b[6]) << 8 | Int(b[7]) << 16
        // Bit 23 of the offset says it counts 16-byte paragraphs (files past 8 MiB).
        offset = rawOffset & 0x80_0000 != 0 ? (rawOffset & 0x7F_FFFF) << 4 : rawOffset
        size = flags & 0x3F_FFFF
        omitsHeader = flags & 0x40_0000 != 0
        storedUncompressed = flags & 0x80_0000 != 0
    }
}

/// The 11 little-endian u16 words that start every file in the archive.
public struct DataFileHeader: Equatable, Sendable {
    public static let size = 22
    public let words: [UInt16]

    public init(bytes: ArraySlice<UInt8>) {
        let b = Array(bytes.prefix(Self.size))
        words = (0..<11).map { UInt16(b[2 * $0]) | UInt16(b[2 * $0 + 1]) << 8 }
    }

    public var flag: UInt16 { words[0] }
    /// Flag bit 7: the payload after the header is an RNC ProPack stream.
    public var isCompressed: Bool { flag & 0x80 != 0 }
    /// Total decompressed size, header included: bits 16-23 live in the flag's high byte,
    /// bits 0-15 in `s_tot_size` (word 6).
    public var totalSize: Int { Int(flag & 0xFF00) << 8 | Int(words[6]) }
}

/// Read-only access to the numbered files of Beneath a Steel Sky (CD version 0.0372).
public struct DiskArchive: Sendable {
    public static let defaultGameDirectory = URL(fileURLWithPath: "/usr/share/scummvm/beneath-a-steel-sky")

    public let entries: [DiskEntry]
    private let byNumber: [UInt16: Int]
    private let data: Data

    /// `index` is the content of sky.dnr, `data` the content of sky.dsk.
    public init(index: Data, data: Data) throws {
        entries = try Self.parseIndex(index)
        var map: [UInt16: Int] = [:]
        // The engine takes the first matching row, so later duplicates never win.
        for (i, e) in entries.enumerated() where map[e.fileNumber] == nil { map[e.fileNumber] = i }
        byNumber = map
        self.data = data
    }

    /// Opens `sky.dnr` and `sky.dsk` in `directory`; the data file is memory-mapped.
    public init(directory: URL = DiskArchive.defaultGameDirectory) throws {
        let index = try Data(contentsOf: directory.appendingPathComponent("sky.dnr"))
        let data = try Data(contentsOf: directory.appendingPathComponent("sky.dsk"), options: .alwaysMapped)
        try self.init(index: index, data: data)
    }

    public static func parseIndex(_ index: Data) throws -> [DiskEntry] {
        let bytes = [UInt8](index)
        guard bytes.count >= 4 else { throw DiskArchiveError.truncatedIndex(expectedBytes: 4, actualBytes: bytes.count) }
        let count = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        let needed = 4 + 8 * count
        guard bytes.count >= needed else {
            throw DiskArchiveError.truncatedIndex(expectedBytes: needed, actualBytes: bytes.count)
        }
        return (0..<count).map { DiskEntry(record: bytes[(4 + 8 * $0)..<(12 + 8 * $0)]) }
    }

    public func entry(_ fileNumber: UInt16) -> DiskEntry? {
        byNumber[fileNumber].map { entries[$0] }
    }

    public func contains(_ fileNumber: UInt16) -> Bool { byNumber[fileNumber] != nil }

    /// The file's bytes exactly as stored in sky.dsk.
    public func storedBytes(_ fileNumber: UInt16) throws -> [UInt8] {
        guard let e = entry(fileNumber) else { throw DiskArchiveError.fileNotFound(fileNumber) }
        let end = e.offset + e.size
        guard end <= data.count else {
            throw DiskArchiveError.entryOutOfBounds(file: fileNumber, end: end, archiveSize: data.count)
        }
        return [UInt8](data[(data.startIndex + e.offset)..<(data.startIndex + end)])
    }

    /// The file as the game sees it: RNC payloads decoded, the header kept unless the
    /// index says to drop it.
    public func loadFile(_ fileNumber: UInt16) throws -> [UInt8] {
        let stored = try storedBytes(fileNumber)
        let e = entry(fileNumber)!
        guard !e.storedUncompressed else { return stored }
        guard stored.count >= DataFileHeader.size else { throw DiskArchiveError.fileTooShortForHeader(fileNumber) }
        let header = DataFileHeader(bytes: stored[0..<DataFileHeader.size])
        let payload = stored[DataFileHeader.size...]
        guard header.isCompressed, RNCDecoder.hasSignature(payload) else { return stored }
        let decoded = try RNCDecoder.decompress(payload)
        guard decoded.count + DataFileHeader.size == header.totalSize else {
            throw DiskArchiveError.decompressedSizeMismatch(
                file: fileNumber, header: header.totalSize, decoded: decoded.count + DataFileHeader.size)
        }
        return e.omitsHeader ? decoded : Array(stored[0..<DataFileHeader.size]) + decoded
    }
}
