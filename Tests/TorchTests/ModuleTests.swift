import XCTest
@testable import Torch

private final class Block: Module, @unchecked Sendable {
    @Key var attention: Linear
    let mlp: Linear
    let norm: LayerNorm
    init(width: Int) throws {
        _attention = try Key(wrappedValue: Linear(width, width), "self_attn")
        mlp = try Linear(width, 8, bias: false)
        norm = try LayerNorm(width)
    }
}

private final class Model: Module, @unchecked Sendable {
    @Key var embed: Embedding
    let layers: [Block]
    let head: Linear?
    init(width: Int) throws {
        _embed = try Key(wrappedValue: Embedding(10, width), "embed_tokens")
        layers = [try Block(width: width), try Block(width: width)]
        head = nil
    }
}

final class ModuleTests: XCTestCase {
    func testNamedParametersUseHuggingFaceKeys() throws {
        let m = try Model(width: 4)
        let names = m.namedParameters().map(\.name)
        XCTAssertEqual(names, [
            "embed_tokens.weight",
            "layers.0.self_attn.weight", "layers.0.self_attn.bias", "layers.0.mlp.weight",
            "layers.0.norm.weight", "layers.0.norm.bias",
            "layers.1.self_attn.weight", "layers.1.self_attn.bias", "layers.1.mlp.weight",
            "layers.1.norm.weight", "layers.1.norm.bias",
        ])
        XCTAssertEqual(m.parameterCount(), 40 + 2 * (16 + 4 + 32 + 8))
    }

    func testFreezeLoadAndModes() throws {
        let m = try Model(width: 4)
        try m.freeze()
        XCTAssertEqual(m.trainableParameters().count, 0)
        try m.layers[0].attention.unfreeze()
        XCTAssertEqual(m.trainableParameters().count, 2)

        var weights = m.stateDict()
        weights["embed_tokens.weight"] = try Tensor.zeros([10, 4])
        weights["extra"] = try Tensor.zeros([1])
        let result = try m.load(weights)
        XCTAssertEqual(result.unexpected, ["extra"])
        XCTAssertEqual(try m.embed.weight.value.sum().item(), 0)
        XCTAssertTrue(m.layers[0].attention.weight.requiresGrad, "load keeps trainable flags")
        XCTAssertFalse(m.embed.weight.requiresGrad)

        weights["embed_tokens.weight"] = try Tensor.zeros([3, 4])
        XCTAssertThrowsError(try m.load(weights)) { XCTAssertTrue("\($0)".contains("embed_tokens.weight")) }
        weights.removeValue(forKey: "layers.1.mlp.weight")
        weights["embed_tokens.weight"] = try Tensor.zeros([10, 4])
        XCTAssertThrowsError(try m.load(weights)) { XCTAssertTrue("\($0)".contains("layers.1.mlp.weight")) }

        m.eval()
        XCTAssertFalse(m.layers[1].norm.training)
        m.train()
        XCTAssertTrue(m.layers[1].norm.training)
        try m.to(dtype: .bfloat16)
        XCTAssertEqual(m.layers[1].mlp.weight.value.dtype, .bfloat16)
    }

    func testLayersMatchFunctionalOps() throws {
        let lin = try Linear(3, 2)
        let x = try Tensor.randn([4, 3])
        try assertClose(lin(x), x.matmul(lin.weight.value.transpose(0, 1)) + lin.bias!.value, atol: 1e-6)
        let norm = try RMSNorm(3, eps: 1e-6)
        let expected = try x / (x.pow(2).mean(dim: -1, keepDim: true) + 1e-6).sqrt()
        try assertClose(norm(x), expected, atol: 1e-5)
        let conv = try Conv1d(3, 5, kernelSize: 3, padding: 1)
        XCTAssertEqual(try conv(Tensor.randn([2, 3, 7])).shape, [2, 5, 7])
    }

    func testTinyModelTrainsWithAdamW() throws {
        let g = try Generator(seed: 0)
        let l1 = try Linear(2, 16, generator: g), l2 = try Linear(16, 1, generator: g)
        let x = try Tensor.randn([64, 2], generator: g)
        let y = try (x.select(dim: 1, index: 0) * x.select(dim: 1, index: 1)).unsqueeze(1)
        let opt = AdamW([ParameterGroup(name: "all", parameters: l1.parameters() + l2.parameters(), learningRate: 0.02)])
        var first = 0.0, last = 0.0
        for step in 0..<200 {
            let loss = try Functional.mseLoss(l2(l1(x).tanh()), y)
            try opt.zeroGrad()
            try loss.backward()
            try opt.step()
            if step == 0 { first = try loss.item() }
            last = try loss.item()
        }
        XCTAssertLessThan(last, first * 0.2, "loss \(first) -> \(last)")
    }
}
