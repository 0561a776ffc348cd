import Torch

/// Generates from a prefix given as embeddings (SteerMoE: audio embeddings + text-prompt
/// embeddings, left padded), as HF `generate(inputs_embeds=...)` does.
///
/// - `prefixEmbeds` (B, T, H), `prefixMask` (B, T) int64/bool with 1 = real.
/// - `prefixIds` (B, n): ids the repetition penalty should count besides the generated tokens
///   (HF counts none with `inputs_embeds`); nil = none.
/// - `ctcScorers`: each row's audio-token CTC, required when `options.ctcWeight` > 0 (joint decoding).
/// - Returns each row's new tokens up to, not including, the first eos (no padding).
public func generate(model: DecoderLM, prefixEmbeds: Tensor, prefixMask: Tensor, prefixIds: Tensor? = nil,
                     ctcScorers: [CTCPrefixScorer]? = nil, options: GenerationOptions) throws -> [[Int]] {
    try options.validate()
    let b = prefixEmbeds.size(0)
    guard prefixMask.shape == [b, prefixEmbeds.size(1)] else {
        throw TorchError("generate: prefixMask must be (B, T) = \([b, prefixEmbeds.size(1)]), got \(prefixMask.shape)")
    }
    let ids = try prefixIds ?? Tensor.zeros([b, 0], dtype: .int64, device: .cpu)  // the searches read ids on the CPU
    let eos = Set(options.eosTokenIds)
    // An entry point: tensors made without a device go where the model is (the searches keep their
    // bookkeeping on the CPU), whatever the caller's default device.
    let rows: [[Int]] = try Device.with(model.device) { try Autograd.noGrad {
        if options.ctcWeight > 0 {
            guard let ctcScorers else { throw TorchError("generate: ctcWeight \(options.ctcWeight) needs the rows' CTC scorers") }
            return try jointCTCSearch(model: model, embeds: prefixEmbeds, mask: prefixMask, ids: ids, scorers: ctcScorers,
                                      options: options)
        }
        if options.numBeams == 1 {
            return try greedySearch(model: model, embeds: prefixEmbeds, mask: prefixMask, ids: ids, options: options)
        }
        let result = try beamSearch(model: model, embeds: prefixEmbeds, mask: prefixMask, ids: ids, options: options)
        let new = try result.sequences.slice(dim: 1, start: ids.size(1)).ints()
        let width = result.sequences.size(1) - ids.size(1)
        return (0..<b).map { r in Array(new[r * width ..< r * width + result.generatedLengths[r]]) }
    } }
    return rows.map { row in Array(row.prefix { !eos.contains($0) }) }
}

/// HF `generate(input_ids, attention_mask)`: returns (B, T + generated) int64, the prompt
/// followed by the new tokens, rows that finished early filled with the pad id, exactly shaped
/// as HF's output (greedy: as many columns as steps run; beam search: the longest best beam).
public func generate(model: DecoderLM, inputIds: Tensor, attentionMask: Tensor?, options: GenerationOptions) throws -> Tensor {
    try options.validate()
    return try Device.with(model.device) { try Autograd.noGrad {
        let embeds = try model.embed(inputIds)
        if options.numBeams == 1 {
            let rows = try greedySearch(model: model, embeds: embeds, mask: attentionMask, ids: inputIds, options: options)
            return try Tensor.cat([inputIds, Tensor(rows: rows).to(inputIds.device)], dim: 1)
        }
        return try beamSearch(model: model, embeds: embeds, mask: attentionMask, ids: inputIds, options: options)
            .sequences.to(inputIds.device)
    } }
}

/// Beam search with HF's `sequences_scores` (the best hypothesis' length-normalised log-prob).
public func beamSearchWithScores(model: DecoderLM, inputIds: Tensor, attentionMask: Tensor?,
                                 options: GenerationOptions) throws -> (sequences: Tensor, scores: [Float]) {
    try options.validate()
    return try Device.with(model.device) { try Autograd.noGrad {
        let r = try beamSearch(model: model, embeds: model.embed(inputIds), mask: attentionMask, ids: inputIds, options: options)
        return (r.sequences, r.scores)
    } }
}
