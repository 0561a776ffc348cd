#if canImport(Glibc)
import Glibc
#endif
import CTorch

extension Tensor {
    public var requiresGrad: Bool {
        var r: Int32 = 0
        try! check(ct_requires_grad(handle, &r))
        return r != 0
    }
    /// Marks a leaf as trainable (or not). Returns self for chaining.
    @discardableResult
    public func requiresGrad(_ flag: Bool) throws -> Tensor {
        try check(ct_set_requires_grad(handle, flag ? 1 : 0))
        return self
    }
    public var isLeaf: Bool {
        var r: Int32 = 0
        try! check(ct_is_leaf(handle, &r))
        return r != 0
    }
    /// Back-propagates from this tensor (a scalar loss unless `gradient` is given).
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        try withExtendedLifetime(gradient) { try check(ct_backward(handle, gradient?.handle, retainGraph ? 1 : 0)) }
    }
    /// The accumulated gradient, or nil when none has been computed.
    public var grad: Tensor? {
        var out: ct_tensor? = nil
        try! check(ct_grad(handle, &out))
        return out.map { Tensor(owning: $0) }
    }
    public func setGrad(_ gradient: Tensor?) throws {
        try withExtendedLifetime(gradient) { try check(ct_set_grad(handle, gradient?.handle)) }
    }
    /// Keeps .grad for a non-leaf tensor.
    public func retainGrad() throws { try check(ct_retain_grad(handle)) }
    /// The same data, cut from the autograd graph.
    public func detach() throws -> Tensor { try make { ct_detach(handle, $0) } }
}

public enum Autograd {
    public static var isGradEnabled: Bool { ct_is_grad_enabled() != 0 }

    /// Runs `body` with gradient recording off (torch.no_grad), restoring the previous mode.
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        try withGradMode(false, body)
    }
    public static func withGradMode<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
        let previous = ct_is_grad_enabled()
        ct_set_grad_enabled(enabled ? 1 : 0)
        defer { ct_set_grad_enabled(previous) }
        return try body()
    }
    /// torch.autograd.grad: gradients of `outputs` with respect to `inputs` (nil where unused).
    public static func grad(_ outputs: [Tensor], _ inputs: [Tensor], gradOutputs: [Tensor]? = nil,
                            retainGraph: Bool = false, createGraph: Bool = false) throws -> [Tensor?] {
        var results = [ct_tensor?](repeating: nil, count: inputs.count)
        try withHandles(outputs) { outs, nout in
            try withHandles(inputs) { ins, nin in
                if let gradOutputs {
                    try withHandles(gradOutputs) { gouts, _ in
                        try check(ct_autograd_grad(outs, nout, gouts, ins, nin, retainGraph ? 1 : 0, createGraph ? 1 : 0, &results))
                    }
                } else {
                    try check(ct_autograd_grad(outs, nout, nil, ins, nin, retainGraph ? 1 : 0, createGraph ? 1 : 0, &results))
                }
            }
        }
        return results.map { $0.map { Tensor(owning: $0) } }
    }

    /// Gradient checkpointing (torch.utils.checkpoint): `body` runs without storing activations,
    /// and again during backward to recompute them. Gradients reach `inputs` and any trainable
    /// parameter `body` uses. `body` must be deterministic (no dropout in train mode).
    public static func checkpoint(_ inputs: [Tensor], _ body: @escaping ([Tensor]) throws -> Tensor) throws -> Tensor {
        let box = Unmanaged.passRetained(CheckpointBody(body)).toOpaque()
        return try withHandles(inputs) { hs, n in
            try make { ct_checkpoint(checkpointTrampoline, box, checkpointRelease, hs, n, $0) }
        }
    }
}

private final class CheckpointBody {
    let run: ([Tensor]) throws -> Tensor
    init(_ run: @escaping ([Tensor]) throws -> Tensor) { self.run = run }
}

private func checkpointTrampoline(_ ctx: UnsafeMutableRawPointer?, _ inputs: UnsafePointer<ct_tensor?>?, _ n: Int64,
                                  _ out: UnsafeMutablePointer<ct_tensor?>?) -> ct_error? {
    let body = Unmanaged<CheckpointBody>.fromOpaque(ctx!).takeUnretainedValue()
    do {
        // Borrowed handles: wrap fresh aliases so Swift owns what it frees.
        let tensors = try (0..<Int(n)).map { i in try make { ct_shallow_clone(inputs![i], $0) } }
        let result = try body.run(tensors)
        // C++ takes ownership of a fresh handle; `result` keeps (and later frees) its own.
        return withExtendedLifetime(result) { ct_shallow_clone(result.handle, out) }
    } catch {
        return strdup("\(error)")
    }
}

private func checkpointRelease(_ ctx: UnsafeMutableRawPointer?) {
    Unmanaged<CheckpointBody>.fromOpaque(ctx!).release()
}
