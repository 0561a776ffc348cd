import Foundation
import Torch

/// The result of beam search for B rows: the best hypothesis of each.
struct BeamSearchResult {
    /// (B, n + generated) int64: running ids + new tokens, padded with the fill token like HF.
    var sequences: Tensor
    /// HF `sequences_scores`: summed log-probs / (generated length)^lengthPenalty.
    var scores: [Float]
    /// New tokens of each row's best hypothesis (eos included when it ended with one).
    var generatedLengths: [Int]
}

/// A line-by-line port of HF 5.23 `GenerationMixin._beam_search` (do_sample false, one returned
/// sequence), vectorised over (batch, beam) tensors as HF is, so that float32 arithmetic and
/// `topk` tie-breaking are the same. Names follow HF's.
///
/// `embeds` (B, T, H) and `mask` (B, T) are the prefix; `ids` (B, n) the running ids that the
/// repetition penalty sees and that prefix the returned sequences (may be empty).
/// The bookkeeping runs on the CPU (small tensors; the model may be elsewhere).
func beamSearch(model: DecoderLM, embeds: Tensor, mask: Tensor?, ids: Tensor, options: GenerationOptions) throws -> BeamSearchResult {
    // The bookkeeping tensors are small and read back every step: they live on the CPU whatever the
    // model's device (the decoder moves what it is given to its own device).
    try Device.with(.cpu) { try beamSearchOnCPU(model: model, embeds: embeds, mask: mask, ids: ids, options: options) }
}

private func beamSearchOnCPU(model: DecoderLM, embeds: Tensor, mask: Tensor?, ids: Tensor, options: GenerationOptions) throws -> BeamSearchResult {
    let (batch, numBeams, vocab) = (embeds.size(0), options.numBeams, model.vocabSize)
    let promptLength = ids.size(1)  // HF decoder_prompt_len
    let maxLength = promptLength + options.maxNewTokens
    let eos = options.eosTokenIds
    let lengthPenalty = options.lengthPenalty
    // Keep enough candidates that num_beams of them are still running even if all others hit eos.
    let beamsToKeep = max(2, 1 + eos.count) * numBeams
    let topNumBeamMask = try Tensor((0..<beamsToKeep).map { $0 < numBeams }, shape: [1, beamsToKeep])
    // HF: `pad_token_id or eos_token_id[0]`, so a pad id of 0 (falsy) fills with eos.
    let fill: Int = eos.isEmpty ? -1 : ((options.padTokenId ?? 0) != 0 ? options.padTokenId! : eos[0])

    // Every beam starts as a copy of its row (HF repeat_interleaves the inputs; we run the prefix
    // once per row and copy the result).
    var decoder = try IncrementalDecoder(model: model, embeds: embeds, mask: mask, capacity: embeds.size(1) + options.maxNewTokens)
    try decoder.repeatRows(numBeams)
    let ids = try ids.to(.cpu)
    var runningSequences = try Tensor.cat([ids.unsqueeze(1).expand([batch, numBeams, promptLength]),
                                           Tensor.full([batch, numBeams, options.maxNewTokens], fill, dtype: .int64)], dim: 2)
    var sequences = try runningSequences.clone()
    // Only the first beam is live at the start, so the beams do not all pick the same tokens.
    var runningBeamScores = try Tensor((0..<batch * numBeams).map { $0 % numBeams == 0 ? Float(0) : -1e9 },
                                       shape: [batch, numBeams])
    var beamScores = try Tensor.full([batch, numBeams], -1e9)
    var isSentFinished = try Tensor.zeros([batch, numBeams], dtype: .bool)
    var isEarlyStopHeuristicUnsatisfied = try Tensor.ones([batch, 1], dtype: .bool)
    var runningBeamIndices = try Tensor.full([batch, numBeams, options.maxNewTokens], -1, dtype: .int64)
    var beamIndices = try runningBeamIndices.clone()
    let batchOffset = try (Tensor.arange(batch) * numBeams).view(batch, 1)

    var curLen = promptLength
    while true {
        // b. log-probs of every continuation, processed, plus the running beam scores
        let flatRunning = try runningSequences.slice(dim: 2, end: curLen).reshape(batch * numBeams, curLen)
        var logProbs = try decoder.logits.to(.cpu).logSoftmax(dim: -1)
        logProbs = try LogitsProcessing.repetitionPenalty(logProbs, ids: flatRunning, penalty: options.repetitionPenalty)
        logProbs = try LogitsProcessing.noRepeatNGram(logProbs, ids: flatRunning, n: options.noRepeatNGramSize)
        logProbs = try (logProbs.view(batch, numBeams, vocab) + runningBeamScores.unsqueeze(2)).reshape(batch, numBeams * vocab)

        // c. top-K continuations over all beams of a row
        let (topkLogProbs, topkIndices) = try logProbs.topk(beamsToKeep)
        let topkCurrentBeamIndices = try topkIndices.floorDivide(vocab)
        let topkIds = try topkIndices.remainder(vocab)
        let topkRunningSequences = try gatherBeams(runningSequences, topkCurrentBeamIndices)
        try topkRunningSequences.select(dim: 2, index: curLen).copy_(topkIds)
        let topkRunningBeamIndices = try gatherBeams(runningBeamIndices, topkCurrentBeamIndices)
        try topkRunningBeamIndices.select(dim: 2, index: curLen - promptLength).copy_(topkCurrentBeamIndices + batchOffset)

        // d. which candidates stop here (eos, or the length limit)
        var hits = try LogitsProcessing.isEOS(topkIds, eos: eos)
        if curLen + 1 >= maxLength { hits = try hits.onesLike() }

        // e. the best num_beams unfinished candidates keep running
        let topkRunningLogProbs = try topkLogProbs + hits.to(dtype: .float32) * -1e9
        let nextTopkIndices = try topkRunningLogProbs.topk(numBeams).indices
        runningSequences = try gatherBeams(topkRunningSequences, nextTopkIndices)
        runningBeamScores = try gatherBeams(topkRunningLogProbs, nextTopkIndices)
        runningBeamIndices = try gatherBeams(topkRunningBeamIndices, nextTopkIndices)

        // f. finished candidates among the top num_beams join the finished hypotheses if better
        let didTopNumBeamsJustFinish = try hits.logicalAnd(topNumBeamMask)
        var finishedScores = try topkLogProbs / Foundation.pow(Double(curLen + 1 - promptLength), lengthPenalty)
        let beamsInBatchAreFull = try isSentFinished.to(dtype: .int64).sum([1], keepDim: true).eq(numBeams)
            .logicalAnd(Tensor.scalar(options.earlyStopping, dtype: .bool))
        finishedScores = try finishedScores + beamsInBatchAreFull.to(dtype: .float32) * -1e9
        finishedScores = try finishedScores + isEarlyStopHeuristicUnsatisfied.logicalNot().to(dtype: .float32) * -1e9
        finishedScores = try finishedScores + didTopNumBeamsJustFinish.logicalNot().to(dtype: .float32) * -1e9
        let mergedSequences = try Tensor.cat([sequences, topkRunningSequences], dim: 1)
        let mergedScores = try Tensor.cat([beamScores, finishedScores], dim: 1)
        let mergedBeamIndices = try Tensor.cat([beamIndices, topkRunningBeamIndices], dim: 1)
        let mergedIsSentFinished = try Tensor.cat([isSentFinished, didTopNumBeamsJustFinish], dim: 1)
        let topkMergedIndices = try mergedScores.topk(numBeams).indices
        sequences = try gatherBeams(mergedSequences, topkMergedIndices)
        beamScores = try gatherBeams(mergedScores, topkMergedIndices)
        beamIndices = try gatherBeams(mergedBeamIndices, topkMergedIndices)
        isSentFinished = try gatherBeams(mergedIsSentFinished, topkMergedIndices)

        // g. stopping: can a running beam still beat the worst finished one (HF's heuristic for
        // early_stopping False/True: its best score at the current length)?
        let beamIdx = try runningBeamIndices.select(dim: 2, index: curLen - promptLength).flatten()
        curLen += 1
        let bestPossibleRunningScore = try runningBeamScores.slice(dim: 1, end: 1)
            / Foundation.pow(Double(curLen - promptLength), lengthPenalty)
        let worstFinishedScore = try Tensor.where(isSentFinished, beamScores.amin([1], keepDim: true).expand([batch, numBeams]),
                                                  Tensor.full([batch, numBeams], -1e9))
        let canImprove = try bestPossibleRunningScore.compare(worstFinishedScore, .gt)
            .to(dtype: .int64).sum([1], keepDim: true).gt(0)
        isEarlyStopHeuristicUnsatisfied = try isEarlyStopHeuristicUnsatisfied.logicalAnd(canImprove)

        let improvementPossible = try isEarlyStopHeuristicUnsatisfied.any()
        let existsOpenBeam = try !(isSentFinished.all() && options.earlyStopping)
        let validContinuations = try !hits.all()
        guard improvementPossible && existsOpenBeam && validContinuations else { break }

        // a. (next iteration) reorder the cache to the surviving beams and feed their new token
        try decoder.reorder(beamIdx)
        try decoder.step(runningSequences.select(dim: 2, index: curLen - 1).reshape(batch * numBeams, 1))
    }

    // The best finished hypothesis of each row, cropped to the longest generated length.
    let best = try sequences.select(dim: 1, index: 0)
    let bestIndices = try beamIndices.select(dim: 1, index: 0)
    let generatedLengths = try bestIndices.ne(-1).to(dtype: .int64).sum([1]).ints()
    let outputLength = promptLength + (generatedLengths.max() ?? 0)
    return BeamSearchResult(sequences: try best.slice(dim: 1, end: outputLength).contiguous(),
                            scores: try beamScores.select(dim: 1, index: 0).toArray(Float.self),
                            generatedLengths: generatedLengths)
}

/// HF `_gather_beams`: `take_along_dim(tensor, indices, dim=1)` for (B, beams, ...) tensors.
private func gatherBeams(_ tensor: Tensor, _ indices: Tensor) throws -> Tensor {
    var index = indices
    while index.rank < tensor.rank { index = try index.unsqueeze(-1) }
    var shape = tensor.shape
    shape[1] = indices.size(1)
    return try tensor.gather(dim: 1, index: index.expand(shape))
}
