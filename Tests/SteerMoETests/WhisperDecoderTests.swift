import XCTest
@testable import SteerMoE
@testable import Torch

/// Whisper's own decoder against transformers 5.23 (scripts/fixtures/make_whisper_decoder_fixtures.py):
/// logits ≤ 1e-4 max abs (fp32), greedy ids from `WhisperForConditionalGeneration.generate` identical.
final class WhisperDecoderTests: XCTestCase {
    let folder = Fixtures.path("models/whisper-decoder-tiny-random")
    let ref = try! Fixtures.tensors("models/whisper-decoder-tiny-random/reference.safetensors")

    override func setUp() {
        Torch.numThreads = 1  // tiny tensors: extra threads only cost (and spin against other jobs)
    }

    /// hash_uniform((3, 80, 3000), 31), row r scaled by [0.5, 1, 2] and shifted by [-1, 0, 1].
    func features() throws -> Tensor {
        try hashUniform([3, 80, 3000], seed: 31) * Tensor([Float(0.5), 1, 2], shape: [3, 1, 1])
            + Tensor([Float(-1), 0, 1], shape: [3, 1, 1])
    }

    func generationConfig() throws -> WhisperGenerationConfig {
        try WhisperGenerationConfig(folder: ModelFolder(folder))
    }

    func testLoadsConfigsAndBuildsPrompts() throws {
        let decoder = try WhisperDecoder.load(folder: folder)
        XCTAssertEqual(decoder.config, WhisperDecoderConfig(vocabSize: 64, width: 16, layers: 2, heads: 4, ffnWidth: 32, maxPositions: 32))
        XCTAssertEqual(decoder.trainableParameters().count, 0)
        let names = Set(decoder.namedParameters().map(\.name))
        XCTAssertTrue(names.contains("layers.1.encoder_attn.k_proj.weight"))
        XCTAssertFalse(names.contains("layers.0.self_attn.k_proj.bias"))
        let g = try generationConfig()
        XCTAssertEqual(g.suppressTokens, [8, 58, 61, 62])
        XCTAssertEqual(g.beginSuppressTokens, [27, 29, 40])
        XCTAssertEqual(g.eosTokenId, 27)
        XCTAssertEqual(try g.promptIds(language: "en"), [58, 59, 62, 63])
        XCTAssertEqual(try g.promptIds(language: "<|de|>"), [58, 60, 62, 63])
        XCTAssertEqual(try g.promptIds(language: "en", task: "translate"), [58, 59, 61, 63])
        XCTAssertThrowsError(try g.promptIds(language: "fr")) { XCTAssertTrue("\($0)".contains("lang_to_id")) }
        XCTAssertThrowsError(try g.promptIds(language: nil))
        var english = g
        english.isMultilingual = false
        XCTAssertEqual(try english.promptIds(language: nil), [58, 63])
        XCTAssertThrowsError(try english.promptIds(language: "de"))
    }

    func testDecoderLogitsMatchTransformers() throws {
        let decoder = try WhisperDecoder.load(folder: folder)
        let states = try hashUniform([2, 50, 16], seed: 32)
        try assertClose(states.slice(dim: 1, 0..<2), ref["decoder.encoder_hidden_states_head"]!, atol: 0, "hash_uniform")
        let ids = ref["decoder.input_ids"]!
        let cache = try decoder.makeCache(encoderStates: states, capacity: 8)
        let hidden = try decoder.hiddenStates(ids, cache: cache)
        try assertClose(hidden, ref["decoder.last_hidden_state"]!, atol: 1e-4)
        try assertClose(decoder(inputIds: ids, encoderStates: states), ref["decoder.logits"]!, atol: 1e-4)
    }

    /// Prompt at once, then one token per step against the self-attention cache: the logits of
    /// every position equal the full forward's.
    func testCachedDecodingEqualsFullForward() throws {
        let decoder = try WhisperDecoder.load(folder: folder)
        let states = try hashUniform([2, 50, 16], seed: 32)
        let ids = ref["decoder.input_ids"]!
        let cache = try decoder.makeCache(encoderStates: states, capacity: 2)  // grows on the way
        var parts = [try decoder.logits(decoder.hiddenStates(ids.slice(dim: 1, 0..<4), cache: cache))]
        for t in 4..<8 { parts.append(try decoder.logits(decoder.hiddenStates(ids.slice(dim: 1, t..<(t + 1)), cache: cache))) }
        XCTAssertEqual(cache.length, 8)
        try assertClose(Tensor.cat(parts, dim: 1), ref["decoder.logits"]!, atol: 1e-4)
        XCTAssertThrowsError(try decoder.hiddenStates(Tensor.zeros([2, 25], dtype: .int64), cache: cache)) {
            XCTAssertTrue("\($0)".contains("max_target_positions"))
        }
    }

    func testFullModelLogitsFromFeatures() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        let decoder = try WhisperDecoder.load(folder: folder)
        let x = try features()
        try assertClose(x.slice(dim: 2, 0..<16), ref["full.input_features_head"]!, atol: 0, "inputs")
        let states = try Autograd.noGrad { try encoder(x).lastHiddenState }
        try assertClose(decoder(inputIds: ref["full.input_ids"]!, encoderStates: states), ref["full.logits"]!, atol: 1e-4)
    }

    func testGreedyMatchesTransformersGenerate() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        let decoder = try WhisperDecoder.load(folder: folder)
        let g = try generationConfig()
        let states = try Autograd.noGrad { try encoder(features()).lastHiddenState }
        for language in ["en", "de"] {
            let rows = try whisperGreedyDecode(decoder: decoder, encoderStates: states, prompt: g.promptIds(language: language),
                                               generation: g, maxNewTokens: 20)
            XCTAssertEqual(rows, try expectedRows("greedy_\(language)"), language)
        }
        // The fixture's rows end at different steps (one at eos, others at the limit).
        XCTAssertEqual(try ref["greedy_en.lengths"]!.ints(), [3, 20, 20])
        // Each suppression rule changes these ids, so a decoder ignoring one fails above.
        var plain = g
        plain.beginSuppressTokens = []
        XCTAssertNotEqual(try whisperGreedyDecode(decoder: decoder, encoderStates: states, prompt: g.promptIds(language: "en"),
                                                  generation: plain, maxNewTokens: 20), try expectedRows("greedy_en"))
        plain = g
        plain.suppressTokens = []
        XCTAssertNotEqual(try whisperGreedyDecode(decoder: decoder, encoderStates: states, prompt: g.promptIds(language: "en"),
                                                  generation: plain, maxNewTokens: 20), try expectedRows("greedy_en"))
        XCTAssertThrowsError(try whisperGreedyDecode(decoder: decoder, encoderStates: states, prompt: g.promptIds(language: "en"),
                                                     generation: g, maxNewTokens: 29)) {
            XCTAssertTrue("\($0)".contains("max_target_positions"))
        }
    }

    /// Batch rows decode as they would alone (no cross-row leakage through the cache).
    func testBatchRowsDecodeAsSingles() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        let decoder = try WhisperDecoder.load(folder: folder)
        let g = try generationConfig()
        let states = try Autograd.noGrad { try encoder(features()).lastHiddenState }
        let expected = try expectedRows("greedy_en")
        for r in 0..<3 {
            let one = try whisperGreedyDecode(decoder: decoder, encoderStates: states.slice(dim: 0, r..<(r + 1)),
                                              prompt: g.promptIds(language: "en"), generation: g, maxNewTokens: 20)
            XCTAssertEqual(one, [expected[r]], "row \(r)")
        }
    }

    private func expectedRows(_ name: String) throws -> [[Int]] {
        let tokens = try ref["\(name).tokens"]!.ints(), lengths = try ref["\(name).lengths"]!.ints()
        let width = ref["\(name).tokens"]!.size(1)
        return lengths.enumerated().map { r, n in Array(tokens[r * width ..< r * width + n]) }
    }
}
