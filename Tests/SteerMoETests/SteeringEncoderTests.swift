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
        XCTAssertEqual(cases.count, 5)
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
}
