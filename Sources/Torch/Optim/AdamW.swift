import CTorch

/// A set of parameters trained with its own hyper-parameters (torch param_groups).
public struct ParameterGroup {
    public var name: String
    public var parameters: [Parameter]
    public var learningRate: Double
    public var weightDecay: Double
    public init(name: String, parameters: [Parameter], learningRate: Double, weightDecay: Double = 0.01) {
        self.name = name
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// AdamW (decoupled weight decay, Loshchilov & Hutter) with parameter groups, computed by
/// libtorch's fused kernel; numerically the update torch.optim.AdamW makes.
public final class AdamW {
    public var groups: [ParameterGroup]
    public let beta1: Double, beta2: Double, eps: Double
    /// Per parameter: first and second moments and the step count (float scalar, as PyTorch).
    private var state: [ObjectIdentifier: (expAvg: Tensor, expAvgSq: Tensor, step: Tensor)] = [:]

    public init(_ groups: [ParameterGroup], beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) {
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    /// Each group's base learning rate, to which schedules apply a multiplier.
    public var baseLearningRates: [Double] { groups.map(\.learningRate) }

    /// One update of every parameter that has a gradient, at `learningRates[i]` for group i
    /// (default: the groups' own rates).
    public func step(learningRates: [Double]? = nil) throws {
        for (gi, group) in groups.enumerated() {
            let lr = learningRates?[gi] ?? group.learningRate
            var params: [Tensor] = [], grads: [Tensor] = [], m: [Tensor] = [], v: [Tensor] = [], steps: [Tensor] = []
            for p in group.parameters {
                guard let g = p.grad else { continue }
                let s = try stateFor(p)
                params.append(p.value)
                grads.append(g)
                m.append(s.expAvg)
                v.append(s.expAvgSq)
                steps.append(s.step)
            }
            if params.isEmpty { continue }
            try withHandles(params) { ps, n in
                try withHandles(grads) { gs, _ in
                    try withHandles(m) { ms, _ in
                        try withHandles(v) { vs, _ in
                            try withHandles(steps) { ss, _ in
                                try check(ct_fused_adamw_(ps, gs, ms, vs, ss, n, lr, beta1, beta2, group.weightDecay, eps))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Drops all gradients (set to none, as PyTorch's default zero_grad).
    public func zeroGrad() throws {
        let all = groups.flatMap { $0.parameters.map(\.value) }
        try withHandles(all) { hs, n in try check(ct_zero_grad(hs, n)) }
    }

    private func stateFor(_ p: Parameter) throws -> (expAvg: Tensor, expAvgSq: Tensor, step: Tensor) {
        if let s = state[ObjectIdentifier(p)] { return s }
        let s = try Autograd.noGrad {
            // The fused kernel wants the step counter on the parameter's device.
            (try p.value.zerosLike().detach(), try p.value.zerosLike().detach(),
             try Tensor.scalar(0.0, dtype: .float32, device: p.value.device))
        }
        state[ObjectIdentifier(p)] = s
        return s
    }

    /// Optimiser state by "group.index.{exp_avg,exp_avg_sq,step}", for checkpoints.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for group in groups {
            for (i, p) in group.parameters.enumerated() {
                guard let s = state[ObjectIdentifier(p)] else { continue }
                out["\(group.name).\(i).exp_avg"] = s.expAvg
                out["\(group.name).\(i).exp_avg_sq"] = s.expAvgSq
                out["\(group.name).\(i).step"] = s.step
            }
        }
        return out
    }
    public func loadStateDict(_ dict: [String: Tensor]) throws {
        for group in groups {
            for (i, p) in group.parameters.enumerated() {
                let k = "\(group.name).\(i)"
                guard let m = dict["\(k).exp_avg"], let v = dict["\(k).exp_avg_sq"], let s = dict["\(k).step"] else { continue }
                guard m.shape == p.value.shape else {
                    throw TorchError("optimizer state '\(k).exp_avg' has shape \(m.shape), parameter has \(p.value.shape)")
                }
                state[ObjectIdentifier(p)] = try Autograd.noGrad {
                    (try m.to(device: p.value.device, dtype: p.value.dtype).clone(),
                     try v.to(device: p.value.device, dtype: p.value.dtype).clone(),
                     try s.to(device: p.value.device, dtype: .float32).clone())
                }
            }
        }
    }
}

/// Gradient clipping and loss-scaling helpers.
public enum GradientClipping {
    /// Scales the gradients of `parameters` so their global 2-norm is at most `maxNorm`
    /// (torch.nn.utils.clip_grad_norm_); returns the norm before clipping.
    @discardableResult
    public static func clipGradNorm(_ parameters: [Parameter], maxNorm: Double) throws -> Double {
        var total = 0.0
        try withHandles(parameters.map(\.value)) { hs, n in try check(ct_clip_grad_norm_(hs, n, maxNorm, &total)) }
        return total
    }
    /// Divides gradients by the loss scale; true when any gradient is inf/NaN (skip the step).
    public static func unscale(_ parameters: [Parameter], lossScale: Double) throws -> Bool {
        var found: Int32 = 0
        try withHandles(parameters.map(\.value)) { hs, n in try check(ct_unscale_grads_(hs, n, 1 / lossScale, &found)) }
        return found != 0
    }
}
