import Torch

enum LogitsProcessing {
    /// HF `RepetitionPenaltyLogitsProcessor`: every id present in a row's running `ids` (prompt,
    /// left padding included, and generated tokens) has its score divided by `penalty` when
    /// positive, multiplied when negative. `scores` (B, V) float32, `ids` (B, n) int64.
    static func repetitionPenalty(_ scores: Tensor, ids: Tensor, penalty: Double) throws -> Tensor {
        guard penalty != 1, ids.size(1) > 0 else { return scores }
        let vocab = scores.size(1)
        // Ids beyond the head's vocabulary land in one extra column that is dropped afterwards.
        let ids = try ids.minimum(Tensor.scalar(vocab, dtype: .int64, device: ids.device))
        let padded = try scores.pad([0, 1])
        let picked = try padded.gather(dim: 1, index: ids)
        let penalised = try Tensor.where(picked.lt(0), picked * penalty, picked / penalty)
        return try padded.scatter(dim: 1, index: ids, source: penalised).slice(dim: 1, end: vocab)
    }

    /// HF `NoRepeatNGramLogitsProcessor`: in each row, a token that would complete an n-gram
    /// already present in that row's running `ids` (as for the repetition penalty) gets score
    /// -inf. `scores` (B, V), `ids` (B, n) int64.
    static func noRepeatNGram(_ scores: Tensor, ids: Tensor, n: Int) throws -> Tensor {
        guard n > 0, ids.size(1) >= n else { return scores }
        let vocab = scores.size(1)
        let sequences = try ids.ints().chunked(ids.size(1))
        var banned = [Bool](repeating: false, count: sequences.count * vocab)
        var any = false
        for (r, seq) in sequences.enumerated() where seq.count >= n {
            let prefix = seq[(seq.count - n + 1)...]
            for i in 0...(seq.count - n) where seq[i..<(i + n - 1)].elementsEqual(prefix) {
                let token = seq[i + n - 1]
                if token >= 0 && token < vocab { banned[r * vocab + token] = true; any = true }
            }
        }
        guard any else { return scores }
        let mask = try Tensor(banned, shape: [sequences.count, vocab]).to(scores.device)
        return try scores.maskedFill(mask, -Double.infinity)
    }

    /// Bool tensor: which entries of `tokens` are one of `eos`.
    static func isEOS(_ tokens: Tensor, eos: [Int]) throws -> Tensor {
        var hit = try tokens.eq(Int64(eos.first ?? -1))
        for id in eos.dropFirst() { hit = try hit.logicalOr(tokens.eq(Int64(id))) }
        return hit
    }
}

extension Array {
    /// Consecutive slices of `width` elements (the rows of a flattened matrix); `[]` for width 0.
    func chunked(_ width: Int) -> [[Element]] {
        guard width > 0 else { return [] }
        return stride(from: 0, to: count, by: width).map { Array(self[$0..<Swift.min($0 + width, count)]) }
    }
}
