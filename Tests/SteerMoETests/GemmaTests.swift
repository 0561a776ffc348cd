import Foundation
import XCTest
@testable import SteerMoE
import Torch

/// Parity of the Gemma 3 text decoder with transformers 5.23 on a tiny random model
/// (Fixtures/models/gemma3-tiny-random, written by scripts/fixtures/make_gemma_fixtures.py):
/// layers sliding / full / sliding with window 4 under 9-token prompts, linear-scaled global RoPE.
final class GemmaTests: XCTestCase {
    static var folder: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("models/gemma3-tiny-random").path
    }
    static func reference() throws -> [String: Tensor] { try Safetensors.load(folder + "/reference.safetensors") }
    static func referenceJSON() throws -> HFConfig { try HFConfig(path: folder + "/reference.json") }

    override func setUp() {
        Torch.numThreads = 1
    }

    /// Max |a − b| over the rows where `mask` is 1 (outputs at left padding are undefined).
    func maxDiffAtTokens(_ a: Tensor, _ b: Tensor, mask: Tensor) throws -> Double {
        XCTAssertEqual(a.shape, b.shape)
        let keep = try mask.ne(0)
        return try (a.index(keep).to(dtype: .float64) - b.index(keep).to(dtype: .float64)).abs().amax().item()
    }

    /// The fixture model rebuilt with a changed Gemma setting (same weights).
    func model(adjusting change: (inout GemmaSettings) -> Void) throws -> DecoderLM {
        let f = try ModelFolder(Self.folder)
        var config = try DecoderConfig(folder: f)
        change(&config.gemma!)
        let lm = try DecoderLM(config: config, weights: WeightReader(weights: f.weights(), source: Self.folder))
        lm.eval()
        return lm
    }

    // MARK: config

    /// The fixture's config.json is spelled like the hub's (rope_theta, rope_local_base_freq,
    /// rope_scaling, sliding_window_pattern).
    func testConfigHubSpelling() throws {
        let c = try DecoderConfig(folder: ModelFolder(Self.folder))
        XCTAssertEqual(c.modelType, "gemma3_text")
        let g = try XCTUnwrap(c.gemma)
        XCTAssertEqual(g.slidingLayers, [true, false, true])  // pattern 2: every second layer global
        XCTAssertEqual(g.slidingWindow, 4)
        XCTAssertEqual(g.localRopeTheta, 10000)
        XCTAssertEqual(g.queryPreAttnScalar, 24)
        XCTAssertNil(g.finalLogitSoftcapping)
        XCTAssertFalse(g.multimodal)
        XCTAssertEqual(c.ropeTheta, 1e6)
        XCTAssertEqual(c.ropeScaling, .linear(factor: 2))
        XCTAssertEqual(c.headDim, 16)
        XCTAssertTrue(c.tieWordEmbeddings && !c.qkvBias)
        XCTAssertEqual(c.eosTokenIds, [try Self.referenceJSON().int("eos_token_id")])
        XCTAssertEqual(c.padTokenId, 3)
        XCTAssertNil(c.bosTokenId)  // null in config.json: not replaced by the default 2
    }

    /// transformers-5 spelling (per-layer-type rope_parameters, layer_types) and a multimodal
    /// `gemma3` config whose text_config lists only non-default keys, as gemma-3-4b-it's does.
    func testConfigTransformers5AndMultimodalSpellings() throws {
        let t5: [String: Any] = [
            "model_type": "gemma3_text", "vocab_size": 262144, "hidden_size": 640, "intermediate_size": 2048,
            "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 256,
            "layer_types": ["sliding_attention", "full_attention", "sliding_attention"], "sliding_window": 512,
            "rope_parameters": ["full_attention": ["rope_type": "default", "rope_theta": 1e6],
                                "sliding_attention": ["rope_type": "default", "rope_theta": 1e4]],
            "final_logit_softcapping": NSNull(), "eos_token_id": 1, "pad_token_id": 0, "bos_token_id": 2,
        ]
        let c = try DecoderConfig(config: HFConfig(path: "t5.json", values: t5))
        XCTAssertEqual(c.gemma?.slidingLayers, [true, false, true])
        XCTAssertEqual(c.gemma?.slidingWindow, 512)
        XCTAssertEqual(c.ropeScaling, RoPEScaling.none)
        XCTAssertEqual(c.ropeTheta, 1e6)
        XCTAssertEqual(c.gemma?.localRopeTheta, 1e4)
        XCTAssertEqual(c.gemma?.queryPreAttnScalar, 256)  // default
        XCTAssertEqual(c.numKVHeads, 1)

        let multimodal: [String: Any] = [
            "model_type": "gemma3", "eos_token_id": [1, 106],
            "text_config": ["model_type": "gemma3_text", "hidden_size": 2560, "intermediate_size": 10240,
                            "num_hidden_layers": 34, "rope_scaling": ["factor": 8.0, "rope_type": "linear"],
                            "sliding_window": 1024],
            "vision_config": ["model_type": "siglip_vision_model"],
        ]
        let m = try DecoderConfig(config: HFConfig(path: "mm.json", values: multimodal))
        XCTAssertEqual(m.gemma?.multimodal, true)
        XCTAssertEqual(m.ropeScaling, .linear(factor: 8))
        XCTAssertEqual(m.gemma?.slidingLayers.count, 34)
        XCTAssertEqual(m.gemma?.slidingLayers.enumerated().filter { !$0.element }.map(\.offset), [5, 11, 17, 23, 29])
        XCTAssertEqual([m.numHeads, m.numKVHeads, m.headDim, m.vocabSize], [8, 4, 256, 262_208])  // HF defaults
        XCTAssertEqual(m.eosTokenIds, [1, 106])
        XCTAssertTrue(m.tieWordEmbeddings)

        // Settings we would compute wrongly are refused by name.
        var silu = t5
        silu["hidden_activation"] = "silu"
        var yarn = t5
        yarn["rope_parameters"] = ["full_attention": ["rope_type": "yarn", "rope_theta": 1e6, "factor": 4.0]]
        var bidirectional = t5
        bidirectional["use_bidirectional_attention"] = true
        var badTypes = t5
        badTypes["layer_types"] = ["sliding_attention", "full_attention"]
        for (values, word) in [(silu, "silu"), (yarn, "yarn"), (bidirectional, "bidirectional"), (badTypes, "layer_types")] {
            XCTAssertThrowsError(try DecoderConfig(config: HFConfig(path: "bad.json", values: values))) { error in
                XCTAssertTrue("\(error)".contains(word) && "\(error)".contains("bad.json"), "\(error)")
            }
        }
    }

    /// Read from a file (Foundation's parser): 0 and 1 are numbers, not booleans.
    func testZeroAndOneInConfigFileAreIntegers() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gemma-config-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let json = #"{"model_type": "gemma3_text", "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 256,"#
            + #" "num_hidden_layers": 2, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2, "use_bidirectional_attention": false}"#
        try Data(json.utf8).write(to: url)
        let c = try DecoderConfig(config: HFConfig(path: url.path))
        XCTAssertEqual(c.numKVHeads, 1)
        XCTAssertEqual(c.padTokenId, 0)
        XCTAssertEqual(c.eosTokenIds, [1])
    }

    func testLinearRoPEFrequencies() throws {
        let plain = try RotaryEmbedding.inverseFrequencies(headDim: 16, theta: 1e6, scaling: .none)
        let scaled = try RotaryEmbedding.inverseFrequencies(headDim: 16, theta: 1e6, scaling: .linear(factor: 2))
        XCTAssertEqual(scaled, plain.map { $0 / 2 })
        XCTAssertEqual(plain[0], 1)
        XCTAssertEqual(plain[1], 0.17782794, accuracy: 1e-7)  // 1e6^(-2/16)
    }

    // MARK: forward parity

    func testLogitsFromIdsMatchHF() throws {
        let lm = try DecoderLM.load(folder: Self.folder)
        let ref = try Self.reference()
        let (ids, mask) = (ref["input_ids"]!, ref["attention_mask"]!)
        let logits = try lm(inputIds: ids, attentionMask: mask)
        let diff = try maxDiffAtTokens(logits, ref["logits"]!, mask: mask)
        XCTAssertLessThanOrEqual(diff, 1e-4)
        let explicit = try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(ids), attentionMask: mask,
                                                     positionIds: ref["position_ids"]!))
        XCTAssertLessThanOrEqual(try maxDiffAtTokens(explicit, ref["logits"]!, mask: mask), 1e-4)
        XCTAssertTrue(try logits.isFinite().all())
        print("gemma3: logits max abs diff at tokens \(diff)")
    }

    func testLogitsFromEmbedsMatchHF() throws {
        let lm = try DecoderLM.load(folder: Self.folder)
        let ref = try Self.reference()
        let hidden = try lm.hiddenStates(inputsEmbeds: ref["inputs_embeds"]!, attentionMask: ref["attention_mask"]!,
                                         positionIds: ref["position_ids"]!)
        let diff = try maxDiffAtTokens(lm.logits(hidden), ref["logits_from_embeds"]!, mask: ref["attention_mask"]!)
        XCTAssertLessThanOrEqual(diff, 1e-4)
    }

    func testFinalLogitSoftcappingMatchesHF() throws {
        let lm = try model { $0.finalLogitSoftcapping = 5 }
        let ref = try Self.reference()
        let mask = ref["attention_mask"]!
        let logits = try lm(inputIds: ref["input_ids"]!, attentionMask: mask)
        XCTAssertLessThanOrEqual(try maxDiffAtTokens(logits, ref["logits_softcap5"]!, mask: mask), 1e-4)
        XCTAssertLessThanOrEqual(try logits.abs().amax().item(), 5.0)
        // The batch-1 decoding head is capped too.
        let hidden = try lm.hiddenStates(inputsEmbeds: lm.embed(ref["input_ids"]!.slice(dim: 0, 0..<1)), attentionMask: nil)
        let last = try hidden.select(dim: 1, index: hidden.size(1) - 1)
        XCTAssertLessThanOrEqual(try (lm.decodeLogits(last) - lm.logits(last)).abs().amax().item(), 1e-5)
    }

    /// The fixture is discriminating: without the window (or with the global RoPE base on every
    /// layer) the logits move far beyond the tolerance.
    func testWindowAndLocalRoPEMatter() throws {
        let ref = try Self.reference()
        let mask = ref["attention_mask"]!
        for (what, lm) in [("no window", try model { $0.slidingWindow = 64 }),
                           ("global rope base", try model { $0.localRopeTheta = 1e6 })] {
            let logits = try lm(inputIds: ref["input_ids"]!, attentionMask: mask)
            XCTAssertGreaterThan(try maxDiffAtTokens(logits, ref["logits"]!, mask: mask), 1e-2, what)
        }
    }

    func testLoadedWeightsAreFrozenAndNamedLikeHF() throws {
        let lm = try DecoderLM.load(folder: Self.folder)
        let file = try Safetensors.File(path: Self.folder + "/model.safetensors")
        XCTAssertEqual(Set(lm.namedParameters().map(\.name)), Set(file.names))
        XCTAssertTrue(lm.namedParameters().contains { $0.name == "model.layers.2.post_feedforward_layernorm.weight" })
        XCTAssertTrue(lm.parameters().allSatisfy { !$0.requiresGrad })
    }

    /// A multimodal `gemma3` folder (text model under `language_model.model.*`, hub layout)
    /// loads to the same text model.
    func testMultimodalFolderLoadsTextModel() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gemma3-mm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let text = try HFConfig(path: Self.folder + "/config.json").values
        let config: [String: Any] = ["model_type": "gemma3", "text_config": text,
                                     "vision_config": ["model_type": "siglip_vision_model"]]
        try JSONSerialization.data(withJSONObject: config).write(to: tmp.appendingPathComponent("config.json"))
        var weights: [String: Tensor] = ["vision_tower.vision_model.post_layernorm.weight": try Tensor.ones([4])]
        for (k, v) in try Safetensors.load(Self.folder + "/model.safetensors") {
            weights["language_model." + k] = v
        }
        try Safetensors.save(weights, to: tmp.appendingPathComponent("model.safetensors").path)

        let lm = try DecoderLM.load(folder: tmp.path)
        let ref = try Self.reference()
        let logits = try lm(inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!)
        XCTAssertLessThanOrEqual(try maxDiffAtTokens(logits, ref["logits"]!, mask: ref["attention_mask"]!), 1e-4)
    }

    // MARK: KV cache and generation

    /// Prefill + single tokens + a chunk through the cache equals one full forward, with the
    /// window sliding past the prompt and the left padding.
    func testKVCacheIncrementalEqualsFullForward() throws {
        let lm = try DecoderLM.load(folder: Self.folder)
        let ref = try Self.reference()
        let prompt = ref["input_ids"]!, promptMask = ref["attention_mask"]!
        let extra = try Tensor(rows: [[5, 9, 11, 13, 17], [21, 8, 30, 6, 40]])
        let ids = try Tensor.cat([prompt, extra], dim: 1)
        let mask = try Tensor.cat([promptMask, extra.onesLike()], dim: 1)
        let full = try lm(inputIds: ids, attentionMask: mask)

        let cache = lm.makeCache(capacity: 4)
        var pieces = [try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(prompt), attentionMask: promptMask, cache: cache))]
        var seen = prompt.size(1)
        for chunk in [0..<1, 1..<2, 2..<5] {
            seen += chunk.count
            let h = try lm.hiddenStates(inputsEmbeds: lm.embed(extra.slice(dim: 1, chunk)), attentionMask: mask.slice(dim: 1, end: seen),
                                        cache: cache)
            pieces.append(try lm.logits(h))
        }
        XCTAssertLessThanOrEqual(try maxDiffAtTokens(Tensor.cat(pieces, dim: 1), full, mask: mask), 1e-5)

        // Without a mask (plain causal on global layers, explicit window on local ones).
        let row = try ids.slice(dim: 0, 0..<1)
        let plain = try lm(inputIds: row, attentionMask: nil)
        let rowCache = lm.makeCache()
        let steps = try (0..<row.size(1)).map { i in
            try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(row.slice(dim: 1, i..<(i + 1))), attentionMask: nil, cache: rowCache))
        }
        XCTAssertLessThanOrEqual(try (Tensor.cat(steps, dim: 1) - plain).abs().amax().item(), 1e-5)
    }

    func options(numBeams: Int = 1, repetitionPenalty: Double = 1) throws -> GenerationOptions {
        let json = try Self.referenceJSON()
        return GenerationOptions(maxNewTokens: 12, numBeams: numBeams, repetitionPenalty: repetitionPenalty,
                                 lengthPenalty: 1, earlyStopping: false,
                                 eosTokenIds: [try json.int("eos_token_id")], padTokenId: try json.int("pad_token_id"))
    }

    func testGreedyAndRepetitionPenaltyMatchHF() throws {
        let lm = try DecoderLM.load(folder: Self.folder)
        let ref = try Self.reference()
        for (key, penalty) in [("greedy_sequences", 1.0), ("greedy_rep1.3_sequences", 1.3)] {
            let out = try generate(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!,
                                   options: options(repetitionPenalty: penalty))
            XCTAssertEqual(out.shape, ref[key]!.shape, key)
            XCTAssertEqual(try out.ints(), try ref[key]!.ints(), key)
        }
    }

    func testBeamSearchMatchesHF() throws {
        let lm = try DecoderLM.load(folder: Self.folder)
        let ref = try Self.reference()
        let (sequences, scores) = try beamSearchWithScores(model: lm, inputIds: ref["input_ids"]!,
                                                           attentionMask: ref["attention_mask"]!,
                                                           options: options(numBeams: 3))
        XCTAssertEqual(sequences.shape, ref["beam3_sequences"]!.shape)
        XCTAssertEqual(try sequences.ints(), try ref["beam3_sequences"]!.ints())
        for (a, e) in zip(scores, try ref["beam3_sequences_scores"]!.floats()) {
            XCTAssertEqual(a, e, accuracy: 1e-5)
        }
    }

    /// Training path: layer checkpointing through Gemma blocks gives the same values and gradients.
    func testCheckpointedLayersSameValuesAndGradients() throws {
        let lm = try DecoderLM.load(folder: Self.folder)
        let ref = try Self.reference()
        let mask = ref["attention_mask"]!
        var results: [(Tensor, Tensor)] = []
        for checkpoint in [false, true] {
            let x = try ref["inputs_embeds"]!.clone().requiresGrad(true)
            let h = try lm.hiddenStates(inputsEmbeds: x, attentionMask: mask, checkpointLayers: checkpoint)
            try (lm.logits(h) * mask.unsqueeze(2)).square().sum().backward()
            results.append((try h.detach(), x.grad!))
        }
        XCTAssertEqual(try (results[0].0 - results[1].0).abs().amax().item(), 0, accuracy: 1e-6)
        XCTAssertEqual(try (results[0].1 - results[1].1).abs().amax().item(), 0, accuracy: 1e-5)
        XCTAssertGreaterThan(try results[0].1.abs().amax().item(), 0)
    }

    /// SteerMoE runs on a Gemma decoder unchanged: the tiny stack with the Gemma fixture and a
    /// Gemma-style tokenizer overfits eight utterances and transcribes them (training through
    /// the Gemma layers, greedy decoding with the sliding-window cache, SentencePiece decoding).
    func testSteerMoEOverfitsWithGemmaDecoder() throws {
        let stack = try TinyStack(llm: .gemma3)
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run")
        // The random Gemma fixture starts far off (loss ~7.4: sharp tied logits, and the audio
        // reaches the text only through its one global layer): twice the Qwen2 stack's steps.
        config.maxSteps = 500
        let trainer = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        try trainer.run()
        let first = trainer.stepLosses.first!, final = trainer.stepLosses.suffix(5).reduce(0, +) / 5
        XCTAssertGreaterThan(first, 1.0, "starts from an untrained adapter")
        XCTAssertLessThan(final, first / 10, "loss \(first) -> \(final)")
        let transcriber = try Transcriber(checkpoint: stack.root + "/run/final")
        let files = TinyStack.words.indices.map { stack.root + "/data/\($0).wav" }
        XCTAssertEqual(try transcriber.transcribe(files: files, batchSize: 3), TinyStack.words)
    }

    /// bfloat16 weights: Gemma norms compute in float32 and cast back, the embedding scale is
    /// rounded to bfloat16 first; the result stays near the float32 reference.
    func testBFloat16LoadSmoke() throws {
        let ref = try Self.reference()
        let lm = try DecoderLM.load(folder: Self.folder, dtype: .bfloat16)
        XCTAssertTrue(lm.parameters().allSatisfy { $0.value.dtype == .bfloat16 })
        let logits = try lm(inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!)
        XCTAssertEqual(logits.dtype, .bfloat16)
        XCTAssertTrue(try logits.isFinite().all())
        let diff = try maxDiffAtTokens(logits, ref["logits"]!, mask: ref["attention_mask"]!)
        XCTAssertLessThan(diff, 0.1 * (try ref["logits"]!.abs().amax().item()))
        let out = try generate(model: lm, inputIds: ref["input_ids"]!, attentionMask: ref["attention_mask"]!,
                               options: GenerationOptions(model: lm, maxNewTokens: 4))
        XCTAssertEqual(out.size(0), 2)
    }

    /// A real Gemma 3 checkpoint (not committed) against references from
    /// `make_gemma_fixtures.py --real MODEL_DIR OUT_DIR`: a left-padded batch, one prompt
    /// longer than the sliding window, and greedy continuations.
    func testRealGemmaWhenAvailable() throws {
        let env = ProcessInfo.processInfo.environment
        guard let modelDir = env["STEERMOE_GEMMA_MODEL_DIR"], let refDir = env["STEERMOE_GEMMA_REFERENCE_DIR"] else {
            throw XCTSkip("STEERMOE_GEMMA_MODEL_DIR / STEERMOE_GEMMA_REFERENCE_DIR not set")
        }
        let lm = try DecoderLM.load(folder: modelDir)
        let ref = try Safetensors.load(refDir + "/real_reference.safetensors")
        let (ids, mask) = (ref["input_ids"]!, ref["attention_mask"]!)
        let logits = try lm(inputIds: ids, attentionMask: mask)
        let t = ids.size(1)
        // Relative to the logit scale (a 262k-way head over 640-wide states): 1e-4 of the largest.
        let scale = try ref["last_logits"]!.abs().amax().item()
        let last = try (logits.select(dim: 1, index: t - 1) - ref["last_logits"]!).abs().amax().item()
        XCTAssertLessThanOrEqual(last, 1e-4 * scale)
        let row1 = try maxDiffAtTokens(logits.select(dim: 0, index: 1), ref["row1_logits"]!, mask: mask.select(dim: 0, index: 1))
        XCTAssertLessThanOrEqual(row1, 1e-4 * scale)
        let long = try lm(inputIds: ref["long_input_ids"]!, attentionMask: nil)
        let longDiff = try (long.select(dim: 1, index: long.size(1) - 1) - ref["long_last_logits"]!).abs().amax().item()
        XCTAssertLessThanOrEqual(longDiff, 1e-4 * scale)
        let greedy = try generate(model: lm, inputIds: ids, attentionMask: mask,
                                  options: GenerationOptions(maxNewTokens: 8, eosTokenIds: [], padTokenId: lm.config.padTokenId))
        XCTAssertEqual(try greedy.ints(), try ref["greedy_sequences"]!.ints())
        print("real gemma: last-logit diff \(last), row-1 \(row1), long prompt \(longDiff) (scale \(scale))")
    }
}
