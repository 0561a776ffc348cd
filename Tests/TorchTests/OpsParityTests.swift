import XCTest
@testable import Torch

/// Every op group against PyTorch 2.11 values (float32, atol 1e-5 unless stated).
final class OpsParityTests: XCTestCase {
    let a = Fixtures.input("a"), b = Fixtures.input("b"), c = Fixtures.input("c")
    func out(_ n: String) -> Tensor { Fixtures.output(n) }

    func testElementwise() throws {
        try assertClose(a + b, out("add"))
        try assertClose(a - b, out("sub"))
        try assertClose(a * b, out("mul"))
        try assertClose(a / b, out("div"), atol: 1e-4)
        try assertClose(a * 0.5 + 2, out("affine"))
        try assertClose(1 - a, out("rsub"))
        try assertClose(-a, out("neg"))
        try assertClose(a.exp(), out("exp"))
        try assertClose(a.abs().log(), out("log_abs"))
        try assertClose(a.abs().sqrt(), out("sqrt_abs"))
        try assertClose(a.abs().rsqrt(), out("rsqrt_abs"), atol: 1e-4)
        try assertClose(a.tanh(), out("tanh"))
        try assertClose(a.sigmoid(), out("sigmoid"))
        try assertClose(a.relu(), out("relu"))
        try assertClose(a.silu(), out("silu"))
        try assertClose(a.gelu(), out("gelu"))
        try assertClose(a.gelu(approximate: true), out("gelu_tanh"))
        try assertClose(a.pow(2), out("pow2"))
        try assertClose(a.abs().pow(b), out("pow_t"), atol: 1e-4)
        try assertClose(a.maximum(b), out("maximum"))
        try assertClose(Tensor.where(a.gt(0), a, b), out("where"))
        try assertClose(a.maskedFill(b.gt(0), -1.5), out("masked_fill"))
        try assertClose(a.clamp(min: -0.5, max: 0.5), out("clamp"))
        try assertClose(a.abs().log10(), out("log10_abs"))
        try assertClose(a.triu(1), out("triu"))
        try assertEqualInts(a.compare(b, .gt).to(dtype: .int64), out("gt_b"))
    }

    func testIntegerScalarsKeepPyTorchPromotion() throws {
        let ids = Fixtures.input("ids")
        let plusOne = try ids + 1
        XCTAssertEqual(plusOne.dtype, .int64)
        try assertEqualInts(plusOne, out("int_plus_one"))
        let half = try ids * 0.5
        XCTAssertEqual(half.dtype, .float32)
        try assertClose(half, out("int_times_half"))
    }

    func testLinearAlgebra() throws {
        try assertClose(a.matmul(c), out("matmul"))
        try assertClose(Fixtures.input("bat1").bmm(Fixtures.input("bat2")), out("bmm"))
        try assertClose(Tensor.einsum("bij,bjk->bik", Fixtures.input("bat1"), Fixtures.input("bat2")), out("einsum"))
        try assertClose(a.linear(c.transpose(0, 1), c.select(dim: 0, index: 0)), out("linear"))
        try assertClose(a.select(dim: 0, index: 0).outer(c.select(dim: 0, index: 0)), out("outer"))
    }

    func testReductions() throws {
        try assertClose(a.sum(), out("sum_all"))
        try assertClose(a.sum(dim: 1), out("sum_1"))
        try assertClose(a.mean(dim: 0, keepDim: true), out("mean_0k"))
        try assertClose(a.amax([1]), out("amax_1"))
        let (v, i) = try a.max(dim: 1)
        try assertClose(v, out("max_values"))
        try assertEqualInts(i, out("max_indices"))
        try assertEqualInts(a.argmax(dim: 0), out("argmax_0"))
        try assertClose(a.logsumexp([1]), out("logsumexp_1"))
        try assertClose(a.variance([1]), out("var_1"))
        try assertClose(a.norm(), out("norm_all"))
        try assertClose(a.cumsum(dim: 1), out("cumsum_1"))
        try assertClose(a.softmax(dim: -1), out("softmax"))
        try assertClose(a.logSoftmax(dim: -1), out("log_softmax"))
        let (tv, ti) = try a.topk(2)
        try assertClose(tv, out("topk_values"))
        try assertEqualInts(ti, out("topk_indices"))
        let (sv, si) = try a.sort(dim: -1, descending: true)
        try assertClose(sv, out("sort_values"))
        try assertEqualInts(si, out("sort_indices"))
    }

    func testCrossEntropyIgnoresIndex() throws {
        let logits = Fixtures.input("logits"), targets = Fixtures.input("targets")
        try assertClose(Functional.crossEntropy(logits, targets), out("ce_mean"))
        try assertClose(Functional.crossEntropy(logits, targets, reduction: .sum), out("ce_sum"))
        try assertClose(Functional.crossEntropy(logits, targets, reduction: .none), out("ce_none"))
        try assertClose(Functional.crossEntropy(logits, targets, labelSmoothing: 0.1), out("ce_smooth"))
    }

    func testShapesAndIndexing() throws {
        let bat1 = Fixtures.input("bat1")
        try assertClose(bat1.permute(2, 0, 1).contiguous(), out("permute"))
        try assertClose(bat1.transpose(0, 2).contiguous(), out("transpose"))
        try assertClose(bat1.reshape(6, 4), out("reshape"))
        XCTAssertThrowsError(try bat1.transpose(0, 2).view(6, 4), "view of non-contiguous must fail")
        try assertClose(Tensor.cat([a, b], dim: 0), out("cat0"))
        try assertClose(Tensor.cat([a, b], dim: 1), out("cat1"))
        try assertClose(Tensor.stack([a, b], dim: 1), out("stack1"))
        try assertClose(a.pad([1, 2, 0, 1], value: 0.25), out("pad_const"))
        try assertClose(bat1.pad([2, 1], mode: .reflect), out("pad_reflect"))
        try assertClose(a.gather(dim: 1, index: Fixtures.input("gidx")), out("gather"))
        try assertClose(a.indexSelect(dim: 0, index: Fixtures.input("sidx")), out("index_select"))
        try assertClose(a.slice(dim: 1, start: 1, end: 4, step: 2).contiguous(), out("slice_step"))
        try assertClose(a.select(dim: 1, index: 2), out("select"))
        let rows = try a.sum(dim: 1).gt(0)
        if try rows.any() { try assertClose(a.index(rows), out("bool_index")) }
        try assertClose(a.flip([1]), out("flip"))
        XCTAssertEqual(try a.chunked(2, dim: 1).map(\.shape), [[3, 2], [3, 2]])
    }

    func testNeuralNetworkOps() throws {
        let x3 = Fixtures.input("x3"), w = Fixtures.input("lnw"), bias = Fixtures.input("lnb")
        try assertClose(Functional.embedding(Fixtures.input("emb"), Fixtures.input("ids")), out("embedding"))
        try assertClose(Functional.layerNorm(x3, shape: [8], weight: w, bias: bias), out("layer_norm"))
        try assertClose(Functional.rmsNorm(x3, shape: [8], weight: w, eps: 1e-6), out("rms_norm"))
        let cx = Fixtures.input("conv_x"), cw = Fixtures.input("conv_w"), cb = Fixtures.input("conv_b")
        try assertClose(Functional.conv1d(cx, weight: cw, bias: cb, padding: 1), out("conv1d"))
        try assertClose(Functional.conv1d(cx, weight: cw, bias: cb, stride: 2, padding: 1), out("conv1d_s2"))
        try assertClose(Functional.avgPool1d(cx, kernel: 4), out("avg_pool1d"))
        try assertClose(Functional.avgPool1d(cx, kernel: 4, ceilMode: true), out("avg_pool1d_ceil"))
        try assertClose(Functional.maxPool1d(cx, kernel: 4), out("max_pool1d"))
    }

    func testAttention() throws {
        let q = Fixtures.input("q"), k = Fixtures.input("k"), v = Fixtures.input("v")
        try assertClose(Functional.scaledDotProductAttention(q, k, v), out("sdpa"))
        try assertClose(Functional.scaledDotProductAttention(q, k, v, mask: Fixtures.input("mask")), out("sdpa_mask"))
        try assertClose(Functional.scaledDotProductAttention(q, k, v, isCausal: true), out("sdpa_causal"))
        let kg = Fixtures.input("k_gqa")
        try assertClose(Functional.scaledDotProductAttention(q, kg, kg, enableGQA: true), out("sdpa_gqa"))
    }

    func testSTFT() throws {
        let window = try Tensor.hannWindow(64)
        try assertClose(window, out("hann64"))
        let spec = try Functional.stft(Fixtures.input("wave"), nFFT: 64, hop: 16, window: window)
        try assertClose(spec.complexAbs(), out("stft_mag"), atol: 1e-4)
        try assertClose(spec.viewAsReal().contiguous(), out("stft_real"), atol: 1e-4)
    }
}

/// CTC loss against closed forms small enough to enumerate every alignment by hand.
final class CTCLossTests: XCTestCase {
    func testCTCLossEqualsTheSumOverAlignments() throws {
        // T = 2, classes {blank 0, a 1}, target "a": alignments a a, a _, _ a.
        let p: [[Double]] = [[0.3, 0.7], [0.6, 0.4]]
        let logProbs = try Tensor(p.flatMap { $0.map { Float(Foundation.log($0)) } }, shape: [2, 1, 2])
        let loss = try Functional.ctcLoss(logProbs, targets: Tensor([Int64(1)], shape: [1, 1]),
                                          inputLengths: Tensor([Int64(2)]), targetLengths: Tensor([Int64(1)]))
        let expected = -Foundation.log(p[0][1] * p[1][1] + p[0][1] * p[1][0] + p[0][0] * p[1][1])
        XCTAssertEqual(try loss.item(), expected, accuracy: 1e-6)

        // T = 3, target "a a": the only alignment is a _ a; .mean divides by the target length 2.
        let q: [[Double]] = [[0.2, 0.8], [0.9, 0.1], [0.5, 0.5]]
        let lq = try Tensor(q.flatMap { $0.map { Float(Foundation.log($0)) } }, shape: [3, 1, 2])
        let args = (targets: try Tensor([Int64(1), 1], shape: [1, 2]), input: try Tensor([Int64(3)]), target: try Tensor([Int64(2)]))
        let only = -(Foundation.log(0.8) + Foundation.log(0.9) + Foundation.log(0.5))
        XCTAssertEqual(try Functional.ctcLoss(lq, targets: args.targets, inputLengths: args.input, targetLengths: args.target,
                                              reduction: .sum).item(), only, accuracy: 1e-5)
        XCTAssertEqual(try Functional.ctcLoss(lq, targets: args.targets, inputLengths: args.input, targetLengths: args.target)
                       .item(), only / 2, accuracy: 1e-5)

        // Two frames cannot hold "a a" (it needs a blank between): inf, or 0 with zeroInfinity.
        let short = (input: try Tensor([Int64(2)]), target: try Tensor([Int64(2)]))
        let lp = try lq.slice(dim: 0, start: 0, end: 2)
        XCTAssertTrue(try Functional.ctcLoss(lp, targets: args.targets, inputLengths: short.input, targetLengths: short.target)
                      .item().isInfinite)
        XCTAssertEqual(try Functional.ctcLoss(lp, targets: args.targets, inputLengths: short.input, targetLengths: short.target,
                                              zeroInfinity: true).item(), 0)
    }
}
