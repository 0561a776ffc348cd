import XCTest
@testable import Torch

final class AutogradTests: XCTestCase {
    func grad(_ n: String) -> Tensor { Fixtures.ops["grad." + n]! }

    func testGradientsMatchPyTorch() throws {
        let a = try Fixtures.input("a").clone().requiresGrad(true)
        let c = try Fixtures.input("c").clone().requiresGrad(true)
        let w = try Tensor.linspace(-1, 1, steps: 5)
        let loss = try (a.matmul(c).softmax(dim: -1) * w).sum()
        try loss.backward()
        try assertClose(loss, Fixtures.output("ag1_loss"))
        try assertClose(XCTUnwrap(a.grad), grad("ag1_a"))
        try assertClose(XCTUnwrap(c.grad), grad("ag1_c"))

        let logits = try Fixtures.input("logits").clone().requiresGrad(true)
        try Functional.crossEntropy(logits, Fixtures.input("targets")).backward()
        try assertClose(XCTUnwrap(logits.grad), grad("ce_logits"))

        let x = try Fixtures.input("x3").clone().requiresGrad(true)
        let lw = try Fixtures.input("lnw").clone().requiresGrad(true)
        let lb = try Fixtures.input("lnb").clone().requiresGrad(true)
        try Functional.layerNorm(x, shape: [8], weight: lw, bias: lb).pow(2).mean().backward()
        try assertClose(XCTUnwrap(x.grad), grad("ln_x"))
        try assertClose(XCTUnwrap(lw.grad), grad("ln_w"))
        try assertClose(XCTUnwrap(lb.grad), grad("ln_b"))

        let cx = try Fixtures.input("conv_x").clone().requiresGrad(true)
        let cw = try Fixtures.input("conv_w").clone().requiresGrad(true)
        try Functional.conv1d(cx, weight: cw, bias: Fixtures.input("conv_b"), padding: 1).gelu().sum().backward()
        try assertClose(XCTUnwrap(cx.grad), grad("conv_x"), atol: 1e-4)
        try assertClose(XCTUnwrap(cw.grad), grad("conv_w"), atol: 1e-4)

        let q = try Fixtures.input("q").clone().requiresGrad(true)
        try Functional.scaledDotProductAttention(q, Fixtures.input("k"), Fixtures.input("v"), mask: Fixtures.input("mask"))
            .pow(2).sum().backward()
        try assertClose(XCTUnwrap(q.grad), grad("sdpa_q"), atol: 1e-4)
    }

    func testNoGradAndDetach() throws {
        let x = try Tensor.ones([3]).requiresGrad(true)
        let y = try Autograd.noGrad { try x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(Autograd.isGradEnabled, "mode restored after the scope")
        XCTAssertFalse(try (x * 2).detach().requiresGrad)
        XCTAssertThrowsError(try y.sum().backward()) { error in
            XCTAssertTrue("\(error)".contains("does not require grad"), "\(error)")
        }
    }

    func testAutogradGradFunction() throws {
        let x = try Tensor([1.0, 2.0, 3.0] as [Float]).requiresGrad(true)
        let y = try x.pow(3).sum()
        let g = try Autograd.grad([y], [x])
        XCTAssertEqual(try XCTUnwrap(g[0]).floats(), [3, 12, 27])
    }

    func testCheckpointGivesSameGradientsAsPlainBackward() throws {
        let layer = try Linear(4, 4, generator: Generator(seed: 3))
        let x0 = try Tensor.randn([2, 4], generator: Generator(seed: 4))
        func block(_ t: Tensor) throws -> Tensor { try layer(t).tanh() }

        let x1 = try x0.clone().requiresGrad(true)
        try block(x1).pow(2).sum().backward()
        let plainX = try XCTUnwrap(x1.grad), plainW = try XCTUnwrap(layer.weight.grad)
        try layer.weight.value.setGrad(nil)
        try layer.bias!.value.setGrad(nil)

        let x2 = try x0.clone().requiresGrad(true)
        let out = try Autograd.checkpoint([x2]) { try block($0[0]) }
        XCTAssertTrue(out.requiresGrad)
        try out.pow(2).sum().backward()
        try assertClose(XCTUnwrap(x2.grad), plainX, atol: 1e-6)
        try assertClose(XCTUnwrap(layer.weight.grad), plainW, atol: 1e-6)
    }

    func testCheckpointPropagatesErrors() throws {
        let x = try Tensor.ones([2, 3]).requiresGrad(true)
        XCTAssertThrowsError(try Autograd.checkpoint([x]) { try $0[0].matmul(Tensor.ones([4, 4])) }) { error in
            XCTAssertTrue("\(error)".contains("checkpointed function failed"), "\(error)")
        }
    }

    func testAutocastComputesMatmulInBF16() throws {
        let a = try Tensor.randn([4, 8]), b = try Tensor.randn([8, 2])
        let inside = try Autocast.run(dtype: .bfloat16) { try a.matmul(b) }
        XCTAssertEqual(inside.dtype, .bfloat16)
        XCTAssertFalse(Autocast.isEnabled())
        XCTAssertEqual(try a.matmul(b).dtype, .float32)
        try assertClose(inside.to(dtype: .float32), a.matmul(b), atol: 0.1)
    }
}
