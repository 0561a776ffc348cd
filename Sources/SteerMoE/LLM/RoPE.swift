import Foundation
import Torch

/// Rotary position embedding with HF's "rotate_half" layout: the head dimension is split in two
/// halves (not interleaved pairs), `x·cos + rotate_half(x)·sin`.
///
/// cos/sin are computed in float32 exactly as HF does (`position · inv_freq`, then cos/sin) and
/// kept in a table indexed by position, grown on demand, so a decode step costs two lookups
/// instead of recomputing the trigonometry.
final class RotaryEmbedding {
    /// (headDim / 2) inverse frequencies, float32.
    let invFreq: Tensor
    private var cosTable: Tensor?
    private var sinTable: Tensor?
    private var tableLength = 0
    private var tableDevice = Device.cpu

    init(headDim: Int, theta: Double, scaling: RoPEScaling) throws {
        invFreq = try Tensor(Self.inverseFrequencies(headDim: headDim, theta: theta, scaling: scaling))
    }

    /// HF `compute_default_rope_parameters` / `_compute_llama3_parameters` / linear scaling, in
    /// float32 like torch.
    static func inverseFrequencies(headDim: Int, theta: Double, scaling: RoPEScaling) throws -> [Float] {
        // 1 / θ^(arange(0, d, 2) / d) with libtorch's own pow, as HF computes it (on the CPU):
        // libm's powf is correctly rounded where torch's vectorised pow is not always, e.g. for
        // d = 256 one of the 128 frequencies is 1 ulp apart (10^3.46875), which moved Gemma 3
        // 270M's logits by 2e-5 from transformers'.
        let exponents = try Tensor.arange(0, headDim, step: 2, dtype: .float32) / headDim
        let plain = try Tensor.scalar(theta, dtype: .float32).pow(exponents).reciprocal().floats()
        if case let .linear(factor) = scaling { return plain.map { $0 / Float(factor) } }
        guard case let .llama3(factor, lowFreqFactor, highFreqFactor, originalMax) = scaling else { return plain }
        let (f, low, high, old) = (Float(factor), Float(lowFreqFactor), Float(highFreqFactor), Float(originalMax))
        let lowFreqWavelen = old / low, highFreqWavelen = old / high
        return plain.map { inv in
            let wavelen = 2 * Float.pi / inv
            // Long wavelengths (low frequencies) are divided by `factor`, short ones kept; the band
            // in between is interpolated smoothly.
            let scaled = wavelen > lowFreqWavelen ? inv / f : inv
            guard !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen) else { return scaled }
            let smooth = (old / wavelen - low) / (high - low)
            return (1 - smooth) * scaled / f + smooth * scaled
        }
    }

    /// cos and sin for `positions` (B, T) int64, each (B, 1, T, headDim) in `dtype` (broadcast
    /// over heads; shared by every layer of a forward pass).
    /// `maxPosition` must bound every entry of `positions` (the table is grown to cover it).
    func cosSin(positions: Tensor, maxPosition: Int, dtype: DType) throws -> (cos: Tensor, sin: Tensor) {
        if maxPosition >= tableLength || positions.device != tableDevice {
            try grow(to: Swift.max(2 * tableLength, maxPosition + 1, 256), device: positions.device)
        }
        var cos = try Functional.embedding(cosTable!, positions).unsqueeze(1)
        var sin = try Functional.embedding(sinTable!, positions).unsqueeze(1)
        if dtype != .float32 {
            cos = try cos.to(dtype: dtype)
            sin = try sin.to(dtype: dtype)
        }
        return (cos, sin)
    }

    private func grow(to length: Int, device: Device) throws {
        try Autograd.noGrad {
            // freqs[p, i] = float(p) * inv_freq[i], emb = cat(freqs, freqs): HF's float32 products.
            let freqs = try Tensor.arange(length, dtype: .float32, device: device).unsqueeze(1)
                * invFreq.to(device).unsqueeze(0)
            let emb = try Tensor.cat([freqs, freqs], dim: -1)
            cosTable = try emb.cos()
            sinTable = try emb.sin()
        }
        tableLength = length
        tableDevice = device
    }

    /// Rotates queries or keys (B, heads, T, headDim) by cos/sin (B, 1, T, headDim).
    static func apply(_ x: Tensor, cos: Tensor, sin: Tensor) throws -> Tensor {
        let half = x.size(-1) / 2
        let rotated = try Tensor.cat([-x.slice(dim: -1, start: half), x.slice(dim: -1, end: half)], dim: -1)
        return try x * cos + rotated * sin
    }
}
