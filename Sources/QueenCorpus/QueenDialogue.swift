/// The spoken strings of one dialogue file (.DOG).
///
/// After the bank header: s16 levelMax (its absolute value), s16 uniqueKey, s16 talkKey,
/// s16 jMax, s16 pMax, state tests, then u16 offsets of the person records (22) and of the
/// repeat-visit greetings (26). The dialogue tree (levelMax * 6 nodes of 16 bytes) starts at 32
/// and Joe's records follow it. A record is u16 skip, s16 id, string (aligned to 4).
struct QueenDialogue {
    struct Record { let id: Int; let text: String }

    /// Names the speech files of this dialogue: `%2d` of it, spaces as zeros.
    let talkKey: Int
    let joe: [Record]
    let person: [Record]
    /// Joe's first-meeting greeting (the first Joe record, when its id is 0).
    let joeGreeting: String
    /// The greetings of later visits.
    let personRepeatGreeting: String
    let joeRepeatGreeting: String

    init(name: String, resource: [UInt8]) throws {
        let reader = try ResourceReader(name: name, bankResource: resource)
        let levelMax = abs(try reader.s16(0))
        talkKey = try reader.s16(4)
        let joeCount = try reader.s16(6)
        let personCount = try reader.s16(8)
        let personOffset = try reader.u16(22)
        let greetingOffset = try reader.u16(26)
        let joeOffset = 32 + levelMax * 96

        func records(from start: Int, count: Int) throws -> [Record] {
            var offset = start
            var result: [Record] = []
            for _ in 0..<max(0, count) {
                let id = try reader.s16(offset + 2)
                let (text, next) = try reader.string(offset + 4, align: 4)
                result.append(Record(id: id, text: text))
                offset = next
            }
            return result
        }
        joe = try records(from: joeOffset, count: joeCount)
        person = try records(from: personOffset, count: personCount)
        let greetingSlotIsZero = joeCount > 0 ? try reader.u16(joeOffset + 2) == 0 : false
        joeGreeting = greetingSlotIsZero ? try reader.string(joeOffset + 4, align: 2).text : ""
        let (personRepeat, next) = try reader.string(greetingOffset, align: 2)
        personRepeatGreeting = personRepeat
        joeRepeatGreeting = try reader.string(next, align: 2).text
    }
}

/// The sentences of one cutaway (.CUT), one per object in object order.
///
/// After the bank header: u16 comPanel, s16 objectCount (absolute value), s16 flags, u16 the
/// game-state offset, u16 the sentences' offset. There, one entry string (a facing command,
/// not spoken) precedes exactly one string per object (aligned to 2). The object records
/// themselves (which say who speaks) are not needed to pair speech with text.
struct QueenCutaway {
    let sentences: [String]

    init(name: String, resource: [UInt8]) throws {
        let reader = try ResourceReader(name: name, bankResource: resource)
        let objectCount = abs(try reader.s16(2))
        var offset = try reader.string(try reader.u16(8), align: 2).next
        var sentences: [String] = []
        for _ in 0..<objectCount {
            let (text, next) = try reader.string(offset, align: 2)
            sentences.append(text)
            offset = next
        }
        self.sentences = sentences
    }
}

/// The text tables: QUEEN.JAS gives the counts, QUEEN2.JAS (plain text, no bank header) the
/// lines in order: object descriptions, object names, room names, 12 verbs, 40 Joe responses.
struct QueenTextTables {
    static let verbCount = 12
    static let joeResponseCount = 40
    let descriptions: [String]
    let joeResponses: [String]

    init(jas: [UInt8], jasText: [UInt8]) throws {
        let reader = try ResourceReader(name: "QUEEN.JAS", bankResource: jas)
        let rooms = try reader.u16(0), names = try reader.u16(2), descriptions = try reader.u16(6)
        let lines = Self.lines(jasText)
        let joeStart = descriptions + names + rooms + Self.verbCount
        guard lines.count >= joeStart + Self.joeResponseCount else {
            throw QueenCorpusError.truncated(resource: "QUEEN2.JAS", offset: lines.count,
                                             need: joeStart + Self.joeResponseCount, size: lines.count)
        }
        self.descriptions = Array(lines[0..<descriptions])
        joeResponses = Array(lines[joeStart..<joeStart + Self.joeResponseCount])
    }

    /// Splits on CR LF, CR or LF.
    static func lines(_ bytes: [UInt8]) -> [String] {
        var lines: [String] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 13 || byte == 10 {
                lines.append(QueenText.decode(current))
                current = []
                if byte == 13, index + 1 < bytes.count, bytes[index + 1] == 10 { index += 1 }
            } else {
                current.append(byte)
            }
            index += 1
        }
        if !current.isEmpty { lines.append(QueenText.decode(current)) }
        return lines
    }
}
