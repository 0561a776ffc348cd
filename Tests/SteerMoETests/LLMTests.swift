import Foundation
import XCTest
@testable import SteerMoE
import Torch

/// Parity of the decoder LLMs and generation with transformers 5.23 on the tiny random fixtures
/// (Tests/SteerMoETests/Fixtures/models/*-tiny-random, written by scripts/fixtures/make_model_fixtures.py).
final class LLMTests: XCTestCase {
    static let families = ["qwen2", "qwen3", "llama"]

    static func folder(_ family: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("models/\(family)-tiny-random").path
    }
    static func reference(_ family: String) throws -> [String: Tensor] {
        try Safetensors.load(folder(family) + "/reference.safetensors")
    }
    static func referenceJSON(_ family: String) throws -> HFConfig {
        try HFConfig(path: folder(family) + "/reference.json")
    }

    override func setUp() {
        Torch.numThreads = 1
    }

    /// Max |a − b| over the rows where `mask` is 1 (logits of left-padding queries are undefined).
    func maxDiffAtTokens(_ a: Tensor, _ b: Tensor, mask: Tensor) throws -> Double {
        XCTAssertEqual(a.shape, b.shape)
        let keep = try mask.ne(0)
        return try (a.index(keep).to(dtype: .float64) - b.index(keep).to(dtype: .float64)).abs().amax().item()
    }

    // MARK: config

    func testConfigBothRoPESpellings() throws {
        let qwen2 = try DecoderConfig(folder: ModelFolder(Self.folder("qwen2")))
        XCTAssertEqual(qwen2.ropeTheta, 10000)
        XCTAssertEqual(qwen2.ropeScaling, RoPEScaling.none)
        XCTAssertTrue(qwen2.qkvBias && !qwen2.outputBias && qwen2.tieWordEmbeddings && !qwen2.qkNorm)
        XCTAssertEqual(qwen2.headDim, 12)
        XCTAssertEqual(qwen2.eosTokenIds, [149])
        XCTAssertEqual(qwen2.padTokenId, 3)

        let qwen3 = try DecoderConfig(folder: ModelFolder(Self.folder("qwen3")))
        XCTAssertEqual(qwen3.ropeTheta, 10000)
        XCTAssertEqual(qwen3.headDim, 16)  // explicit, != hidden / heads = 8
        XCTAssertTrue(qwen3.qkNorm && !qwen3.qkvBias)

        let llama = try DecoderConfig(folder: ModelFolder(Self.folder("llama")))
        XCTAssertEqual(llama.ropeScaling, .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64))
        XCTAssertFalse(llama.tieWordEmbeddings)
        XCTAssertEqual(llama.rmsNormEps, 1e-5)
    }

    func testConfigEOSListAndDefaults() throws {
        let json: [String: Any] = [
            "model_type": "qwen2", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
            "num_attention_heads": 2, "eos_token_id": [5, 7],
            "rope_parameters": ["rope_type": "default", "rope_theta": 1e6],
        ]
        let c = try DecoderConfig(config: HFConfig(path: "test", values: json),
                                  generation: HFConfig(path: "gen", values: ["eos_token_id": [7, 8, 9]]))
        XCTAssertEqual(c.eosTokenIds, [7, 8, 9])  // generation_config wins
        XCTAssertEqual(c.numKVHeads, 2)  // defaults to num_attention_heads
        XCTAssertEqual(c.headDim, 4)
        XCTAssertEqual(c.ropeTheta, 1e6)
        XCTAssertFalse(c.tieWordEmbeddings)

        // Unsupported settings are refused by name rather than silently computed wrongly.
        var bad = json
        bad["rope_parameters"] = ["rope_type": "yarn", "rope_theta": 1e6, "factor": 4.0]
        var slidingWindow = json
        slidingWindow["use_sliding_window"] = true
        var gemma = json
        gemma["model_type"] = "gemma"
        for (values, word) in [(bad, "yarn"), (slidingWindow, "sliding"), (gemma, "gemma")] {
            XCTAssertThrowsError(try DecoderConfig(config: HFConfig(path: "bad.json", values: values))) { error in
                XCTAssertTrue("\(error)".contains(word) && "\(error)".contains("bad.json"), "\(error)")
            }
        }
    }

    /// llama3 frequencies against HF `ROPE_INIT_FUNCTIONS["llama3"]` on the llama fixture config
    /// (head_dim 8, θ 1e4, factor 8, low 1, high 4, original 64), printed by transformers 5.23.
    func testLlama3InverseFrequencies() throws {
        let inv = try RotaryEmbedding.inverseFrequencies(
            headDim: 8, theta: 1e4, scaling: .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64))
        // wavelength 6.28 < 16: kept; 62.8 in [16, 64]: smoothed; 628 and 6283 > 64: divided by 8.
        let expected: [Float] = [1.0, 0.01304225624, 0.00125, 0.000125]
        for (a, e) in zip(inv, expected) { XCTAssertEqual(a, e, accuracy: 1e-8 + 1e-6 * e) }
    }

    // MARK: forward parity

    func testLogitsFromIdsMatchHF() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let mask = ref["attention_mask"]!
            // Default positions (cumsum of the mask, as generate) and HF's explicit ones.
            let logits = try lm(inputIds: ref["input_ids"]!, attentionMask: mask)
            let diff = try maxDiffAtTokens(logits, ref["logits"]!, mask: mask)
            XCTAssertLessThanOrEqual(diff, 1e-4, family)
            let explicit = try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(ref["input_ids"]!), attentionMask: mask,
                                                         positionIds: ref["position_ids"]!))
            XCTAssertLessThanOrEqual(try maxDiffAtTokens(explicit, ref["logits"]!, mask: mask), 1e-4, family)
            // Nothing non-finite anywhere, padding rows included (they feed later layers' keys).
            XCTAssertTrue(try logits.isFinite().all(), family)
            print("\(family): logits max abs diff at tokens \(diff)")
        }
    }

    func testLogitsFromEmbedsMatchHF() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let hidden = try lm.hiddenStates(inputsEmbeds: ref["inputs_embeds"]!, attentionMask: ref["attention_mask"]!,
                                             positionIds: ref["position_ids"]!)
            let diff = try maxDiffAtTokens(lm.logits(hidden), ref["logits_from_embeds"]!, mask: ref["attention_mask"]!)
            XCTAssertLessThanOrEqual(diff, 1e-4, family)
        }
    }

    /// Training path: per-layer checkpointing gives the same values and gradients.
    func testCheckpointedLayersSameValuesAndGradients() throws {
        let lm = try DecoderLM.load(folder: Self.folder("qwen3"))
        let ref = try Self.reference("qwen3")
        let mask = ref["attention_mask"]!
        var results: [(Tensor, Tensor)] = []
        for checkpoint in [false, true] {
            let x = try ref["inputs_embeds"]!.clone().requiresGrad(true)
            let h = try lm.hiddenStates(inputsEmbeds: x, attentionMask: mask, checkpointLayers: checkpoint)
            let loss = try (lm.logits(h) * mask.unsqueeze(2)).square().sum()
            try loss.backward()
            results.append((try h.detach(), x.grad!))
        }
        XCTAssertEqual(try (results[0].0 - results[1].0).abs().amax().item(), 0, accuracy: 1e-6)
        XCTAssertEqual(try (results[0].1 - results[1].1).abs().amax().item(), 0, accuracy: 1e-5)
        XCTAssertGreaterThan(try results[0].1.abs().amax().item(), 0)
    }

    // MARK: KV cache

    /// Prefill + one token at a time (and a multi-token chunk) with the cache equals a full
    /// forward over the whole sequence, left padding included.
    func testKVCacheIncrementalEqualsFullForward() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let prompt = ref["input_ids"]!, promptMask = ref["attention_mask"]!
            let extra = try Tensor(rows: [[5, 9, 11, 13, 17], [21, 8, 30, 6, 40]])
            let ids = try Tensor.cat([prompt, extra], dim: 1)
            let mask = try Tensor.cat([promptMask, extra.onesLike()], dim: 1)
            let full = try lm(inputIds: ids, attentionMask: mask)

            let cache = lm.makeCache(capacity: 8)  // small: forces the buffers to grow
            var pieces = [try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(prompt), attentionMask: promptMask, cache: cache))]
            var seen = prompt.size(1)
            for chunk in [[0], [1], [2, 3, 4]] {  // single tokens, then a 3-token chunk
                let part = try extra.slice(dim: 1, chunk.first!..<(chunk.last! + 1))
                seen += chunk.count
                let h = try lm.hiddenStates(inputsEmbeds: lm.embed(part), attentionMask: mask.slice(dim: 1, end: seen), cache: cache)
                pieces.append(try lm.logits(h))
            }
            XCTAssertEqual(cache.length, ids.size(1))
            let incremental = try Tensor.cat(pieces, dim: 1)
            XCTAssertLessThanOrEqual(try maxDiffAtTokens(incremental, full, mask: mask), 1e-5, family)
        }
    }

    func testKVCacheWithoutMaskUsesArangePositions() throws {
        let lm = try DecoderLM.load(folder: Self.folder("llama"))
        let ids = try Tensor(rows: [[4, 8, 15, 16, 23, 42]])
        let full = try lm(inputIds: ids, attentionMask: nil)
        let cache = lm.makeCache()
        var pieces: [Tensor] = []
        for i in 0..<6 {
            pieces.append(try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(ids.slice(dim: 1, i..<(i + 1))), attentionMask: nil, cache: cache)))
        }
        let diff = try (Tensor.cat(pieces, dim: 1) - full).abs().amax().item()
        XCTAssertLessThanOrEqual(diff, 1e-5)
    }

    // MARK: generation

    func options(_ family: String, numBeams: Int = 1, repetitionPenalty: Double = 1) throws -> GenerationOptions {
        let json = try Self.referenceJSON(family)
        return GenerationOptions(maxNewTokens: 12, numBeams: numBeams, repetitionPenalty: repetitionPenalty,
                                 lengthPenalty: 1, earlyStopping: false,
                                 eosTokenIds: [try json.int("eos_token_id")], padTokenId: try json.int("pad_token_id"))
    }

    func testGreedyMatchesHF() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let out = try generate(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!,
                                   options: options(family))
            XCTAssertEqual(out.shape, ref["greedy_sequences"]!.shape, family)
            XCTAssertEqual(try out.ints(), try ref["greedy_sequences"]!.ints(), family)
        }
    }

    func testRepetitionPenaltyMatchesHF() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let out = try generate(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!,
                                   options: options(family, repetitionPenalty: 1.3))
            XCTAssertEqual(out.shape, ref["greedy_rep1.3_sequences"]!.shape, family)
            XCTAssertEqual(try out.ints(), try ref["greedy_rep1.3_sequences"]!.ints(), family)
        }
    }

    func testBeamSearchMatchesHF() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let (sequences, scores) = try beamSearchWithScores(model: lm, inputIds: ref["input_ids"]!,
                                                               attentionMask: ref["attention_mask"]!,
                                                               options: options(family, numBeams: 3))
            XCTAssertEqual(sequences.shape, ref["beam3_sequences"]!.shape, family)
            XCTAssertEqual(try sequences.ints(), try ref["beam3_sequences"]!.ints(), family)
            for (a, e) in zip(scores, try ref["beam3_sequences_scores"]!.floats()) {
                XCTAssertEqual(a, e, accuracy: 1e-5, family)
            }
        }
    }

    struct BeamCase {
        var family: String, numBeams: Int, eos: [Int], lengthPenalty: Double, earlyStopping: Bool
        var repetitionPenalty: Double, maxNewTokens: Int
        var newTokens: [[Int]], scores: [Float]
    }

    /// Beam options beyond the fixtures, against values printed by transformers 5.23
    /// (scripts/reference/llm_generation_cases.py): several eos ids (more candidates kept),
    /// length penalties 2, 0.5, 1.5 and −1, early_stopping true, 2–5 beams, repetition penalty
    /// 1.3 and 0.8 on log-probs, 20 new tokens.
    func testBeamSearchOptionsMatchHF() throws {
        let cases = [
            BeamCase(family: "qwen2", numBeams: 4, eos: [149, 57], lengthPenalty: 1.0, earlyStopping: false, repetitionPenalty: 1.0, maxNewTokens: 12,
                     newTokens: [[57, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], [26, 141, 59, 61, 35, 19, 31, 19, 49, 89, 78, 69]],
                     scores: [-0.1457688957452774, -0.8045656085014343]),
            BeamCase(family: "qwen2", numBeams: 3, eos: [149], lengthPenalty: 2.0, earlyStopping: true, repetitionPenalty: 1.0, maxNewTokens: 12,
                     newTokens: [[57, 130, 141, 130, 149, 3, 3, 3, 3, 3, 3, 3], [26, 141, 59, 61, 35, 19, 31, 19, 49, 89, 78, 69]],
                     scores: [-0.1893167942762375, -0.0670471340417862]),
            BeamCase(family: "qwen2", numBeams: 2, eos: [149], lengthPenalty: 0.5, earlyStopping: false, repetitionPenalty: 1.3, maxNewTokens: 12,
                     newTokens: [[57, 130, 149, 3, 3, 3, 3, 3, 3, 3, 3, 3], [26, 141, 59, 61, 35, 19, 31, 19, 49, 89, 78, 69]],
                     scores: [-1.6454942226409912, -2.848906993865967]),
            BeamCase(family: "llama", numBeams: 3, eos: [49, 60], lengthPenalty: -1.0, earlyStopping: true, repetitionPenalty: 1.0, maxNewTokens: 12,
                     newTokens: [[28, 118, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28], [39, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]],
                     scores: [-355.5447998046875, -360.15533447265625]),
            BeamCase(family: "llama", numBeams: 5, eos: [49], lengthPenalty: 1.0, earlyStopping: false, repetitionPenalty: 1.0, maxNewTokens: 20,
                     newTokens: [[28, 118, 28, 28, 28, 28, 28, 28, 35, 25, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
                                 [39, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]],
                     scores: [-2.467520236968994, -2.468021869659424]),
            BeamCase(family: "qwen3", numBeams: 2, eos: [16], lengthPenalty: 1.5, earlyStopping: false, repetitionPenalty: 0.8, maxNewTokens: 12,
                     newTokens: [[123, 123, 123, 16, 3, 3, 3, 3, 3, 3, 3, 3], [77, 77, 72, 72, 72, 72, 72, 72, 72, 88, 12, 4]],
                     scores: [-0.35177135467529297, -0.2507439851760864]),
        ]
        var models: [String: DecoderLM] = [:]
        for (i, c) in cases.enumerated() {
            let lm = try models[c.family] ?? DecoderLM.load(folder: Self.folder(c.family))
            models[c.family] = lm
            let ref = try Self.reference(c.family)
            let options = GenerationOptions(maxNewTokens: c.maxNewTokens, numBeams: c.numBeams, repetitionPenalty: c.repetitionPenalty,
                                            lengthPenalty: c.lengthPenalty, earlyStopping: c.earlyStopping,
                                            eosTokenIds: c.eos, padTokenId: 3)
            let (sequences, scores) = try beamSearchWithScores(model: lm, inputIds: ref["input_ids"]!,
                                                               attentionMask: ref["attention_mask"]!, options: options)
            let new = try sequences.slice(dim: 1, start: 7)
            XCTAssertEqual(new.shape, [2, c.newTokens[0].count], "case \(i)")
            XCTAssertEqual(try new.ints(), c.newTokens.flatMap { $0 }, "case \(i) (\(c.family))")
            for (a, e) in zip(scores, c.scores) { XCTAssertEqual(a, e, accuracy: 1e-5 * max(1, abs(e)), "case \(i)") }
        }
    }

    struct NGramCase { var family: String, n: Int, numBeams: Int, newTokens: [[Int]] }

    /// no_repeat_ngram_size 1, 2, 3 greedy and 2 with 3 beams, against transformers 5.23
    /// (scripts/reference/llm_generation_cases.py). The rule covers the prompt (left padding
    /// included), so the first new token already changes for some rows.
    func testNoRepeatNGramMatchesHF() throws {
        let cases = [
            NGramCase(family: "qwen2", n: 1, numBeams: 1, newTokens: [[57, 130, 138, 149, 3, 3, 3, 3, 3, 3, 3, 3], [26, 141, 59, 61, 35, 19, 105, 60, 89, 57, 155, 67]]),
            NGramCase(family: "qwen2", n: 2, numBeams: 1, newTokens: [[57, 130, 138, 149, 3, 3, 3, 3, 3, 3, 3, 3], [26, 141, 59, 61, 35, 19, 105, 60, 89, 57, 155, 35]]),
            NGramCase(family: "qwen2", n: 3, numBeams: 1, newTokens: [[57, 130, 138, 149, 3, 3, 3, 3, 3, 3, 3, 3], [26, 141, 59, 61, 35, 19, 105, 60, 89, 57, 155, 35]]),
            NGramCase(family: "qwen2", n: 2, numBeams: 3, newTokens: [[57, 130, 141, 130, 149, 3, 3, 3, 3, 3, 3, 3], [26, 141, 59, 61, 35, 19, 31, 19, 49, 89, 78, 69]]),
            NGramCase(family: "llama", n: 1, numBeams: 1, newTokens: [[28, 118, 35, 29, 92, 103, 30, 126, 15, 34, 48, 55], [39, 99, 77, 7, 28, 90, 110, 125, 55, 14, 25, 92]]),
            NGramCase(family: "llama", n: 2, numBeams: 1, newTokens: [[123, 6, 118, 118, 29, 66, 110, 25, 94, 28, 28, 126], [39, 99, 77, 7, 41, 90, 90, 28, 28, 90, 92, 110]]),
            NGramCase(family: "llama", n: 3, numBeams: 1, newTokens: [[123, 6, 118, 118, 118, 49, 3, 3, 3, 3, 3, 3], [39, 99, 77, 7, 41, 90, 90, 28, 28, 28, 90, 28]]),
            NGramCase(family: "llama", n: 2, numBeams: 3, newTokens: [[28, 118, 28, 28, 35, 41, 49, 3, 3, 3, 3, 3], [39, 28, 28, 77, 28, 25, 28, 92, 19, 28, 32, 25]]),
            NGramCase(family: "qwen3", n: 1, numBeams: 1, newTokens: [[123, 58, 15, 16, 3, 3, 3, 3, 3, 3, 3, 3], [77, 12, 19, 105, 1, 101, 88, 107, 121, 54, 98, 17]]),
            NGramCase(family: "qwen3", n: 2, numBeams: 1, newTokens: [[123, 123, 76, 63, 123, 57, 80, 120, 94, 69, 65, 114], [77, 12, 19, 77, 72, 72, 12, 54, 77, 4, 101, 88]]),
            NGramCase(family: "qwen3", n: 3, numBeams: 1, newTokens: [[123, 123, 123, 16, 3, 3, 3, 3, 3, 3, 3, 3], [77, 12, 19, 77, 72, 72, 72, 12, 88, 12, 4, 101]]),
            NGramCase(family: "qwen3", n: 2, numBeams: 3, newTokens: [[123, 123, 58, 15, 16, 3, 3, 3, 3, 3, 3, 3], [105, 77, 4, 72, 59, 12, 1, 88, 105, 101, 68, 1]]),
        ]
        for c in cases {
            let lm = try DecoderLM.load(folder: Self.folder(c.family))
            let ref = try Self.reference(c.family)
            var options = try options(c.family, numBeams: c.numBeams)
            options.noRepeatNGramSize = c.n
            let prompt = ref["input_ids"]!.size(1)
            let out = c.numBeams == 1
                ? try generate(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!, options: options)
                : try beamSearchWithScores(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!, options: options).0
            XCTAssertEqual(try out.slice(dim: 1, start: prompt).ints(), c.newTokens.flatMap { $0 }, "\(c.family) n \(c.n) beams \(c.numBeams)")
        }
    }

    /// Each row generated alone (batch 1: the transposed-head path, padding kept) gives the row's
    /// tokens of the batched reference.
    func testGreedySingleRowsMatchBatchedHF() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let eos = try Self.referenceJSON(family).int("eos_token_id")
            for r in 0..<2 {
                let rows = try generate(model: lm, prefixEmbeds: lm.embed(ref["input_ids"]!.slice(dim: 0, r..<(r + 1))),
                                        prefixMask: ref["attention_mask"]!.slice(dim: 0, r..<(r + 1)), options: options(family))
                let expected = try ref["greedy_sequences"]!.select(dim: 0, index: r).slice(dim: 0, start: 7).ints()
                XCTAssertEqual(rows[0], Array(expected.prefix { $0 != eos }), "\(family) row \(r)")
            }
        }
    }

    func testDecodeLogitsEqualLogits() throws {
        for family in ["qwen2", "llama"] {  // tied and untied heads
            let lm = try DecoderLM.load(folder: Self.folder(family))
            for (rows, transposed) in [(1, true), (3, true), (1, false), (3, false)] {
                lm.transposedHeadForDecoding = transposed
                let h = try Tensor.randn([rows, lm.config.hiddenSize], generator: Generator(seed: 5))
                let diff = try (lm.decodeLogits(h) - lm.logits(h)).abs().amax().item()
                XCTAssertLessThanOrEqual(diff, 1e-5, "\(family) rows \(rows)")
            }
        }
    }

    /// The SteerMoE entry point: a prefix of embeddings gives the same tokens as the ids path,
    /// returned per row without eos and padding.
    func testGenerateFromPrefixEmbeds() throws {
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            let ref = try Self.reference(family)
            let json = try Self.referenceJSON(family)
            let eos = try json.int("eos_token_id")
            let embeds = try lm.embed(ref["input_ids"]!)
            for (beams, key) in [(1, "greedy_sequences"), (3, "beam3_sequences")] {
                let rows = try generate(model: lm, prefixEmbeds: embeds, prefixMask: ref["attention_mask"]!,
                                        options: options(family, numBeams: beams))
                let expected = try ref[key]!.slice(dim: 1, start: 7).ints()
                let width = ref[key]!.size(1) - 7
                for r in 0..<2 {
                    let row = Array(expected[(r * width)..<((r + 1) * width)])
                    XCTAssertEqual(rows[r], Array(row.prefix { $0 != eos }), "\(family) beams \(beams) row \(r)")
                }
            }
            // With prefixIds the repetition penalty sees the prompt, as the ids path does.
            let rep = try generate(model: lm, prefixEmbeds: embeds, prefixMask: ref["attention_mask"]!,
                                   prefixIds: ref["input_ids"]!, options: options(family, repetitionPenalty: 1.3))
            let expected = try ref["greedy_rep1.3_sequences"]!.slice(dim: 1, start: 7)
            for r in 0..<2 {
                XCTAssertEqual(rep[r], Array(try expected.select(dim: 0, index: r).ints().prefix { $0 != eos }), family)
            }
        }
    }

    /// Without eos ids nothing finishes: every row runs exactly maxNewTokens, row 0 goes on after
    /// the token that is its eos in the fixture (149) instead of padding.
    func testGreedyWithoutEOSRunsToMaxNewTokens() throws {
        let lm = try DecoderLM.load(folder: Self.folder("qwen2"))
        let ref = try Self.reference("qwen2")
        let out = try generate(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!,
                               options: GenerationOptions(maxNewTokens: 5, eosTokenIds: [], padTokenId: 3))
        XCTAssertEqual(out.shape, [2, 12])
        let expected = ref["greedy_sequences"]!
        // Up to and including the fixture's eos step (new token 4), the same tokens.
        XCTAssertEqual(try out.slice(dim: 1, end: 11).ints(), try expected.slice(dim: 1, end: 11).ints())
        XCTAssertEqual(try out.select(dim: 0, index: 1).ints(), try expected.select(dim: 0, index: 1).slice(dim: 0, end: 12).ints())
        XCTAssertNotEqual(try out.select(dim: 0, index: 0).select(dim: 0, index: 11).itemInt(), 3)
    }

    // MARK: CUDA

    /// Where a GPU exists: the same parity on CUDA (forward, greedy, beam). Skipped on CPU machines.
    func testCUDAParityWhenAvailable() throws {
        guard (try? Torch.loadCUDA()) != nil, Torch.cudaIsAvailable, Torch.cudaDeviceCount > 0 else {
            throw XCTSkip("no CUDA device")
        }
        for family in Self.families {
            let lm = try DecoderLM.load(folder: Self.folder(family))
            try lm.to(device: .cuda(0))
            let ref = try Self.reference(family)
            let ids = try ref["input_ids"]!.to(.cuda(0)), mask = try ref["attention_mask"]!.to(.cuda(0))
            let logits = try lm(inputIds: ids, attentionMask: mask).to(.cpu)
            XCTAssertLessThanOrEqual(try maxDiffAtTokens(logits, ref["logits"]!, mask: ref["attention_mask"]!), 1e-4, family)
            let greedy = try generate(model: lm, inputIds: ids, attentionMask: mask, options: options(family))
            XCTAssertEqual(greedy.device, .cuda(0))
            XCTAssertEqual(try greedy.to(.cpu).ints(), try ref["greedy_sequences"]!.ints(), family)
            let beam = try generate(model: lm, inputIds: ids, attentionMask: mask, options: options(family, numBeams: 3))
            XCTAssertEqual(try beam.to(.cpu).ints(), try ref["beam3_sequences"]!.ints(), family)
            let rows = try generate(model: lm, prefixEmbeds: lm.embed(ids), prefixMask: mask,
                                    options: options(family, repetitionPenalty: 1.3))
            XCTAssertEqual(rows.count, 2)
        }
    }

    // MARK: loading

    func testBFloat16LoadSmoke() throws {
        let ref = try Self.reference("qwen2")
        let lm = try DecoderLM.load(folder: Self.folder("qwen2"), dtype: .bfloat16)
        XCTAssertEqual(lm.dtype, .bfloat16)
        XCTAssertTrue(lm.parameters().allSatisfy { $0.value.dtype == .bfloat16 })
        let logits = try lm(inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!)
        XCTAssertEqual(logits.dtype, .bfloat16)
        XCTAssertTrue(try logits.isFinite().all())
        // bf16 keeps ~3 significant digits: close to the float32 reference, not equal.
        let diff = try maxDiffAtTokens(logits, ref["logits"]!, mask: ref["attention_mask"]!)
        let scale = try ref["logits"]!.abs().amax().item()
        XCTAssertLessThan(diff, 0.1 * scale)
        let out = try generate(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!,
                               options: GenerationOptions(model: lm, maxNewTokens: 4))
        XCTAssertEqual(out.size(0), 2)
    }

    func testLoadedWeightsAreFrozenAndNamedLikeHF() throws {
        let lm = try DecoderLM.load(folder: Self.folder("llama"))
        let names = Set(lm.namedParameters().map(\.name))
        let file = try Safetensors.File(path: Self.folder("llama") + "/model.safetensors")
        XCTAssertEqual(names, Set(file.names))
        XCTAssertTrue(lm.parameters().allSatisfy { !$0.requiresGrad })
        // Tied: no lm_head parameter.
        let qwen = try DecoderLM.load(folder: Self.folder("qwen3"))
        XCTAssertFalse(qwen.namedParameters().contains { $0.name.hasPrefix("lm_head") })
        XCTAssertTrue(qwen.namedParameters().contains { $0.name == "model.layers.1.self_attn.k_norm.weight" })
    }

    func testMissingWeightErrorNamesKeyAndFolder() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("llm-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let source = Self.folder("qwen3")
        for name in ["config.json", "generation_config.json"] {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: tmp.appendingPathComponent(name).path)
        }
        var weights = try Safetensors.load(source + "/model.safetensors")
        weights["model.layers.1.mlp.up_proj.weight"] = nil
        try Safetensors.save(weights, to: tmp.appendingPathComponent("model.safetensors").path)
        XCTAssertThrowsError(try DecoderLM.load(folder: tmp.path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("model.layers.1.mlp.up_proj.weight"), message)
            XCTAssertTrue(message.contains(tmp.lastPathComponent), message)
        }
    }
}
