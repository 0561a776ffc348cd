import XCTest
@testable import SteerMoE
@testable import Torch

/// Joint CTC/LLM decoding (ctc_decoding_weight): the CTC prefix scorer against brute force over
/// every alignment and against libtorch's ctc_loss, and the search on the tiny Qwen2 fixture.
final class JointCTCDecodingTests: XCTestCase {
    /// Random (T, C) log-probs, class 0 = blank; token id k is column k.
    func randomScorer(frames: Int, classes: Int, seed: UInt64) throws -> (CTCPrefixScorer, [[Float]]) {
        let logProbs = try (Tensor.randn([frames, classes], generator: Generator(seed: seed)) * 2).logSoftmax(dim: 1)
        let rows = try logProbs.toArray(Float.self).chunked(classes)
        return (try CTCPrefixScorer(logProbs: logProbs) { $0 >= 1 && $0 < classes ? $0 : nil }, rows)
    }

    /// Every path of T frames over C classes, collapsed (repeats merged, then blanks dropped), with its log-prob.
    func allPaths(_ rows: [[Float]]) -> [(output: [Int], logProb: Double)] {
        let (frames, classes) = (rows.count, rows[0].count)
        var out: [([Int], Double)] = []
        var path = [Int](repeating: 0, count: frames)
        for code in 0..<Int(pow(Double(classes), Double(frames))) {
            var c = code
            for t in 0..<frames { path[t] = c % classes; c /= classes }
            var collapsed: [Int] = []
            for t in 0..<frames where path[t] != 0 && (t == 0 || path[t] != path[t - 1]) { collapsed.append(path[t]) }
            out.append((collapsed, (0..<frames).reduce(0) { $0 + Double(rows[$1][path[$1]]) }))
        }
        return out
    }

    func logSumExp(_ xs: [Double]) -> Double {
        guard let m = xs.max(), m > -.infinity else { return -.infinity }
        return m + log(xs.reduce(0) { $0 + exp($1 - m) })
    }

    func state(_ scorer: CTCPrefixScorer, _ prefix: [Int]) throws -> CTCPrefixScorer.State {
        try prefix.reduce(scorer.initial()) { try XCTUnwrap(scorer.extend($0, with: [$1])[0]) }
    }

    /// Prefix and whole-output probabilities equal the sums over all 4^6 alignments, including
    /// repeated tokens (which need a blank between them) and a prefix longer than fits.
    func testPrefixAndFinalScoresEqualSumsOverEveryAlignment() throws {
        let (scorer, rows) = try randomScorer(frames: 6, classes: 4, seed: 11)
        let paths = allPaths(rows)
        for prefix in [[], [1], [2], [1, 1], [2, 1], [1, 2, 3], [3, 3, 3], [1, 2, 1, 2], [1, 1, 1, 1]] as [[Int]] {
            let s = try state(scorer, prefix)
            let startsWith = logSumExp(paths.filter { $0.output.starts(with: prefix) }.map(\.logProb))
            let exactly = logSumExp(paths.filter { $0.output == prefix }.map(\.logProb))
            XCTAssertEqual(Double(s.score), startsWith, accuracy: 1e-4, "prefix \(prefix)")
            XCTAssertEqual(Double(scorer.final(s)), exactly, accuracy: 1e-4, "exactly \(prefix)")
        }
        let impossible = try state(scorer, [1, 1, 1, 1])  // needs 7 frames (three blanks between)
        XCTAssertEqual(impossible.score, -.infinity)
    }

    /// The whole-output probability is libtorch's ctc_loss (PyTorch's reference) negated.
    func testFinalScoreIsMinusLibtorchCTCLoss() throws {
        let (scorer, _) = try randomScorer(frames: 30, classes: 7, seed: 4)
        let logProbs = try (Tensor.randn([30, 7], generator: Generator(seed: 4)) * 2).logSoftmax(dim: 1)
        for target in [[1, 3, 3, 2], [6], [2, 4, 5, 1, 1, 6, 3]] {
            let loss = try Functional.ctcLoss(logProbs.unsqueeze(1), targets: Tensor(target.map(Int64.init), shape: [1, target.count]),
                                              inputLengths: Tensor([Int64(30)]), targetLengths: Tensor([Int64(target.count)]),
                                              reduction: .sum).item()
            XCTAssertEqual(Double(scorer.final(try state(scorer, target))), -loss, accuracy: 1e-3, "\(target)")
        }
    }

    func testTokensOutsideTheClassesHaveNoState() throws {
        let (scorer, _) = try randomScorer(frames: 5, classes: 4, seed: 2)
        let states = try scorer.extend(scorer.initial(), with: [2, 9, 0, 3])
        XCTAssertNotNil(states[0])
        XCTAssertNil(states[1])
        XCTAssertNil(states[2], "id 0 is no class: column 0 is the blank")
        XCTAssertNotNil(states[3])
        // The gathered columns line up with their tokens when unknown ones sit between them.
        for (k, id) in [(0, 2), (3, 3)] {
            let alone = try XCTUnwrap(scorer.extend(scorer.initial(), with: [id])[0])
            XCTAssertEqual(states[k]?.score, alone.score)
            XCTAssertEqual(states[k]?.rN, alone.rN)
        }
    }

    // MARK: search on the tiny Qwen2 fixture (vocabulary 160, eos 149)

    func fixtureLM() throws -> DecoderLM {
        let lm = try DecoderLM.load(folder: Fixtures.path("models/qwen2-tiny-random"))
        lm.eval()
        return lm
    }

    /// A CTC that says `frames` (token ids, 0 = blank), every other class `offPeak` nats lower.
    func peakyScorer(_ frames: [Int], vocab: Int, offPeak: Float = 8) throws -> CTCPrefixScorer {
        var values = [Float](repeating: -offPeak, count: frames.count * (vocab + 1))
        for (t, id) in frames.enumerated() { values[t * (vocab + 1) + (id == 0 ? 0 : id + 1)] = 0 }
        let logProbs = try Tensor(values, shape: [frames.count, vocab + 1]).logSoftmax(dim: 1)
        return try CTCPrefixScorer(logProbs: logProbs) { $0 >= 0 && $0 < vocab ? $0 + 1 : nil }
    }

    /// Row r's CTC: 7 frames of seeded random (sharp) log-probs over blank + the 160 tokens.
    func randomScorers(rows: Int) throws -> [CTCPrefixScorer] {
        try (0..<rows).map { r in
            let logProbs = try (Tensor.randn([7, 161], generator: Generator(seed: UInt64(40 + r))) * 3).logSoftmax(dim: 1)
            return try CTCPrefixScorer(logProbs: logProbs) { $0 >= 0 && $0 < 160 ? $0 + 1 : nil }
        }
    }

    func prefix(_ lm: DecoderLM, rows: Int, length: Int, seed: UInt64) throws -> (Tensor, Tensor) {
        let embeds = try Tensor.randn([rows, length, lm.config.hiddenSize], generator: Generator(seed: seed))
        var mask = [Int64](repeating: 1, count: rows * length)
        if rows > 1 { mask[length] = 0; mask[length + 1] = 0 }  // row 1 is left-padded by two positions
        return (embeds, try Tensor(mask, shape: [rows, length]))
    }

    /// λ = 1 with every token a candidate: the output is what the CTC spells, whatever the LLM
    /// prefers, repeated tokens included; rows are independent.
    func testWeightOneSpellsTheCTCOutput() throws {
        let lm = try fixtureLM()
        let (embeds, mask) = try prefix(lm, rows: 2, length: 5, seed: 8)
        let scorers = [try peakyScorer([23, 23, 0, 41, 0, 41, 57, 0], vocab: 160),
                       try peakyScorer([0, 7, 7, 7, 0, 0], vocab: 160)]
        var options = GenerationOptions(maxNewTokens: 10, numBeams: 2, eosTokenIds: [149], padTokenId: 151)
        options.ctcWeight = 1
        options.ctcCandidates = 160
        let out = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask, ctcScorers: scorers, options: options)
        XCTAssertEqual(out, [[23, 41, 41, 57], [7]])
    }

    /// A CTC with no opinion (every class equally likely over many frames) and a tiny weight
    /// leaves the LLM's greedy choice, on a batch with a left-padded row.
    func testFlatCTCWithTinyWeightIsGreedy() throws {
        let lm = try fixtureLM()
        let (embeds, mask) = try prefix(lm, rows: 2, length: 6, seed: 21)
        let flat = try Tensor.zeros([60, 161]).logSoftmax(dim: 1)
        let scorers = try (0..<2).map { _ in try CTCPrefixScorer(logProbs: flat) { $0 >= 0 && $0 < 160 ? $0 + 1 : nil } }
        let greedy = GenerationOptions(maxNewTokens: 8, eosTokenIds: [149], padTokenId: 151)
        var joint = greedy
        joint.ctcWeight = 1e-4
        let expected = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask, options: greedy)
        let out = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask, ctcScorers: scorers, options: joint)
        XCTAssertEqual(out, expected)
        XCTAssertEqual(out[0].count, 8, "no eos from this random model within 8 tokens, so the search ran to the limit")
    }

    /// The CTC overrules the LLM's first choice when its weight and confidence outweigh the LLM's
    /// preference, and the output stops where the CTC's does (eos scored by the whole-output
    /// probability), not at the length limit.
    func testCTCOverrulesTheLLMAndEndsTheOutput() throws {
        let lm = try fixtureLM()
        let (embeds, mask) = try prefix(lm, rows: 1, length: 4, seed: 3)
        let greedy = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask,
                                  options: GenerationOptions(maxNewTokens: 6, eosTokenIds: [149], padTokenId: 151))
        // The LLM's own first choice and runner-up; the CTC spells the runner-up twice, then stops.
        let first = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask,
                                 options: GenerationOptions(maxNewTokens: 1, eosTokenIds: [149], padTokenId: 151))[0][0]
        XCTAssertEqual(first, greedy[0][0])
        var options = GenerationOptions(maxNewTokens: 6, numBeams: 1, eosTokenIds: [149], padTokenId: 151)
        options.ctcWeight = 0.8
        options.ctcCandidates = 160
        let other = first == 30 ? 31 : 30
        let out = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask,
                               ctcScorers: [peakyScorer([other, 0, other, 0], vocab: 160, offPeak: 30)], options: options)
        XCTAssertEqual(out, [[other, other]])
        XCTAssertNotEqual(out[0], Array(greedy[0].prefix(2)))
    }

    /// The length bonus: the same search as above ends after two tokens without it, runs to the
    /// length limit when each token is worth far more than the CTC's objection, and ends at once
    /// when each token costs far more than ending does.
    func testLengthBonusLengthensOrShortensTheOutput() throws {
        let lm = try fixtureLM()
        let (embeds, mask) = try prefix(lm, rows: 1, length: 4, seed: 3)
        var options = GenerationOptions(maxNewTokens: 6, numBeams: 2, eosTokenIds: [149], padTokenId: 151)
        options.ctcWeight = 0.8
        options.ctcCandidates = 160
        // 8 frames: room for the 6 tokens of the length limit (a CTC cannot spell more tokens than frames).
        let scorer = try peakyScorer([30, 0, 30, 0, 0, 0, 0, 0], vocab: 160, offPeak: 30)
        func decode(bonus: Double) throws -> [Int] {
            options.ctcLengthBonus = bonus
            return try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask, ctcScorers: [scorer], options: options)[0]
        }
        XCTAssertEqual(try decode(bonus: 0), [30, 30])
        let long = try decode(bonus: 1000)
        XCTAssertEqual(long.count, 6, "\(long)")
        XCTAssertEqual(try decode(bonus: -1000), [])
        options.ctcLengthBonus = .infinity
        XCTAssertThrowsError(try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask, ctcScorers: [scorer], options: options))
    }

    /// Beams > 1 with both scores in play: each row of a batch (one of them left-padded) decodes
    /// exactly as it does alone, so the per-row slots and the cache reorder follow their parents,
    /// also after a row has finished and left the decoder.
    func testBatchedBeamRowsDecodeAsAlone() throws {
        let lm = try fixtureLM()
        let (embeds, mask) = try prefix(lm, rows: 3, length: 6, seed: 17)
        // Row 0's CTC spells two tokens, so row 0 ends before the others.
        let scorers = try [peakyScorer([5, 0, 9], vocab: 160)] + randomScorers(rows: 3).dropFirst()
        var options = GenerationOptions(maxNewTokens: 6, numBeams: 3, eosTokenIds: [149], padTokenId: 151)
        options.ctcWeight = 0.5
        let batched = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask, ctcScorers: scorers, options: options)
        for r in 0..<3 {
            let start = r == 1 ? 2 : 0
            let alone = try generate(model: lm, prefixEmbeds: embeds.slice(dim: 0, r..<(r + 1)).slice(dim: 1, start: start, end: 6),
                                     prefixMask: Tensor.ones([1, 6 - start], dtype: .int64), ctcScorers: [scorers[r]], options: options)
            XCTAssertEqual(batched[r], alone[0], "row \(r)")
        }
        XCTAssertNotEqual(batched[0], batched[2], "different audio, different output")
        XCTAssertGreaterThan(Set(batched.map(\.count)).count, 1, "rows end at different steps: \(batched)")
    }

    /// The searches never rely on the thread's default device. A GPU model's entry points set it to
    /// the GPU while the searches' bookkeeping is on the CPU (before: "index is on cuda:0, different
    /// from other tensors on cpu" on an H200); here `meta` stands in for the GPU: any tensor the
    /// searches made there would meet CPU tensors and fail, or be unreadable.
    func testSearchesDoNotDependOnTheDefaultDevice() throws {
        let lm = try fixtureLM()
        let (embeds, mask) = try prefix(lm, rows: 2, length: 6, seed: 17)
        let scorers = try randomScorers(rows: 2)
        var joint = GenerationOptions(maxNewTokens: 6, numBeams: 3, eosTokenIds: [149], padTokenId: 151)
        joint.ctcWeight = 0.5
        joint.repetitionPenalty = 1.2
        var beam = GenerationOptions(maxNewTokens: 6, numBeams: 3, eosTokenIds: [149], padTokenId: 151)
        beam.repetitionPenalty = 1.2
        let greedy = GenerationOptions(maxNewTokens: 6, eosTokenIds: [149], padTokenId: 151)
        try Autograd.noGrad {
            // The searches themselves, called with the default device elsewhere (as inside an entry point).
            let ids = try Tensor.zeros([2, 0], dtype: .int64, device: .cpu)
            let jointHere = try jointCTCSearch(model: lm, embeds: embeds, mask: mask, ids: ids, scorers: scorers, options: joint)
            let jointElsewhere = try Device.with(.meta) {
                try jointCTCSearch(model: lm, embeds: embeds, mask: mask, ids: ids, scorers: scorers, options: joint)
            }
            XCTAssertEqual(jointElsewhere, jointHere)
            let beamHere = try beamSearch(model: lm, embeds: embeds, mask: mask, ids: ids, options: beam)
            let beamElsewhere = try Device.with(.meta) {
                try beamSearch(model: lm, embeds: embeds, mask: mask, ids: ids, options: beam)
            }
            XCTAssertEqual(try beamElsewhere.sequences.ints(), try beamHere.sequences.ints())
            XCTAssertEqual(beamElsewhere.scores, beamHere.scores)
        }
        // The entry point runs on the model's device whatever the caller's default.
        for options in [joint, beam, greedy] {
            let here = try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask,
                                    ctcScorers: options.ctcWeight > 0 ? scorers : nil, options: options)
            let elsewhere = try Device.with(.meta) {
                try generate(model: lm, prefixEmbeds: embeds, prefixMask: mask,
                             ctcScorers: options.ctcWeight > 0 ? scorers : nil, options: options)
            }
            XCTAssertEqual(elsewhere, here, "beams \(options.numBeams), ctc weight \(options.ctcWeight)")
        }
        XCTAssertEqual(try Device.with(.meta) { try Tensor([1, 2]).device }, .meta, "the check can fail")
    }

    /// Decoding scores the audio exactly as training's CTC loss does: for one row, the
    /// whole-output log-probability of a transcript is minus the loss times its length.
    func testScorerAgreesWithTheTrainingCTCLoss() throws {
        let m = try Fixtures.steerMoE(ctcWeight: 0.5)
        let audio = try Tensor.randn([1, 9, 48], generator: Generator(seed: 6))
        let target = [23, 41, 41, 57]
        let loss = try m.audioTokenCTCLoss(audio: audio, audioMask: nil,
                                           labels: Tensor(rows: [[Int64(-100)] + target.map(Int64.init) + [149]])).item()
        let scorer = try XCTUnwrap(m.ctcPrefixScorers(audio: audio, audioMask: nil).first)
        XCTAssertEqual(Double(scorer.final(try state(scorer, target))), -loss * Double(target.count), accuracy: 1e-3)
    }

    func testScorersComeFromTheAdapterAndNeedItsCTC() throws {
        let plain = try Fixtures.steerMoE()
        let audio = try Tensor.randn([2, 5, 48], generator: Generator(seed: 1))
        let mask = try Tensor([true, true, true, true, true, true, true, false, false, false], shape: [2, 5])
        XCTAssertThrowsError(try plain.ctcPrefixScorers(audio: audio, audioMask: mask)) {
            XCTAssertTrue("\($0)".contains("needs an adapter trained with ctc_weight > 0"), "\($0)")
        }
        let m = try Fixtures.steerMoE(ctcWeight: 0.5)
        let scorers = try m.ctcPrefixScorers(audio: audio, audioMask: mask)
        XCTAssertEqual(scorers.map(\.frames), [5, 2], "each row cut to its audio length")
        // With one frame-equal row, the whole-output probabilities over the empty output and every
        // single token sum to at most 1 (two frames can also spell two tokens).
        let s = scorers[1]
        let single = try s.extend(s.initial(), with: Array(0..<160)).compactMap { $0.map { s.final($0) } }
        let total = ([s.final(s.initial())] + single).reduce(Float(0)) { $0 + exp($1) }
        XCTAssertLessThanOrEqual(total, 1.0001)
        XCTAssertGreaterThan(total, 0)

        let restricted = try Fixtures.steerMoE(ctcWeight: 0.5, ctcClasses: .transcripts)
        XCTAssertThrowsError(try restricted.ctcPrefixScorers(audio: audio, audioMask: mask)) {
            XCTAssertTrue("\($0)".contains("training transcripts' tokens"), "\($0)")
        }
    }
}
