import CTorch

/// Functional neural-network ops (torch.nn.functional equivalents).
public enum Functional {
    public static func embedding(_ weight: Tensor, _ ids: Tensor) throws -> Tensor {
        try make { ct_embedding(weight.handle, ids.handle, $0) }
    }
    public static func layerNorm(_ x: Tensor, shape: [Int], weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try withExtendedLifetime((weight, bias)) {
            try make { ct_layer_norm(x.handle, s, Int64(s.count), weight?.handle, bias?.handle, eps, $0) }
        }
    }
    public static func rmsNorm(_ x: Tensor, shape: [Int], weight: Tensor?, eps: Double) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try withExtendedLifetime(weight) {
            try make { ct_rms_norm(x.handle, s, Int64(s.count), weight?.handle, eps, $0) }
        }
    }
    /// Input (batch, channels, time), weight (out, in/groups, kernel).
    public static func conv1d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                              dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        try withExtendedLifetime(bias) {
            try make { ct_conv1d(x.handle, weight.handle, bias?.handle, Int64(stride), Int64(padding), Int64(dilation), Int64(groups), $0) }
        }
    }
    public static func avgPool1d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                                 countIncludePad: Bool = true) throws -> Tensor {
        try make { ct_avg_pool1d(x.handle, Int64(kernel), Int64(stride ?? kernel), Int64(padding), ceilMode ? 1 : 0, countIncludePad ? 1 : 0, $0) }
    }
    public static func maxPool1d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) throws -> Tensor {
        try make { ct_max_pool1d(x.handle, Int64(kernel), Int64(stride ?? kernel), Int64(padding), ceilMode ? 1 : 0, $0) }
    }
    public static func dropout(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
        if !training || p == 0 { return x }
        return try make { ct_dropout(x.handle, p, 1, $0) }
    }
    /// q, k, v: (batch, heads, seq, head_dim). `mask`: bool (true = attend) or additive float,
    /// broadcastable to (batch, heads, q_len, k_len). `scale` nil = 1/sqrt(head_dim).
    /// `enableGQA` lets k/v have fewer heads than q.
    public static func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor? = nil,
                                                 dropout: Double = 0, isCausal: Bool = false, scale: Double? = nil,
                                                 enableGQA: Bool = false) throws -> Tensor {
        try withExtendedLifetime(mask) {
            try make {
                ct_scaled_dot_product_attention(q.handle, k.handle, v.handle, mask?.handle, dropout, isCausal ? 1 : 0,
                                                scale ?? -1, enableGQA ? 1 : 0, $0)
            }
        }
    }
    public enum Reduction: Int32 { case none = 0, mean = 1, sum = 2 }
    /// Cross-entropy over class logits (N, C) or (N, C, ...) with integer targets; targets equal to
    /// `ignoreIndex` contribute nothing (and are excluded from the mean).
    public static func crossEntropy(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                                    ignoreIndex: Int = -100, labelSmoothing: Double = 0) throws -> Tensor {
        try withExtendedLifetime(weight) {
            try make { ct_cross_entropy(logits.handle, target.handle, weight?.handle, reduction.rawValue, Int64(ignoreIndex), labelSmoothing, $0) }
        }
    }
    /// Connectionist temporal classification loss (libtorch `ctc_loss`). `logProbs` (T, B, C)
    /// log-softmaxed over C; `targets` (B, S) int64 padded; lengths (B) int64. With `.mean`, each
    /// sequence's loss is divided by its target length, then averaged. `zeroInfinity` zeroes
    /// impossible alignments (targets longer than the input) instead of returning inf.
    public static func ctcLoss(_ logProbs: Tensor, targets: Tensor, inputLengths: Tensor, targetLengths: Tensor,
                               blank: Int = 0, reduction: Reduction = .mean, zeroInfinity: Bool = false) throws -> Tensor {
        try make { ct_ctc_loss(logProbs.handle, targets.handle, inputLengths.handle, targetLengths.handle, Int64(blank),
                               reduction.rawValue, zeroInfinity ? 1 : 0, $0) }
    }
    public static func mseLoss(_ a: Tensor, _ b: Tensor, reduction: Reduction = .mean) throws -> Tensor {
        try make { ct_mse_loss(a.handle, b.handle, reduction.rawValue, $0) }
    }
    /// Complex STFT of (batch, samples) or (samples); `centerPadReflect` chooses the centre padding mode.
    public static func stft(_ x: Tensor, nFFT: Int, hop: Int, winLength: Int? = nil, window: Tensor? = nil,
                            center: Bool = true, centerPadReflect: Bool = true, normalized: Bool = false,
                            onesided: Bool = true) throws -> Tensor {
        try withExtendedLifetime(window) {
            try make {
                ct_stft(x.handle, Int64(nFFT), Int64(hop), Int64(winLength ?? nFFT), window?.handle, center ? 1 : 0,
                        centerPadReflect ? 1 : 0, normalized ? 1 : 0, onesided ? 1 : 0, $0)
            }
        }
    }
}

extension Tensor {
    /// Complex tensor as real with a trailing (re, im) dimension.
    public func viewAsReal() throws -> Tensor { try make { ct_view_as_real(handle, $0) } }
    /// |z| of a complex tensor (also works on real tensors).
    public func complexAbs() throws -> Tensor { try make { ct_complex_abs(handle, $0) } }
}
