import Torch

/// Auxiliary CTC loss that reads each audio embedding as a token of the LLM (our addition,
/// `ctc_weight`; upstream trains with the causal-LM loss alone).
///
/// Class scores are dot products with the LLM's own embedding matrix as stored (the LM head's
/// matrix in tied models) plus one learned blank vector (`ctc_blank`); the targets are the
/// transcript's token ids. Gemma's √H input multiplier is left out of the scores: with it the
/// softmax was ~25× sharper than for the other families (measured: a first-step CTC loss of 174
/// per token with Gemma 3 270M; the audio embeddings themselves still get the multiplied scale from
/// `calibrate_projection`). `ctc_classes: transcripts` restricts the classes to the tokens of the
/// training transcripts (a few thousand instead of the whole vocabulary).
///
/// Why: the LM loss reaches the projection only through a frozen LLM and mostly teaches a
/// "soft prompt" at these data sizes (measured: the trained default's loss with another clip's
/// audio was only 0.8 nats/token worse than with the right audio); this gives every audio
/// position a direct signal to look like the tokens being spoken, in order.
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
        let classes = try ctcClassSet()
        for r in 0..<b {
            // Targets are transcript + eos; CTC reads the transcript only.
            let row = rows[r * width..<(r + 1) * width].filter { $0 != Int64(TextCollator.ignoreIndex) }
            targets.append(try row.dropLast().map { id in
                guard let column = classes.column(of: id) else {
                    throw TorchError("audio-token CTC: token \(id) of batch row \(r) is not among the \(classes.count) CTC classes "
                                     + "(ctc_classes: transcripts holds the tokens of the training transcripts only)")
                }
                return column
            })
        }
        let longest = max(targets.map(\.count).max() ?? 0, 1)
        let padded = targets.flatMap { $0 + [Int64](repeating: 0, count: longest - $0.count) }
        let inputLengths = try audioMask.map { try $0.to(dtype: .int64).sum(dim: 1) } ?? Tensor.full([b], a, dtype: .int64)

        let logProbs = try classes.logProbs(audio, blank: blank).transpose(0, 1)
        return try Functional.ctcLoss(logProbs, targets: Tensor(padded, shape: [b, longest]), inputLengths: inputLengths,
                                      targetLengths: Tensor(targets.map { Int64($0.count) }), blank: 0,
                                      reduction: .mean, zeroInfinity: true)
    }

    /// Each row's CTC log-probs over the classes for joint decoding: `audio` (B, A, H) as the
    /// adapter gives it (no sequence prefix), rows cut to their `audioMask` length.
    public func ctcPrefixScorers(audio: Tensor, audioMask: Tensor?) throws -> [CTCPrefixScorer] {
        guard let blank = adapter.ctcBlank?.value else {
            throw TorchError("joint CTC decoding needs an adapter trained with ctc_weight > 0 (this one has no ctc_blank)")
        }
        if options.ctcClasses == .transcripts && ctcClassIds == nil {
            throw TorchError("joint CTC decoding: this adapter's CTC classes are its training transcripts' tokens, which neither "
                             + "its checkpoint (ctc_class_ids in steermoe.json) nor its training data (parquet_dirs) provide; "
                             + "decode it without a CTC weight")
        }
        let classes = try ctcClassSet()
        let lengths = try audioMask.map { try $0.to(dtype: .int64).sum(dim: 1).ints() }
            ?? [Int](repeating: audio.size(1), count: audio.size(0))
        // One row at a time: (positions × classes) for a whole batch of 30 s clips would be large.
        return try lengths.enumerated().map { r, length in
            let x = try audio.select(dim: 0, index: r).slice(dim: 0, start: 0, end: length)
            return try CTCPrefixScorer(logProbs: classes.logProbs(x, blank: blank)) { id in classes.column(of: Int64(id)).map(Int.init) }
        }
    }

    /// Restricts the CTC classes to `tokenIds` (e.g. the tokens of the training transcripts).
    public func restrictCTCClasses(to tokenIds: [Int]) throws {
        let ids = Array(Set(tokenIds)).sorted()
        if let bad = ids.first(where: { $0 < 0 || $0 >= llm.vocabSize }) {
            throw TorchError("restrictCTCClasses: token id \(bad) is outside the vocabulary (0..<\(llm.vocabSize))")
        }
        ctcClasses = try Device.with(device) { try AudioTokenClasses(matrix: llm.embeddingMatrix, ids: ids) }
    }

    /// The token ids of restricted CTC classes (saved with checkpoints); nil = the whole vocabulary.
    public var ctcClassIds: [Int]? { ctcClasses?.ids }

    /// The CTC classes in use: the whole vocabulary unless restricted.
    func ctcClassSet() throws -> AudioTokenClasses {
        if let ctcClasses { return ctcClasses }
        let all = try Device.with(device) { try AudioTokenClasses(matrix: llm.embeddingMatrix, ids: nil) }
        ctcClasses = all
        return all
    }
}

/// The token classes of the audio-token CTC: their embedding rows and how token ids map to rows.
struct AudioTokenClasses {
    /// (C, H) float32, frozen.
    let table: Tensor
    /// Token id → row of `table`; nil when the classes are the whole vocabulary (row = id).
    let rowOfToken: [Int64: Int64]?
    /// The token ids of the rows, ascending; nil = the whole vocabulary.
    let ids: [Int]?
    var count: Int { table.size(0) }

    /// `ids` nil: every row of `matrix`.
    init(matrix: Tensor, ids: [Int]?) throws {
        table = try Autograd.noGrad {
            let rows = try ids.map { try matrix.indexSelect(dim: 0, index: Tensor($0.map(Int64.init))) } ?? matrix
            return try rows.to(dtype: .float32).contiguous()
        }
        rowOfToken = ids.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { (Int64($1), Int64($0)) }) }
        self.ids = ids
    }

    /// Log-probs over [blank, classes] of each audio embedding (…, H) → (…, 1 + C), float32: scores
    /// are dot products with the blank vector and the class rows. The CTC loss and joint decoding
    /// both read the audio through this.
    func logProbs(_ audio: Tensor, blank: Tensor) throws -> Tensor {
        let x = try audio.to(dtype: .float32)
        let blankScores = try x.matmul(blank.to(dtype: .float32).unsqueeze(1))
        return try Tensor.cat([blankScores, x.matmul(table.transpose(0, 1))], dim: -1).logSoftmax(dim: -1)
    }

    /// Column of token `id` in `logProbs` (its class + 1; column 0 is the blank), nil if not a class.
    func column(of id: Int64) -> Int64? { classOf(id).map { $0 + 1 } }

    func classOf(_ id: Int64) -> Int64? {
        guard let rowOfToken else { return id >= 0 && id < Int64(count) ? id : nil }
        return rowOfToken[id]
    }
}
