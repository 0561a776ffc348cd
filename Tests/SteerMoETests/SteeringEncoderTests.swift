import XCTest
@testable import SteerMoE
@testable import Torch

/// The audio half of SteerMoE against scripts/reference/steermoe_reference.py (fp32, ≤ 1e-4).
final class SteeringEncoderTests: XCTestCase {
    static let ref = try! Fixtures.tensors("steermoe/reference.safetensors")
    nonisolated(unsafe) static let info = try! Fixtures.json("steermoe/reference.json")
    static let encoder = try! WhisperEncoder.load(folder: Fixtures.path("models/whisper-tiny-random"))

    /// Builds the adapter of a fixture case with the fixture's parameter values.
    static func adapter(case name: String) throws -> SteeringAdapter {
        let c = (info["cases"] as! [String: Any])[name] as! [String: Any]
        let config = c["config"] as! [String: Any]
        var o = SteerMoEOptions()
        o.mode = SteerMoEOptions.Mode(rawValue: config["mode"] as! String)!
        o.numExperts = config["num_experts"] as! Int
        o.steeringScale = config["steering_scale"] as! Double
        o.useLayerScales = config["use_layer_scales"] as! Bool
        o.pooling = SteerMoEOptions.Pooling(rawValue: config["pooling_type"] as! String)!
        o.poolingKernel = config["pooling_kernel_size"] as! Int
        o.poolingPosition = config["pooling_position"] as? Int
        o.maxPromptTokens = config["max_prompt_tokens"] as? Int
        o.projector = SteerMoEOptions.Projector(rawValue: config["projector"] as! String)!
        o.projectorHiddenSize = config["projector_hidden_size"] as! Int
        let adapter = try SteeringAdapter(layers: c["num_layers"] as! Int, encoderWidth: c["d_whisper"] as! Int,
                                          llmWidth: c["d_llm"] as! Int, options: o)
        var params: [String: Tensor] = [:]
        for (k, v) in ref where k.hasPrefix("\(name).param.") { params[String(k.dropFirst("\(name).param.".count))] = v }
        try adapter.load(params)
        XCTAssertEqual(Set(adapter.namedParameters().map(\.name)), Set(params.keys), "upstream parameter names")
        return adapter
    }

    func testAudioPathMatchesReferenceForEveryCase() throws {
        let cases = (Self.info["cases"] as! [String: Any]).keys.sorted()
        XCTAssertEqual(cases.count, 6)
        for name in cases {
            let adapter = try Self.adapter(case: name)
            let out = try SteeringEncoder(encoder: Self.encoder, adapter: adapter)(Self.ref["features"]!)
            try assertClose(out.encoderOutput, Self.ref["\(name).encoder_output"]!, atol: 1e-4, name)
            guard let audio = Self.ref["\(name).audio_embeds"] else { continue }  // maxpool case stores only encoder_output
            try assertClose(out.embeddings, audio, atol: 1e-4, name)
            for l in 0..<2 {
                try assertClose(out.layerOutputs[l], Self.ref["\(name).layer_outputs.\(l)"]!, atol: 1e-4, "\(name) layer \(l)")
                if let g = Self.ref["\(name).gates.\(l)"] { try assertClose(out.gates[l], g, atol: 1e-5, "\(name) gates \(l)") }
            }
        }
    }

    func testInitialisationFollowsTheProcedure() throws {
        var o = SteerMoEOptions()
        o.numExperts = 8
        let a = try SteeringAdapter(layers: 6, encoderWidth: 64, llmWidth: 96, options: o, generator: Generator(seed: 0))
        XCTAssertEqual(a.steeringVectors!.value.shape, [6, 8, 64])
        XCTAssertEqual(try a.steeringVectors!.value.to(dtype: .float64).variance().sqrt().item(), 0.01, accuracy: 0.001)
        XCTAssertEqual(try a.layerScales!.value.floats(), [Float](repeating: 0.1, count: 6))
        XCTAssertEqual(a.router!.weight.value.shape, [48, 64])
        XCTAssertEqual(a.projection!.weight.value.shape, [96, 64])
        o.mode = .linear
        let linear = try SteeringAdapter(layers: 6, encoderWidth: 64, llmWidth: 64, options: o)
        XCTAssertEqual(linear.namedParameters().count, 0, "linear baseline with equal widths has nothing to train")
    }

    func testTrimmedAudioMasksPaddingAndBalancingLoss() throws {
        var o = SteerMoEOptions()
        o.numExperts = 4
        o.audioPadding = .trim
        let adapter = try SteeringAdapter(layers: 2, encoderWidth: 32, llmWidth: 48, options: o, generator: Generator(seed: 1))
        let model = SteeringEncoder(encoder: Self.encoder, adapter: adapter)
        let x = try hashUniform([1, 80, 64], seed: 3)
        let alone = try model(x, frameMask: Tensor.ones([1, 64], dtype: .int64))
        let padded = try model(x.pad([0, 40]), frameMask: Tensor([Int64](repeating: 1, count: 64) + [Int64](repeating: 0, count: 40), shape: [1, 104]))
        XCTAssertEqual(padded.embeddings.size(1), 13)
        XCTAssertEqual(try padded.mask!.to(dtype: .int64).sum().itemInt(), 8)
        try assertClose(padded.embeddings.slice(dim: 1, start: 0, end: 8), alone.embeddings, atol: 1e-5)
        let uniform = try SteeringEncoder.loadBalancingLoss(gates: [Tensor.full([1, 5, 4], 0.25)], mask: nil)!
        XCTAssertEqual(try uniform.item(), 0, accuracy: 1e-6)
        let collapsed = try SteeringEncoder.loadBalancingLoss(gates: [Tensor([1, 0, 0, 0] as [Float], shape: [1, 1, 4])], mask: nil)!
        XCTAssertEqual(try collapsed.item(), 3, accuracy: 1e-6)
    }

    /// `pad30_cut`: the encoder attends over the whole (padded) window like `pad30`, and each row
    /// keeps its own clip's tokens, masked as in `trim`. Valid lengths here are multiples of the
    /// pooling window, so the kept tokens equal pad30's exactly; `trim` differs (masked attention).
    func testPad30CutKeepsTheClipTokensOfThePaddedWindow() throws {
        func model(_ padding: SteerMoEOptions.AudioPadding) throws -> SteeringEncoder {
            var o = SteerMoEOptions()
            o.numExperts = 4
            o.audioPadding = padding
            return SteeringEncoder(encoder: Self.encoder, adapter: try SteeringAdapter(layers: 2, encoderWidth: 32, llmWidth: 48,
                                                                                       options: o, generator: Generator(seed: 1)))
        }
        let x = try hashUniform([2, 80, 104], seed: 5)
        // Row 0 hears 64 frames (32 positions, 8 tokens), row 1 96 frames (12 tokens) of the 104.
        let frameMask = try Tensor((0..<2).flatMap { r in (0..<104).map { Int64($0 < (r == 0 ? 64 : 96) ? 1 : 0) } }, shape: [2, 104])
        let cut = try model(.pad30Cut)(x, frameMask: frameMask)
        let full = try model(.pad30)(x, frameMask: frameMask)
        let trimmed = try model(.trim)(x, frameMask: frameMask)
        XCTAssertEqual(full.embeddings.size(1), 13)
        XCTAssertNil(full.mask)
        XCTAssertEqual(cut.embeddings.size(1), 12, "cut to the longest clip of the batch")
        XCTAssertEqual(try cut.mask!.to(dtype: .int64).sum([1]).ints(), [8, 12])
        for (r, n) in [(0, 8), (1, 12)] {
            let kept = try cut.embeddings.slice(dim: 0, r..<(r + 1)).slice(dim: 1, start: 0, end: n)
            try assertClose(kept, full.embeddings.slice(dim: 0, r..<(r + 1)).slice(dim: 1, start: 0, end: n), atol: 1e-5)
        }
        let trimmedRow0 = try trimmed.embeddings.slice(dim: 0, 0..<1).slice(dim: 1, start: 0, end: 8)
        XCTAssertGreaterThan(try maxAbsDiff(trimmedRow0, cut.embeddings.slice(dim: 0, 0..<1).slice(dim: 1, start: 0, end: 8)), 1e-3,
                             "trim masks the padding in attention; pad30_cut does not")
    }

    /// Padded 30 s items carry their real frame count, which the stacked frame mask marks.
    func testPaddedItemsStackWithTheirValidFrames() throws {
        let extractor = try LogMelExtractor.forWhisper(folder: Fixtures.path("models/whisper-tiny-random"), encoderMelBins: 80)
        let clips = [[Float](repeating: 0.1, count: 16_000), [Float](repeating: -0.2, count: 4_010)]
        let items = try clips.map { try Featurizer.clipItem($0, extractor: extractor, padding: .pad30Cut) }
        let (features, mask) = try Featurizer.stack(items)
        XCTAssertEqual(features.shape, [2, 80, 3000])
        XCTAssertEqual(try mask.sum([1]).ints(), [100, 26], "a frame per started 160-sample hop")
    }
}
