import XCTest
@testable import SteerMoE
@testable import Torch

/// Encoder parity with transformers' WhisperEncoder (fp32, ≤ 1e-4 max abs).
final class WhisperEncoderTests: XCTestCase {
    let folder = Fixtures.path("models/whisper-tiny-random")
    let ref = try! Fixtures.tensors("models/whisper-tiny-random/reference.safetensors")

    func testLoadsSizesFromConfigAndFreezes() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        XCTAssertEqual(encoder.config, WhisperEncoderConfig(melBins: 80, width: 32, layers: 2, heads: 4, ffnWidth: 64, maxPositions: 1500))
        XCTAssertEqual(encoder.trainableParameters().count, 0)
        XCTAssertTrue(encoder.namedParameters().map(\.name).contains("layers.1.self_attn.k_proj.weight"))
    }

    func testFull30SecondInput() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        let features = try hashUniform([2, 80, 3000], seed: 11)
        try assertClose(features.slice(dim: 2, start: 0, end: 16), ref["full.input_features_head"]!, atol: 0, "hash_uniform")
        let index = ref["full.time_index"]!
        let (last, layers) = try Autograd.noGrad { try encoder(features) }
        try assertClose(encoder.embed(features).indexSelect(dim: 1, index: index), ref["full.embeddings"]!, atol: 1e-4)
        for l in 0..<2 {
            try assertClose(layers[l].indexSelect(dim: 1, index: index), ref["full.layer_outputs"]!.select(dim: 0, index: l), atol: 1e-4, "layer \(l)")
        }
        try assertClose(last.indexSelect(dim: 1, index: index), ref["full.last_hidden_state"]!, atol: 1e-4)
    }

    func testShortInput() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        let (last, layers) = try encoder(hashUniform([2, 80, 206], seed: 12))
        try assertClose(layers[0], ref["short.layer_outputs"]!.select(dim: 0, index: 0), atol: 1e-4)
        try assertClose(layers[1], ref["short.layer_outputs"]!.select(dim: 0, index: 1), atol: 1e-4)
        try assertClose(last, ref["short.last_hidden_state"]!, atol: 1e-4)
    }

    func testFrameMaskHidesPaddingAndCheckpointingKeepsGradients() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        let x = try hashUniform([1, 80, 100], seed: 5)
        // A masked padded input gives the unpadded result on the real positions.
        let padded = try x.pad([0, 60])
        let mask = try Tensor([Int64](repeating: 1, count: 100) + [Int64](repeating: 0, count: 60), shape: [1, 160])
        let a = try encoder(x).lastHiddenState
        let b = try encoder(padded, frameMask: mask).lastHiddenState.slice(dim: 1, start: 0, end: 50)
        try assertClose(a, b, atol: 1e-5)

        let input1 = try x.clone().requiresGrad(true)
        try encoder(input1).lastHiddenState.pow(2).sum().backward()
        encoder.gradientCheckpointing = true
        let input2 = try x.clone().requiresGrad(true)
        try encoder(input2).lastHiddenState.pow(2).sum().backward()
        try assertClose(XCTUnwrap(input2.grad), XCTUnwrap(input1.grad), atol: 1e-5)
    }

    func testTooManyFramesIsAClearError() throws {
        let encoder = try WhisperEncoder.load(folder: folder)
        XCTAssertThrowsError(try encoder(Tensor.zeros([1, 80, 3002]))) { XCTAssertTrue("\($0)".contains("positions")) }
    }
}
