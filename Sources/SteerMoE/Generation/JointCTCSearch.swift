import Foundation
import Torch

/// Joint CTC/LLM decoding (Watanabe et al. 2017, as ESPnet's beam search with a CTC prefix
/// scorer): a hypothesis y scores (1 − λ)·log p_LLM(y) + λ·log p_CTC(y…), where the CTC term is
/// the prefix probability from the audio-token CTC (`ctc_weight` training) and, for a finished
/// hypothesis, the probability of exactly y. Scores are summed log-probs (no length
/// normalisation): both terms only fall as y grows, so a row stops as soon as its best finished
/// hypothesis beats every running one. `numBeams` 1 is greedy under the joint score. An optional
/// length bonus β adds β per token (`ctcLengthBonus`; the stop is then a heuristic).
///
/// `embeds`/`mask`/`ids` as `beamSearch`; `scorers[r]` holds row r's CTC log-probs. The LLM's
/// log-probs get the same logits processors (repetition penalty, no-repeat n-grams) as beam
/// search. Returns each row's best hypothesis without eos.
func jointCTCSearch(model: DecoderLM, embeds: Tensor, mask: Tensor?, ids: Tensor, scorers: [CTCPrefixScorer],
                    options: GenerationOptions) throws -> [[Int]] {
    // The bookkeeping tensors are small and read back every step: they live on the CPU whatever the
    // model's device (the decoder moves what it is given to its own device).
    try Device.with(.cpu) { try jointCTCSearchOnCPU(model: model, embeds: embeds, mask: mask, ids: ids, scorers: scorers, options: options) }
}

private func jointCTCSearchOnCPU(model: DecoderLM, embeds: Tensor, mask: Tensor?, ids: Tensor, scorers: [CTCPrefixScorer],
                    options: GenerationOptions) throws -> [[Int]] {
    let (batch, beams) = (embeds.size(0), options.numBeams)
    guard scorers.count == batch else {
        throw TorchError("jointCTCSearch: \(scorers.count) CTC scorers for \(batch) rows")
    }
    guard !options.eosTokenIds.isEmpty else { throw TorchError("jointCTCSearch: needs an eos token id") }
    guard options.ctcWeight > 0 && options.ctcWeight <= 1 else {
        throw TorchError("jointCTCSearch: ctc weight must be in (0, 1], got \(options.ctcWeight)")
    }
    let weight = Float(options.ctcWeight), bonus = Float(options.ctcLengthBonus)
    // (1 − λ)·lm + λ·ctc + β·length; a token the logits processors banned (lm −inf) stays banned even at λ = 1.
    func joint(_ lm: Float, _ ctc: Float, length: Int) -> Float {
        lm == -.infinity ? -.infinity : (weight < 1 ? (1 - weight) * lm : 0) + weight * ctc + bonus * Float(length)
    }
    let eos = options.eosTokenIds
    let fill = options.fillTokenId ?? eos[0]
    let perHypothesis = min(max(options.ctcCandidates, 2 * beams), model.vocabSize)

    struct Hypothesis {
        var tokens: [Int]
        var lm: Float
        var ctc: CTCPrefixScorer.State
        var score: Float
        var parentSlot: Int
    }
    var running: [[Hypothesis]] = scorers.map { [Hypothesis(tokens: [], lm: 0, ctc: $0.initial(), score: 0, parentSlot: 0)] }
    var best: [Hypothesis?] = Array(repeating: nil, count: batch)
    var done = [Bool](repeating: false, count: batch)
    let promptIds = try ids.to(.cpu).ints().chunked(ids.size(1))
    // The rows still being decoded, in the decoder's order: row active[p] has the slots p·beams ..< (p + 1)·beams.
    // A finished row leaves the decoder, so the LLM steps only run the rows still decoding.
    var active = Array(0..<batch)

    var decoder = try IncrementalDecoder(model: model, embeds: embeds, mask: mask, capacity: embeds.size(1) + options.maxNewTokens)
    try decoder.repeatRows(beams)  // every slot starts as a copy of its row; the prefix runs once per row
    for step in 0..<options.maxNewTokens {
        // The running ids of every slot (idle slots: fill tokens), as the logits processors see them.
        var slotIds: [Int64] = []
        for r in active {
            for j in 0..<beams {
                let tokens = j < running[r].count ? running[r][j].tokens : [Int](repeating: fill, count: step)
                slotIds += ((promptIds.isEmpty ? [] : promptIds[r]) + tokens).map(Int64.init)
            }
        }
        let slotTensor = try Tensor(slotIds, shape: [active.count * beams, slotIds.count / (active.count * beams)])
        var logProbs = try decoder.logits.to(.cpu).logSoftmax(dim: -1)
        logProbs = try LogitsProcessing.repetitionPenalty(logProbs, ids: slotTensor, penalty: options.repetitionPenalty)
        logProbs = try LogitsProcessing.noRepeatNGram(logProbs, ids: slotTensor, n: options.noRepeatNGramSize)
        let top = try logProbs.topk(perHypothesis)
        let topValues = try top.values.contiguous().toArray(Float.self)
        let topIds = try top.indices.contiguous().ints()
        let endLogProbs = try logProbs.indexSelect(dim: 1, index: Tensor(eos.map(Int64.init))).amax([1]).toArray(Float.self)

        let last = step == options.maxNewTokens - 1
        for (p, r) in active.enumerated() {
            var candidates: [(hypothesis: Hypothesis, ends: Bool)] = []
            for (j, hypothesis) in running[r].enumerated() {
                let slot = p * beams + j
                let range = slot * perHypothesis ..< (slot + 1) * perHypothesis
                let pairs = zip(topIds[range], topValues[range]).filter { !eos.contains($0.0) }
                // Tokens that are not CTC classes cannot be spelled by the audio and are dropped; a
                // hypothesis whose candidates are all such tokens can only end.
                let states = try scorers[r].extend(hypothesis.ctc, with: pairs.map(\.0))
                for ((token, logProb), state) in zip(pairs, states) {
                    guard let state else { continue }
                    let lm = hypothesis.lm + logProb
                    candidates.append((Hypothesis(tokens: hypothesis.tokens + [token], lm: lm, ctc: state,
                                                  score: joint(lm, state.score, length: hypothesis.tokens.count + 1),
                                                  parentSlot: slot), false))
                }
                let lm = hypothesis.lm + endLogProbs[slot]
                candidates.append((Hypothesis(tokens: hypothesis.tokens, lm: lm, ctc: hypothesis.ctc,
                                              score: joint(lm, scorers[r].final(hypothesis.ctc), length: hypothesis.tokens.count),
                                              parentSlot: slot), true))
            }
            candidates.sort { $0.hypothesis.score > $1.hypothesis.score }
            var next: [Hypothesis] = []
            for candidate in candidates.prefix(beams) {
                if candidate.ends || last {
                    // At the length limit a running hypothesis ends as it is, scored as a whole output.
                    var h = candidate.hypothesis
                    if !candidate.ends { h.score = joint(h.lm, scorers[r].final(h.ctc), length: h.tokens.count) }
                    if best[r].map({ h.score > $0.score }) ?? true { best[r] = h }
                } else {
                    next.append(candidate.hypothesis)
                }
            }
            running[r] = next
            // Without a length bonus scores only fall as hypotheses grow: nothing running can overtake a
            // better finished one.
            done[r] = next.isEmpty || best[r].map { b in next.allSatisfy { $0.score <= b.score } } ?? false
        }
        if last || done.allSatisfy({ $0 }) { break }

        // Surviving hypotheses continue from their parents' caches; empty slots idle on a copy; the
        // finished rows' slots are dropped.
        var sources: [Int64] = [], tokens: [Int64] = []
        for (p, r) in active.enumerated() where !done[r] {
            for j in 0..<beams {
                if j < running[r].count {
                    sources.append(Int64(running[r][j].parentSlot))
                    tokens.append(Int64(running[r][j].tokens.last!))
                } else {
                    sources.append(Int64(p * beams))
                    tokens.append(Int64(fill))
                }
            }
        }
        active.removeAll { done[$0] }
        try decoder.reorder(Tensor(sources))
        try decoder.step(Tensor(tokens, shape: [active.count * beams, 1]))
    }
    return (0..<batch).map { r in
        (best[r] ?? running[r].max { $0.score < $1.score })?.tokens ?? []
    }
}
