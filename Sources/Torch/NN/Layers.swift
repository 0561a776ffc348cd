import Foundation

/// y = x Wᵀ + b. Initialised as torch.nn.Linear (uniform ±1/sqrt(in)).
public final class Linear: Module, @unchecked Sendable, UnaryLayer {
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator? = nil) throws {
        let bound = 1 / Foundation.sqrt(Double(inFeatures))
        let w = try Tensor.empty([outFeatures, inFeatures])
        try w.uniform_(-bound, bound, generator: generator)
        weight = try Parameter(w)
        if bias {
            let b = try Tensor.empty([outFeatures])
            try b.uniform_(-bound, bound, generator: generator)
            self.bias = try Parameter(b)
        } else {
            self.bias = nil
        }
    }
    /// Wraps existing tensors (e.g. memory-mapped checkpoint weights) without allocating or
    /// initialising anything: the way to build large pretrained models.
    public init(weight: Tensor, bias: Tensor? = nil, requiresGrad: Bool = true) throws {
        self.weight = try Parameter(weight, requiresGrad: requiresGrad)
        self.bias = try bias.map { try Parameter($0, requiresGrad: requiresGrad) }
    }
    /// A trainable low-rank update added to this (usually frozen) layer's output; not one of its
    /// parameters: the module that owns the update saves and trains it.
    public var lowRank: LowRankUpdate?

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try x.linear(weight.value, bias?.value)
        guard let lowRank else { return y }
        return try y + lowRank(x)
    }
    public var inFeatures: Int { weight.value.size(1) }
    public var outFeatures: Int { weight.value.size(0) }
}

/// LoRA (Hu et al. 2021): `scale · B(A x)` with A (rank, in) and B (out, rank), the update that
/// `Linear.lowRank` adds to a frozen layer. B starts at zero, so the layer starts unchanged.
public final class LowRankUpdate: @unchecked Sendable {
    public let down: Parameter   // A
    public let up: Parameter     // B
    public let scale: Double

    public init(down: Parameter, up: Parameter, scale: Double) {
        self.down = down
        self.up = up
        self.scale = scale
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        // The update may be kept in float32 beside a half-precision layer.
        let (a, b) = (down.value, up.value)
        let hidden = try x.linear(a.dtype == x.dtype ? a : a.to(dtype: x.dtype))
        return try hidden.linear(b.dtype == x.dtype ? b : b.to(dtype: x.dtype)) * scale
    }
}

/// Lookup table of vectors. Initialised N(0, 1) as torch.nn.Embedding.
public final class Embedding: Module, @unchecked Sendable, UnaryLayer {
    public let weight: Parameter
    public init(_ count: Int, _ dim: Int, generator: Generator? = nil) throws {
        weight = try Parameter(Tensor.randn([count, dim], generator: generator))
    }
    /// Wraps an existing (count, dim) table without copying it.
    public init(weight: Tensor, requiresGrad: Bool = true) throws {
        self.weight = try Parameter(weight, requiresGrad: requiresGrad)
    }
    public func callAsFunction(_ ids: Tensor) throws -> Tensor { try Functional.embedding(weight.value, ids) }
}

/// Layer normalisation over the last dimension.
public final class LayerNorm: Module, @unchecked Sendable, UnaryLayer {
    public let weight: Parameter
    public let bias: Parameter?
    public let eps: Double
    public init(_ dim: Int, eps: Double = 1e-5, bias: Bool = true) throws {
        weight = try Parameter(Tensor.ones([dim]))
        self.bias = bias ? try Parameter(Tensor.zeros([dim])) : nil
        self.eps = eps
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Functional.layerNorm(x, shape: [weight.value.size(0)], weight: weight.value, bias: bias?.value, eps: eps)
    }
}

/// Root-mean-square normalisation over the last dimension (LlamaRMSNorm semantics: computed in
/// float32, then cast back to the input dtype before the weight multiplies).
public final class RMSNorm: Module, @unchecked Sendable, UnaryLayer {
    public let weight: Parameter
    public let eps: Double
    public init(_ dim: Int, eps: Double = 1e-6) throws {
        weight = try Parameter(Tensor.ones([dim]))
        self.eps = eps
    }
    /// Wraps an existing weight vector without copying it.
    public init(weight: Tensor, eps: Double, requiresGrad: Bool = true) throws {
        self.weight = try Parameter(weight, requiresGrad: requiresGrad)
        self.eps = eps
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let inputType = x.dtype
        if inputType == .float32 {
            return try Functional.rmsNorm(x, shape: [weight.value.size(0)], weight: weight.value, eps: eps)
        }
        let normed = try Functional.rmsNorm(x.to(dtype: .float32), shape: [weight.value.size(0)], weight: nil, eps: eps)
        return try weight.value * normed.to(dtype: inputType)
    }
}

/// 1-D convolution over (batch, channels, time). Initialised as torch.nn.Conv1d.
public final class Conv1d: Module, @unchecked Sendable, UnaryLayer {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int, padding: Int, dilation: Int, groups: Int
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: Generator? = nil) throws {
        let bound = 1 / Foundation.sqrt(Double(inChannels / groups * kernelSize))
        let w = try Tensor.empty([outChannels, inChannels / groups, kernelSize])
        try w.uniform_(-bound, bound, generator: generator)
        weight = try Parameter(w)
        if bias {
            let b = try Tensor.empty([outChannels])
            try b.uniform_(-bound, bound, generator: generator)
            self.bias = try Parameter(b)
        } else {
            self.bias = nil
        }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Functional.conv1d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                              dilation: dilation, groups: groups)
    }
}
