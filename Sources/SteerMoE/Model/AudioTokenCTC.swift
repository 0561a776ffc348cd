import Torch

/// Auxiliary CTC loss that reads each audio embedding as a token of the LLM (our addition,
/// `ctc_weight`; upstream trains with the causal-LM loss alone).
///
/// Class scores are dot products with the LLM's own input-embedding table (as the LLM sees
/// them, Gemma's scaling included) plus one learned blank vector (`ctc_blank`); the targets are
/// the transcript's token ids. The LM loss reaches the projection only through a frozen LLM and
/// mostly teaches a "soft prompt" at these data sizes (measured: the trained default's loss with
/// another clip's audio was only 0.8 nats/token worse than with the right audio); this gives
/// every audio position a direct signal to look like the tokens being spoken, in order.
extension SteerMoEModel {
    /// Mean CTC loss (per target token, then over rows) of `audio` (B, A, H) against each row's
    /// transcript tokens (the labels that are not -100, without the final eos). Rows whose
    /// transcript cannot fit their audio length contribute zero.
    public func audioTokenCTCLoss(audio: Tensor, audioMask: Tensor?, labels: Tensor) throws -> Tensor {
        guard let blank = adapter.ctcBlank?.value else {
            throw TorchError("audioTokenCTCLoss: the adapter has no ctc_blank (ctc_weight is 0)")
        }
        let (b, a) = (audio.size(0), audio.size(1))
        let rows = try labels.to(dtype: .int64).toArray(Int64.self)
        let width = labels.size(1)
        var targets: [[Int64]] = []
        for r in 0..<b {
            // Targets are transcript + eos; CTC reads the transcript only. +1: class 0 is the blank.
            let row = rows[r * width..<(r + 1) * width].filter { $0 != Int64(TextCollator.ignoreIndex) }
            targets.append(row.dropLast().map { $0 + 1 })
        }
        let longest = max(targets.map(\.count).max() ?? 0, 1)
        let padded = targets.flatMap { $0 + [Int64](repeating: 0, count: longest - $0.count) }
        let inputLengths = try audioMask.map { try $0.to(dtype: .int64).sum(dim: 1) } ?? Tensor.full([b], a, dtype: .int64)

        let x = try audio.to(dtype: .float32)
        let tokenScores = try x.matmul(tokenTable().transpose(0, 1))                    // (B, A, V)
        let blankScores = try x.matmul(blank.to(dtype: .float32).unsqueeze(1))          // (B, A, 1)
        let logProbs = try Tensor.cat([blankScores, tokenScores], dim: 2).logSoftmax(dim: 2).transpose(0, 1)
        return try Functional.ctcLoss(logProbs, targets: Tensor(padded, shape: [b, longest]), inputLengths: inputLengths,
                                      targetLengths: Tensor(targets.map { Int64($0.count) }), blank: 0,
                                      reduction: .mean, zeroInfinity: true)
    }

    /// Every token's input embedding as the LLM sees it (Gemma's scaling included), float32 (V, H).
    func tokenTable() throws -> Tensor {
        if let ctcTokenTable { return ctcTokenTable }
        let table = try Autograd.noGrad {
            try llm.embed(Tensor.arange(llm.vocabSize, dtype: .int64).unsqueeze(0)).squeeze(0).to(dtype: .float32)
        }
        ctcTokenTable = table
        return table
    }
}
