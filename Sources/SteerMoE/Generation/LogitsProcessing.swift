import Torch

enum LogitsProcessing {
    /// HF `RepetitionPenaltyLogitsProcessor`: every id present in a row's running `ids` (prompt,
    /// left padding included, and generated tokens) has its score divided by `penalty` when
    /// positive, multiplied when negative. `scores` (B, V) float32, `ids` (B, n) int64.
    static func repetitionPenalty(_ scores: Tensor, ids: Tensor, penalty: Double) throws -> Tensor {
        guard penalty != 1, ids.size(1) > 0 else { return scores }
        let vocab = scores.size(1)
        // Ids beyond the head's vocabulary land in one extra column that is dropped afterwards.
        let ids = try ids.minimum(Tensor.scalar(vocab, dtype: .int64))
        let padded = try scores.pad([0, 1])
        let picked = try padded.gather(dim: 1, index: ids)
        let penalised = try Tensor.where(picked.lt(0), picked * penalty, picked / penalty)
        return try padded.scatter(dim: 1, index: ids, source: penalised).slice(dim: 1, end: vocab)
    }

    /// Bool tensor: which entries of `tokens` are one of `eos`.
    static func isEOS(_ tokens: Tensor, eos: [Int]) throws -> Tensor {
        var hit = try tokens.eq(Int64(eos.first ?? -1))
        for id in eos.dropFirst() { hit = try hit.logicalOr(tokens.eq(Int64(id))) }
        return hit
    }
}
