/// The pre-tokenizers byte-level BPE families use. Each stage splits every piece the
/// previous stage produced, as HF's `Sequence` does. Pieces are byte ranges of a buffer.
indirect enum PreTokenizer: Sendable {
    case sequence([PreTokenizer])
    case split(SplitPattern, SplitBehavior, invert: Bool)
    /// With useRegex, splits with the GPT-2 pattern; addPrefixSpace prepends " " to pieces.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// Isolates numeric characters, one by one or as runs.
    case digits(individual: Bool)

    var containsByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case let .sequence(stages): return stages.contains { $0.containsByteLevel }
        case .split, .digits: return false
        }
    }

    func apply(_ buffer: inout [UInt8], _ pieces: inout [Range<Int>]) {
        switch self {
        case let .sequence(stages):
            for stage in stages { stage.apply(&buffer, &pieces) }
        case let .split(pattern, behavior, invert):
            pieces = buffer.withUnsafeBufferPointer { bytes in
                pieces.flatMap { piece in
                    behavior.pieces(of: piece, matches: pattern.matches(in: bytes, range: piece), invert: invert)
                }
            }
        case let .byteLevel(addPrefixSpace, useRegex):
            if addPrefixSpace { PreTokenizer.prependSpaces(&buffer, &pieces) }
            if useRegex {
                PreTokenizer.split(.known(.gpt2), .isolated, invert: false).apply(&buffer, &pieces)
            }
        case let .digits(individual):
            pieces = buffer.withUnsafeBufferPointer { bytes in
                pieces.flatMap { piece in
                    SplitBehavior.isolated.pieces(of: piece, matches: PreTokenizer.numberRanges(
                        in: bytes, piece, individual: individual), invert: false)
                }
            }
        }
    }

    /// HF ByteLevel(add_prefix_space): every piece not already starting with a space gets one.
    private static func prependSpaces(_ buffer: inout [UInt8], _ pieces: inout [Range<Int>]) {
        guard pieces.contains(where: { buffer[$0.lowerBound] != 0x20 }) else { return }
        var rebuilt: [UInt8] = []
        rebuilt.reserveCapacity(buffer.count + pieces.count)
        pieces = pieces.map { piece in
            let start = rebuilt.count
            if buffer[piece.lowerBound] != 0x20 { rebuilt.append(0x20) }
            rebuilt.append(contentsOf: buffer[piece])
            return start..<rebuilt.count
        }
        buffer = rebuilt
    }

    private static func numberRanges(in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                     individual: Bool) -> [Range<Int>] {
        let text = DecodedScalars(bytes, range)
        var ranges: [Range<Int>] = []
        var i = 0
        while i < text.count {
            guard text.classes[i] == .number else { i += 1; continue }
            var end = i + 1
            if !individual { while end < text.count && text.classes[end] == .number { end += 1 } }
            ranges.append(text.offsets[i]..<text.offsets[end])
            i = end
        }
        return ranges
    }
}

extension PreTokenizer {
    /// Parses a tokenizer.json "pre_tokenizer" object.
    init(json: [String: Any], file: JSONFile, field: String = "pre_tokenizer") throws {
        let type = try file.string(json["type"], field + ".type")
        switch type {
        case "Sequence":
            let stages = try file.array(json["pretokenizers"], field + ".pretokenizers")
            self = .sequence(try stages.enumerated().map { index, stage in
                let stageField = "\(field).pretokenizers[\(index)]"
                return try PreTokenizer(json: file.object(stage, stageField), file: file, field: stageField)
            })
        case "Split":
            let patternObject = try file.object(json["pattern"], field + ".pattern")
            let pattern: SplitPattern
            if let source = patternObject["Regex"] as? String {
                pattern = try SplitPattern(regexSource: source, path: file.path)
            } else if let literal = patternObject["String"] as? String {
                pattern = .literal(Array(literal.utf8))
            } else {
                throw file.invalid(field + ".pattern", "{\"Regex\": ...} or {\"String\": ...}")
            }
            let behaviorName = try file.string(json["behavior"], field + ".behavior")
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw file.invalid(field + ".behavior", "Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous")
            }
            self = .split(pattern, behavior, invert: try file.bool(json["invert"], field + ".invert", default: false))
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: try file.bool(json["add_prefix_space"], field + ".add_prefix_space", default: true),
                              useRegex: try file.bool(json["use_regex"], field + ".use_regex", default: true))
        case "Digits":
            self = .digits(individual: try file.bool(json["individual_digits"], field + ".individual_digits", default: false))
        default:
            throw file.unsupported("pre-tokenizer type '\(type)' at \(field) (supported: Sequence, Split, ByteLevel, Digits)")
        }
    }
}
