import Foundation
import Torch

// Exercises the CUDA code path of the Torch layer on a GPU machine: loads libtorch_cuda, runs
// op groups, autograd, autocast and the fused AdamW on cuda:0, and compares with the CPU.
// Prints one line per check and exits non-zero on any mismatch. Run by scripts/gpu/check.
nonisolated(unsafe) var failures = 0
@MainActor func check(_ name: String, _ body: () throws -> Double, tolerance: Double) {
    do {
        let diff = try body()
        let ok = diff <= tolerance
        if !ok { failures += 1 }
        print("\(ok ? "ok  " : "FAIL") \(name): max abs diff \(diff) (tolerance \(tolerance))")
    } catch {
        failures += 1
        print("FAIL \(name): \(error)")
    }
}
func diff(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a.to(device: .cpu, dtype: .float64) - b.to(device: .cpu, dtype: .float64)).abs().amax().item()
}

do {
    try Torch.loadCUDA()
    print("libtorch \(Torch.version), CUDA available: \(Torch.cudaIsAvailable), devices: \(Torch.cudaDeviceCount)")
    guard Torch.cudaIsAvailable else { print("FAIL no CUDA device"); exit(1) }
} catch {
    print("FAIL loading CUDA: \(error)")
    exit(1)
}
let gpu = Device.cuda(0)
let g = try! Generator(seed: 0)
let a = try! Tensor.randn([64, 128], generator: g), b = try! Tensor.randn([128, 32], generator: g)
check("matmul", { try diff(a.to(gpu).matmul(b.to(gpu)), a.matmul(b)) }, tolerance: 1e-3)
check("softmax/log_softmax", { try diff(a.to(gpu).logSoftmax(dim: -1).exp(), a.softmax(dim: -1)) }, tolerance: 1e-5)
check("layer_norm + gelu", {
    try diff(Functional.layerNorm(a.to(gpu), shape: [128], weight: nil, bias: nil).gelu(),
             Functional.layerNorm(a, shape: [128], weight: nil, bias: nil).gelu())
}, tolerance: 1e-4)
let q = try! Tensor.randn([2, 4, 16, 8], generator: g)
check("sdpa causal", {
    try diff(Functional.scaledDotProductAttention(q.to(gpu), q.to(gpu), q.to(gpu), isCausal: true),
             Functional.scaledDotProductAttention(q, q, q, isCausal: true))
}, tolerance: 1e-4)
let wave = try! Tensor.randn([2, 16000], generator: g)
check("stft", {
    try diff(Functional.stft(wave.to(gpu), nFFT: 400, hop: 160, window: Tensor.hannWindow(400).to(gpu)).complexAbs(),
             Functional.stft(wave, nFFT: 400, hop: 160, window: Tensor.hannWindow(400)).complexAbs())
}, tolerance: 1e-3)
check("autograd", {
    let x1 = try a.clone().requiresGrad(true), x2 = try a.to(gpu).requiresGrad(true)
    try x1.matmul(b).tanh().sum().backward()
    try x2.matmul(b.to(gpu)).tanh().sum().backward()
    return try diff(x2.grad!, x1.grad!)
}, tolerance: 1e-3)
check("autocast bf16 matmul", {
    let y = try Autocast.run(device: gpu, dtype: .bfloat16) { try a.to(gpu).matmul(b.to(gpu)) }
    guard y.dtype == .bfloat16 else { throw TorchError("autocast produced \(y.dtype)") }
    return try diff(y, a.matmul(b)) / 100
}, tolerance: 1e-2)
check("fused AdamW step", {
    let pc = try Parameter(a.clone()), pg = try Parameter(a.to(gpu))
    for p in [pc, pg] {
        let opt = AdamW([ParameterGroup(name: "p", parameters: [p], learningRate: 1e-2)])
        for _ in 0..<3 {
            try p.value.setGrad(a.sin().to(p.value.device))
            try opt.step()
        }
    }
    return try diff(pg.value, pc.value)
}, tolerance: 1e-5)
check("checkpoint on cuda", {
    let layer = try Linear(128, 128, generator: Generator(seed: 1))
    try layer.to(device: gpu)
    let x = try a.to(gpu).requiresGrad(true)
    try Autograd.checkpoint([x]) { try layer($0[0]).relu() }.sum().backward()
    let y = try a.to(gpu).requiresGrad(true)
    try layer(y).relu().sum().backward()
    return try diff(x.grad!, y.grad!)
}, tolerance: 1e-5)
print(failures == 0 ? "all CUDA checks passed" : "\(failures) CUDA check(s) failed")
exit(failures == 0 ? 0 : 1)
