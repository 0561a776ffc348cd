import Foundation

/// Text normalizers found in BPE tokenizer.json files (Qwen uses NFC; GPT-2 and Llama-3 have
/// none; SentencePiece-style files replace spaces with "▁" and may prepend one).
indirect enum Normalizer: Sendable {
    case nfc, nfd, nfkc, nfkd, lowercase
    case sequence([Normalizer])
    /// Every occurrence of a literal string, left to right (HF `Replace` with a String pattern).
    case replace(String, with: String)
    /// Prefix added to non-empty text (HF `Prepend`; Llama 2's dummy "▁" prefix).
    case prepend(String)

    func apply(_ text: String) -> String {
        switch self {
        case .nfc: return Normalizer.isKnownNFC(text) ? text : text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .lowercase: return text.lowercased()
        case let .sequence(steps): return steps.reduce(text) { $1.apply($0) }
        case let .replace(pattern, content): return Normalizer.replaceLiteral(pattern, with: content, in: text)
        case let .prepend(prefix): return text.isEmpty ? text : prefix + text
        }
    }

    /// True when every scalar is in a range that is NFC-stable on its own (NFC_Quick_Check
    /// Yes, combining class 0), so the text is already NFC; skips the costly Foundation
    /// call for ordinary English / CJK / emoji text. Anything else is normalised for real.
    static func isKnownNFC(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x300, 0x400...0x482, 0x48A...0x52F, 0x2010...0x2027, 0x2030...0x205E,
                 0x3000...0x3029, 0x3030...0x3098, 0x30A0...0x30FF, 0x3400...0x4DBF,
                 0x4E00...0x9FFF, 0xFF01...0xFFEF, 0x1F300...0x1FAFF:
                continue
            default:
                return false
            }
        }
        return true
    }
}

extension Normalizer {
    /// Literal (byte-wise, not Unicode-equivalence) replacement, non-overlapping from the left.
    static func replaceLiteral(_ pattern: String, with content: String, in text: String) -> String {
        let needle = Array(pattern.utf8), bytes = Array(text.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        var i = 0
        while i < bytes.count {
            if bytes[i] == needle[0], i + needle.count <= bytes.count, bytes[i..<(i + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: content.utf8)
                i += needle.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses a tokenizer.json "normalizer" object; nil for JSON null.
    static func parse(_ value: Any?, file: JSONFile, field: String = "normalizer") throws -> Normalizer? {
        if JSONFile.isNull(value) { return nil }
        let json = try file.object(value, field)
        let type = try file.string(json["type"], field + ".type")
        switch type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Replace":
            let pattern = try file.object(json["pattern"], field + ".pattern")
            guard let literal = pattern["String"] as? String else {
                throw file.unsupported("Replace normalizer with a Regex pattern at \(field) (only String patterns)")
            }
            return .replace(literal, with: try file.string(json["content"], field + ".content"))
        case "Prepend":
            return .prepend(try file.string(json["prepend"], field + ".prepend"))
        case "Sequence":
            let steps = try file.array(json["normalizers"], field + ".normalizers")
            return .sequence(try steps.enumerated().compactMap { index, step in
                try parse(step, file: file, field: "\(field).normalizers[\(index)]")
            })
        default:
            throw file.unsupported("normalizer type '\(type)' at \(field) (supported: NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Sequence)")
        }
    }
}
