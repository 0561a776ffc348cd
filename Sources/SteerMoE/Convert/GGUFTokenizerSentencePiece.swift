import Foundation

/// SentencePiece-style BPE (`tokenizer.ggml.model` llama) for Gemma 3, as transformers'
/// `gemma_tokenizer` builds it from a GGUF: byte fallback, "▁" for spaces, and merges rebuilt
/// from the vocabulary (the file has none). Our Swift `Tokenizer` does not load byte-fallback
/// BPE; the file is for transformers and for a future Swift SentencePiece model.
extension GGUFTokenizer {
    /// A token of only whitespace containing a space is stored with real spaces; GemmaTokenizer
    /// looks it up as "▁" × length.
    static func gemmaSpelling(_ t: String) -> String {
        let hasSpace = t.unicodeScalars.contains(" ")  // code points, as Python: not graphemes
        let blank = t.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
        return hasSpace && blank ? String(repeating: "\u{2581}", count: t.unicodeScalars.count) : t
    }

    /// transformers' `generate_merges(vocab, scores)` with score = −(position in the file): every
    /// split of every token into two vocabulary pieces, best (earliest) token first, longer
    /// left piece first among splits of one token.
    static func gemmaMerges(_ vocab: [(String, Int)]) -> [(String, String)] {
        let ids = Set(vocab.map { CodePointString($0.0) })
        var merges: [(left: String, right: String, rank: Int, leftLength: Int)] = []
        for (token, index) in vocab {
            let scalars = Array(token.unicodeScalars)
            guard scalars.count > 1 else { continue }
            for cut in 1..<scalars.count {
                let left = String(String.UnicodeScalarView(scalars[..<cut]))
                let right = String(String.UnicodeScalarView(scalars[cut...]))
                if ids.contains(CodePointString(left)) && ids.contains(CodePointString(right)) { merges.append((left, right, index, cut)) }
            }
        }
        // Python sorts by (score, len(left), len(right)) descending: rank ascending, then left longest.
        merges.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.leftLength > $1.leftLength }
        return merges.map { ($0.left, $0.right) }
    }

    func gemmaJSON() -> GGUFJSON {
        let vocab = Self.vocabulary(tokens.map(Self.gemmaSpelling))
        var added: [GGUFJSON] = []
        let ids = Set(vocab.map { CodePointString($0.0) })
        for (i, t) in tokens.enumerated() where i < types.count {
            if types[i] == TokenType.control { added.append(Self.addedToken(i, t, special: true)) }
            if types[i] == TokenType.userDefined && ids.contains(CodePointString(t)) { added.append(Self.addedToken(i, t, special: false)) }
        }
        let replace = { (from: String, to: String) -> GGUFJSON in
            .object([("type", .string("Replace")), ("pattern", .object([("String", .string(from))])), ("content", .string(to))])
        }
        return .object([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null),
            ("added_tokens", .array(added)),
            ("normalizer", replace(" ", "\u{2581}")),
            ("pre_tokenizer", .object([("type", .string("Split")), ("pattern", .object([("String", .string(" "))])),
                                       ("behavior", .string("MergedWithPrevious")), ("invert", .bool(false))])),
            ("post_processor", postProcessor()),
            ("decoder", .object([("type", .string("Sequence")), ("decoders", .array([
                replace("\u{2581}", " "), .object([("type", .string("ByteFallback"))]), .object([("type", .string("Fuse"))])]))])),
            ("model", Self.bpeModel(vocab: vocab, merges: Self.gemmaMerges(vocab), unk: token("unknown_token_id"),
                                    byteFallback: true, ignoreMerges: false)),
        ])
    }
}
