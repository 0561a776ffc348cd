import Foundation

/// Errors raised while pairing subtitles with speech files.
public enum SkySpeechError: Error, Equatable, CustomStringConvertible {
    case missingTextSection(fileNumber: UInt16)
    case speechFileTooShort(fileNumber: UInt16, bytes: Int)

    public var description: String {
        switch self {
        case let .missingTextSection(f): "subtitle section file \(f) is not in the archive"
        case let .speechFileTooShort(f, n): "speech file \(f) has \(n) bytes, less than its header"
        }
    }
}

/// A subtitled speech line of the game: where its audio lives and what is said.
public struct SkyLine: Equatable, Sendable {
    /// The game's text number: section << 12 | index.
    public let textNumber: Int
    public let speechFile: UInt16
    /// The subtitle exactly as stored (emphasis capitals and stylised spelling kept).
    public let textRaw: String
    /// Who speaks (a compact name from sky.cpt, e.g. "foster", "joey"), when the game's
    /// scripts say so (see `SpeakerAttribution`); nil otherwise.
    public let speaker: String?

    /// `speaker`, or for unattributed lines the pseudo-speaker "section<N>" (the game's
    /// text section, i.e. the part of the story and its cast).
    public var speakerLabel: String { speaker ?? "section\(section)" }

    public var section: Int { textNumber >> 12 }
    public var index: Int { textNumber & 0xFFF }
}

/// One clip: a line and its audio as floats in [-1, 1) at `SkySpeech.sampleRate`.
public struct SkyClip: Sendable {
    public let line: SkyLine
    public let samples: [Float]
    public var duration: Double { Double(samples.count) / Double(SkySpeech.sampleRate) }
}

/// Pairs the subtitle table with the speech files of the CD version.
///
/// Speech for text number t is file 50000 + sectionBase[t >> 12] + (t & 0xFFF): unsigned
/// 8-bit mono PCM at 11,025 Hz after the 22-byte file header. Speech files that no text
/// number reaches (the intro and ending, 59xxx) have no subtitle and are not listed.
public struct SkySpeech: Sendable {
    public static let sampleRate = 11_025
    public static let speechFileBase = 50_000
    public static let textFileBase = 60_600
    public static let sectionCount = 8
    /// First speech file of each section, relative to `speechFileBase` (from the engine).
    public static let speechSectionBases = [0, 600, 1100, 2430, 3380, 4530, 5080, 5230]

    public let archive: DiskArchive
    public let sections: [HuffmanTextSection]
    public let speakers: SpeakerTable

    /// Opens the installed game: archive, subtitles and speakers from the scripts + sky.cpt.
    public init(directory: URL) throws {
        let archive = try DiskArchive(directory: directory)
        let speakers = try SpeakerAttribution.speakers(archive: archive, compacts: CompactTable(directory: directory))
        try self.init(archive: archive, speakers: speakers)
    }

    public init(archive: DiskArchive, speakers: SpeakerTable = SpeakerTable()) throws {
        self.archive = archive
        self.speakers = speakers
        sections = try (0..<Self.sectionCount).map { s in
            let file = UInt16(Self.textFileBase + s)
            guard archive.contains(file) else { throw SkySpeechError.missingTextSection(fileNumber: file) }
            return try HuffmanTextSection(bytes: archive.loadFile(file))
        }
    }

    public static func speechFileNumber(textNumber: Int) -> UInt16 {
        UInt16(speechFileBase + speechSectionBases[textNumber >> 12] + (textNumber & 0xFFF))
    }

    /// Every text number whose speech file exists and whose subtitle is not empty, in
    /// text-number order. The range of a section ends where the next section's files begin.
    public func lines() throws -> [SkyLine] {
        var result: [SkyLine] = []
        for s in 0..<Self.sectionCount {
            let nextBase = s + 1 < Self.sectionCount ? Self.speechSectionBases[s + 1] : 0x1000 + Self.speechSectionBases[s]
            let slots = min(nextBase - Self.speechSectionBases[s], sections[s].messageCount, 0x1000)
            for i in 0..<slots {
                let textNumber = s << 12 | i
                let file = Self.speechFileNumber(textNumber: textNumber)
                guard archive.contains(file) else { continue }
                let text = try sections[s].message(i)
                guard !text.allSatisfy({ $0 == " " }) else { continue }
                result.append(SkyLine(textNumber: textNumber, speechFile: file, textRaw: text,
                                      speaker: speakers.speaker(forTextNumber: textNumber)))
            }
        }
        return result
    }

    /// The line's audio: the PCM bytes after the file header, unsigned 8-bit b mapped to
    /// (b - 128) / 128.
    public func samples(for line: SkyLine) throws -> [Float] {
        let count = try sampleCount(for: line)
        let file = try archive.loadFile(line.speechFile)
        guard file.count >= count else {
            throw SkySpeechError.speechFileTooShort(fileNumber: line.speechFile, bytes: file.count)
        }
        return file.suffix(count).map { (Float($0) - 128) / 128 }
    }

    /// Number of samples of the line's audio, read from the stored file header without
    /// decompressing (lets an exporter skip finished files cheaply): the decompressed
    /// size for RNC files, the stored size otherwise, minus the 22-byte header.
    public func sampleCount(for line: SkyLine) throws -> Int {
        let entry = archive.entry(line.speechFile)!
        let stored = try archive.storedBytes(line.speechFile)
        guard stored.count >= DataFileHeader.size else {
            throw SkySpeechError.speechFileTooShort(fileNumber: line.speechFile, bytes: stored.count)
        }
        let header = DataFileHeader(bytes: stored[0..<DataFileHeader.size])
        let compressed = !entry.storedUncompressed && header.isCompressed
            && RNCDecoder.hasSignature(stored[DataFileHeader.size...])
        return (compressed ? header.totalSize : stored.count) - DataFileHeader.size
    }

    public func clip(for line: SkyLine) throws -> SkyClip {
        SkyClip(line: line, samples: try samples(for: line))
    }
}
