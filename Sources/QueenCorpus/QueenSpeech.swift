/// A subtitled speech clip of the game.
public struct QueenLine: Equatable, Sendable {
    /// The speech file in the archive, e.g. `020006J1.SB`.
    public let clip: String
    /// The subtitle segment as the game shows it (case, punctuation and spelling kept;
    /// engine commands and display glyphs removed).
    public let textRaw: String
    /// `joe`, the dialogue partner (the .DOG name without digits, e.g. `sparky`), or
    /// `cutaway` (cutscene lines; their speaker is not read).
    public let speaker: String
    /// Where the text comes from, e.g. `SPARKY1.DOG person 5`, `C11A.CUT sentence 3`.
    public let origin: String
}

/// A line left out of the corpus, with why.
public struct QueenExcludedLine: Equatable, Sendable {
    public let line: QueenLine
    public let reason: String
}

/// Pairs the speech files of Flight of the Amazon Queen (CD talkie) with their subtitles.
///
/// The engine names a spoken line's file from where its text lives, then splits the text at
/// `*` commands into segments, one speech file each (the last character of the name is the
/// segment's 1-based number in upper-case hex):
/// - Joe's responses n (1...40) and object descriptions d: `JOE%04d` of n, or of d + 40;
/// - dialogue records with id h in a .DOG with talk key k: `%2d%4x` of (k, h), then `J` (Joe)
///   or `P` (the other character); greetings `%2dSSSSJ` (first visit), `%2dXXXXJ`/`P` (later);
/// - cutaway sentence i (1-based object index): the .CUT name padded with `_` to 5 characters,
///   then `%02d` of i. The engine pads with spaces and turns them into `0`; the names here are
///   zero-padded directly.
/// Clips no text names (sound effects, a few unused takes) are not listed.
public struct QueenSpeech: Sendable {
    /// The rate the engine plays the speech at. The MP3 headers of this build say 11,025 Hz,
    /// which the engine treats as a mislabel of 11,840 Hz (pitch and tempo are right there).
    public static let playbackRate = 11_840
    public static let mislabelledRate = 11_025
    /// Joe's responses that are menu and disk prompts ("Sound FX on/off", "Please insert disk"),
    /// recorded as fragments that do not match their text.
    public static let menuResponses: Set<Int> = Set([22, 23] + Array(30...40))

    public let archive: QueenArchive

    public init(archive: QueenArchive) throws {
        guard archive.compression == 1 else {
            throw QueenCorpusError.unsupportedCompression(archive: archive.path, code: archive.compression)
        }
        self.archive = archive
    }

    /// Every paired clip (in the order below), and the paired clips left out for training.
    public func pairing() throws -> (lines: [QueenLine], excluded: [QueenExcludedLine]) {
        var candidates = CandidateList()
        let tables = try QueenTextTables(jas: try archive.bytes("QUEEN.JAS"), jasText: try archive.bytes("QUEEN2.JAS"))
        for (index, text) in tables.joeResponses.enumerated() {
            let number = index + 1
            candidates.speak(text, prefix: "JOE" + Self.decimal(number, width: 4), speaker: "joe",
                             origin: "QUEEN2.JAS response \(number)",
                             exclusion: Self.menuResponses.contains(number) ? "menu or disk prompt" : nil)
        }
        for (index, text) in tables.descriptions.enumerated() where !Self.namesAResource(text) {
            candidates.speak(text, prefix: "JOE" + Self.decimal(index + 41, width: 4), speaker: "joe",
                             origin: "QUEEN2.JAS description \(index + 1)")
        }
        for name in archive.names where name.hasSuffix(".DOG") {
            let dialogue = try QueenDialogue(name: name, resource: try archive.bytes(name))
            let key = Self.decimal(dialogue.talkKey, width: 2)
            let partner = String(name.dropLast(4).reversed().drop { $0.isNumber }.reversed()).lowercased()
            for (records, letter, speaker) in [(dialogue.joe, "J", "joe"), (dialogue.person, "P", partner)] {
                var seen = Set<Int>()
                // Id 0 is the greeting slot; of duplicate ids the engine plays the first.
                for record in records where record.id != 0 && seen.insert(record.id).inserted {
                    candidates.speak(record.text, prefix: key + Self.hex(record.id, width: 4) + letter, speaker: speaker,
                                     origin: "\(name) \(letter == "J" ? "joe" : "person") \(record.id)")
                }
            }
            // A greeting starting with "0" means none.
            for (text, suffix, speaker, what) in [(dialogue.joeGreeting, "SSSSJ", "joe", "greeting"),
                                                  (dialogue.joeRepeatGreeting, "XXXXJ", "joe", "repeat greeting"),
                                                  (dialogue.personRepeatGreeting, "XXXXP", partner, "repeat greeting")]
            where !text.isEmpty && !text.hasPrefix("0") {
                candidates.speak(text, prefix: key + suffix, speaker: speaker, origin: "\(name) \(what)")
            }
        }
        for name in archive.names where name.hasSuffix(".CUT") {
            let cutaway = try QueenCutaway(name: name, resource: try archive.bytes(name))
            let base = String(name.dropLast(4))
            let padded = base.count < 5 ? base + String(repeating: "_", count: 5 - base.count) : base
            // "*" alone is an empty sentence; "#..." are credits, shown and never spoken.
            for (index, sentence) in cutaway.sentences.enumerated() where sentence != "*" && !sentence.hasPrefix("#") {
                candidates.speak(sentence, prefix: padded + String(Self.decimal(index + 1, width: 2).prefix(2)),
                                 speaker: "cutaway", origin: "\(name) sentence \(index + 1)")
            }
        }
        var lines: [QueenLine] = []
        var excluded: [QueenExcludedLine] = []
        for candidate in candidates.ordered where archive.contains(candidate.line.clip) {
            if let reason = candidate.exclusion ?? Self.exclusion(for: candidate.line.textRaw) {
                excluded.append(QueenExcludedLine(line: candidate.line, reason: reason))
            } else {
                lines.append(candidate.line)
            }
        }
        return (lines, excluded)
    }

    /// The MP3 stream of a clip (its samples are at `playbackRate`, whatever the header says).
    public func speechBytes(for line: QueenLine) throws -> [UInt8] { try archive.bytes(line.clip) }

    /// The engine's segments of a sentence: text before each `*` command (2 characters; `XY`
    /// takes 11 more for its coordinates), numbered from 1. Grab commands (`GD`, `GM`) drop their
    /// segment, and empty segments keep their number (so clip numbers have gaps).
    public static func segments(_ sentence: String) -> [(number: Int, text: String)] {
        let characters = Array(sentence)
        var result: [(Int, String)] = []
        var number = 1
        var start = 0
        var index = 0
        while index < characters.count {
            guard characters[index] == "*" else { index += 1; continue }
            let text = String(characters[start..<index])
            let command = String(characters[min(index + 1, characters.count)..<min(index + 3, characters.count)])
            index += 3 + (command == "XY" ? 11 : 0)
            if command != "GD" && command != "GM" { result.append((number, text)) }
            number += 1
            start = index
        }
        if start < characters.count { result.append((number, String(characters[start...]))) }
        return result
    }

    /// Display glyphs removed (`^_` is a trademark sign, `@@` marks dreamy lines) and
    /// whitespace collapsed.
    public static func clean(_ text: String) -> String {
        text.replacingOccurrences(of: "^_", with: "").replacingOccurrences(of: "@@", with: "")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Why a cleaned subtitle is not a transcript, or nil: sound tags (`<koff>`, `(sigh)`) and
    /// cartoon cursing (`&#($!!`) are not words a recogniser should write.
    public static func exclusion(for text: String) -> String? {
        if text.isEmpty { return "empty" }
        if text.contains(where: { "<>()[]{}&#$|\\~^@*_".contains($0) }) { return "sound tag or symbols" }
        return nil
    }

    static func namesAResource(_ description: String) -> Bool {
        let upper = description.trimmingCharacters(in: .whitespaces).uppercased()
        return upper.hasSuffix(".CUT") || upper.hasSuffix(".DOG")
    }

    static func decimal(_ value: Int, width: Int) -> String { zeroPadded(String(value), width: width) }

    static func hex(_ value: Int, width: Int) -> String {
        zeroPadded(String(UInt16(truncatingIfNeeded: value), radix: 16, uppercase: true), width: width)
    }

    private static func zeroPadded(_ digits: String, width: Int) -> String {
        String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Clip names in the order their texts are met; the first text for a name wins.
private struct CandidateList {
    struct Candidate { let line: QueenLine; let exclusion: String? }
    private(set) var ordered: [Candidate] = []
    private var taken = Set<String>()

    mutating func speak(_ sentence: String, prefix: String, speaker: String, origin: String, exclusion: String? = nil) {
        for (number, text) in QueenSpeech.segments(sentence) where number < 16 {
            let cleaned = QueenSpeech.clean(text)
            guard !cleaned.isEmpty else { continue }
            let clip = prefix + String(number, radix: 16, uppercase: true) + ".SB"
            guard taken.insert(clip).inserted else { continue }
            let segmentOrigin = origin + " segment \(number)"
            ordered.append(Candidate(line: QueenLine(clip: clip, textRaw: cleaned, speaker: speaker, origin: segmentOrigin),
                                     exclusion: exclusion))
        }
    }
}
