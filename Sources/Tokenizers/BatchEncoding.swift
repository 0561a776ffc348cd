/// Which end of a short sequence receives the padding.
public enum PaddingSide: Sendable {
    /// Pad after the tokens (training).
    case right
    /// Pad before the tokens (batched generation, so every row ends at its last real token).
    case left
}

extension Tokenizer {
    /// Encodes `texts` and pads them to the longest one. With `maxLength`, each sequence is
    /// first cut to that many ids (keeping the start, and room for the special tokens that
    /// `addSpecialTokens` adds, as HF truncation does). Throws when padding is needed but
    /// there is no pad token (see `setPadToken(_:)`).
    public func batchEncode(_ texts: [String], addSpecialTokens: Bool = true, paddingSide: PaddingSide = .right,
                            maxLength: Int? = nil) throws -> (ids: [[Int]], attentionMask: [[Int]]) {
        let specialCount = addSpecialTokens ? (postProcessor?.addedCount ?? 0) : 0
        let sequences = texts.map { text -> [Int] in
            var ids = encodeWithoutPostProcessing(text)
            if let maxLength { ids = Array(ids.prefix(max(0, maxLength - specialCount))) }
            if addSpecialTokens, let postProcessor { ids = postProcessor.apply(ids) }
            if let maxLength { ids = Array(ids.prefix(maxLength)) }
            return ids
        }
        let longest = sequences.map(\.count).max() ?? 0
        let needsPadding = sequences.contains { $0.count < longest }
        guard !needsPadding || padTokenId != nil else { throw TokenizerError.missingPadToken }
        var ids: [[Int]] = [], masks: [[Int]] = []
        for sequence in sequences {
            let padding = longest - sequence.count
            let pads = [Int](repeating: padTokenId ?? 0, count: padding)
            let real = [Int](repeating: 1, count: sequence.count), zeros = [Int](repeating: 0, count: padding)
            switch paddingSide {
            case .right:
                ids.append(sequence + pads)
                masks.append(real + zeros)
            case .left:
                ids.append(pads + sequence)
                masks.append(zeros + real)
            }
        }
        return (ids, masks)
    }
}
