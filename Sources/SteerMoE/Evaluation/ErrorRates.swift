import Foundation

/// Word and character error rates with ASR text normalisation.
public enum ErrorRates {
    /// English-style normalisation: lower case, punctuation removed (apostrophes inside words
    /// kept), whitespace collapsed. Numbers stay as written (transcripts spell them out).
    public static func normalize(_ text: String) -> String {
        var out = ""
        let chars = Array(text.lowercased())
        for (i, c) in chars.enumerated() {
            if c.isLetter || c.isNumber {
                out.append(c)
            } else if c == "'" || c == "’", i > 0, i + 1 < chars.count, chars[i - 1].isLetter, chars[i + 1].isLetter {
                out.append("'")
            } else {
                out.append(" ")
            }
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Tokens for CER: characters of the normalised text without spaces (so Chinese is scored per
    /// character and English per letter).
    public static func characters(_ text: String) -> [Character] { Array(normalize(text).filter { $0 != " " }) }
    public static func words(_ text: String) -> [Substring] { normalize(text).split(separator: " ") }

    /// Minimum substitutions + insertions + deletions turning `hyp` into `ref`.
    public static func editDistance<T: Equatable>(_ ref: [T], _ hyp: [T]) -> Int {
        if ref.isEmpty { return hyp.count }
        if hyp.isEmpty { return ref.count }
        var prev = Array(0...hyp.count)
        var cur = [Int](repeating: 0, count: hyp.count + 1)
        for i in 1...ref.count {
            cur[0] = i
            for j in 1...hyp.count {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[hyp.count]
    }

    public struct Score: Sendable, Codable {
        public var wordErrors = 0, words = 0, charErrors = 0, chars = 0
        public var wer: Double { words == 0 ? 0 : Double(wordErrors) / Double(words) }
        public var cer: Double { chars == 0 ? 0 : Double(charErrors) / Double(chars) }
        public mutating func add(reference: String, hypothesis: String) {
            let r = ErrorRates.words(reference), h = ErrorRates.words(hypothesis)
            wordErrors += editDistance(r, h)
            words += r.count
            let rc = characters(reference), hc = characters(hypothesis)
            charErrors += editDistance(rc, hc)
            chars += rc.count
        }
        public init() {}
    }

    /// Corpus-level scores (errors summed over utterances / reference tokens summed).
    public static func score(references: [String], hypotheses: [String]) -> Score {
        var s = Score()
        for (r, h) in zip(references, hypotheses) { s.add(reference: r, hypothesis: h) }
        return s
    }
}
