import Torch

/// HF `_sample` with `do_sample=False`: argmax of the processed logits each step; a row that has
/// emitted eos gets the fill token from then on (without running the model for it, unlike HF);
/// stops when every row has finished or after `maxNewTokens` steps.
///
/// `ids` (B, n) are the running ids the logits processors look at (the prompt; may be empty).
/// Returns the new tokens, (B, steps) as rows, finished rows filled like HF.
func greedySearch(model: DecoderLM, embeds: Tensor, mask: Tensor?, ids: Tensor, options: GenerationOptions) throws -> [[Int]] {
    let b = embeds.size(0)
    let eos = Set(options.eosTokenIds)
    let fill = options.fillTokenId ?? 0  // only used when eos is set, and then fill is non-nil
    var decoder = try IncrementalDecoder(model: model, embeds: embeds, mask: mask,
                                         capacity: embeds.size(1) + options.maxNewTokens)
    var running = try ids.to(model.device)
    var finished = [Bool](repeating: false, count: b)
    var rows = [[Int]](repeating: [], count: b)
    // The rows still generating, in the decoder's order; a finished row leaves the decoder, so
    // later steps run only the others.
    var active = Array(0..<b)
    for step in 0..<options.maxNewTokens {
        var scores = try LogitsProcessing.repetitionPenalty(decoder.logits, ids: running, penalty: options.repetitionPenalty)
        scores = try LogitsProcessing.noRepeatNGram(scores, ids: running, n: options.noRepeatNGramSize)
        let next = try scores.argmax(dim: -1).ints()
        for r in 0..<b where finished[r] { rows[r].append(fill) }
        for (p, r) in active.enumerated() {
            rows[r].append(next[p])
            if eos.contains(next[p]) { finished[r] = true }
        }
        if finished.allSatisfy({ $0 }) || step == options.maxNewTokens - 1 { break }
        let keep = active.indices.filter { !finished[active[$0]] }
        if keep.count < active.count {
            let index = try Tensor(keep.map(Int64.init)).to(model.device)
            try decoder.reorder(index)
            running = try running.indexSelect(dim: 0, index: index)
            active = keep.map { active[$0] }
        }
        let tokens = try Tensor(keep.map { next[$0] }, shape: [keep.count, 1]).to(model.device)
        // The running ids only matter to the logits processors (HF: the whole input_ids).
        if options.repetitionPenalty != 1 || options.noRepeatNGramSize > 0 { running = try Tensor.cat([running, tokens], dim: 1) }
        try decoder.step(tokens)
    }
    return rows
}
