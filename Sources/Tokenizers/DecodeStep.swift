/// SentencePiece-style decoding (Gemma: Sequence[Replace("▁" → " "), ByteFallback, Fuse];
/// Llama 2 adds Strip(" ", 1, 0)): each step rewrites the list of token strings, as HF's
/// `decode_chain`; the final list is concatenated.
enum DecodeStep: Sendable, Equatable {
    /// Literal replacement inside every token.
    case replace(String, with: String)
    /// Runs of `<0xXX>` tokens become the text of their bytes; invalid UTF-8 becomes one
    /// U+FFFD per byte, as HF does.
    case byteFallback
    /// All tokens joined into one.
    case fuse
    /// Up to `start` leading and `stop` trailing `content` scalars removed from every token.
    case strip(Unicode.Scalar, start: Int, stop: Int)

    func apply(_ tokens: [String]) -> [String] {
        switch self {
        case let .replace(pattern, content):
            return tokens.map { Normalizer.replaceLiteral(pattern, with: content, in: $0) }
        case .byteFallback:
            return Self.fuseByteTokens(tokens)
        case .fuse:
            return [tokens.joined()]
        case let .strip(content, start, stop):
            // On scalars, as HF on chars: a space followed by a combining mark is still a space.
            return tokens.map { token in
                var chars = Substring(token).unicodeScalars
                var cut = 0
                while cut < start, chars.first == content { chars.removeFirst(); cut += 1 }
                cut = 0
                while cut < stop, chars.last == content { chars.removeLast(); cut += 1 }
                return String(chars)
            }
        }
    }

    /// The byte of a `<0xXX>` token, nil for any other token.
    static func byteValue(_ token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == UInt8(ascii: "<"), utf8[1] == UInt8(ascii: "0"), utf8[2] == UInt8(ascii: "x"),
              utf8[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    private static func fuseByteTokens(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                out.append(text)
            } else {
                out.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = byteValue(token) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }
}

extension DecodeStep {
    /// One decoder of a tokenizer.json "decoder" Sequence (or the decoder itself).
    init(json: [String: Any], file: JSONFile, field: String) throws {
        let type = try file.string(json["type"], field + ".type")
        switch type {
        case "Replace":
            let pattern = try file.object(json["pattern"], field + ".pattern")
            guard let literal = pattern["String"] as? String else {
                throw file.unsupported("Replace decoder with a Regex pattern at \(field) (only String patterns)")
            }
            self = .replace(literal, with: try file.string(json["content"], field + ".content"))
        case "ByteFallback":
            self = .byteFallback
        case "Fuse":
            self = .fuse
        case "Strip":
            let content = try file.string(json["content"], field + ".content")
            guard content.unicodeScalars.count == 1, let character = content.unicodeScalars.first else {
                throw file.invalid(field + ".content", "a single character")
            }
            self = .strip(character, start: try file.int(json["start"], field + ".start"),
                          stop: try file.int(json["stop"], field + ".stop"))
        default:
            throw file.unsupported("decoder type '\(type)' at \(field) (supported: ByteLevel, or Replace, ByteFallback, Fuse, Strip in a Sequence)")
        }
    }
}
