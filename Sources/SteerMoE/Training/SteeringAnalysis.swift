import Foundation
import Torch

/// Per-layer steering statistics (the procedure's analysis callback): layer scale, mean
/// steering-vector norm, mean gate per expert, top-3 experts and gate entropy.
public struct SteeringAnalysis {
    public struct Layer: Codable {
        public var layer: Int
        public var scale: Double
        public var meanVectorNorm: Double
        public var expertUsage: [Double]
        public var topExperts: [Int]
        public var gateEntropy: Double
    }
    public var layers: [Layer] = []

    public static func compute(adapter: SteeringAdapter, gates: [Tensor]) throws -> SteeringAnalysis {
        guard let vectors = adapter.steeringVectors?.value else { return SteeringAnalysis() }
        return try Autograd.noGrad {
            let scales = try adapter.layerScales?.value.to(dtype: .float64).toArray(Double.self)
            let norms = try vectors.to(dtype: .float32).norm(2, dims: [2]).mean(dim: 1).to(dtype: .float64).toArray(Double.self)
            var out = SteeringAnalysis()
            for (l, g) in gates.enumerated() {
                let g32 = try g.to(dtype: .float32)
                let usage = try g32.mean([0, 1]).to(dtype: .float64).toArray(Double.self)
                let entropy = try (g32 * g32.clamp(min: 1e-12).log()).sum(dim: -1).mean().item() * -1
                let top = usage.enumerated().sorted { $0.element > $1.element }.prefix(3).map(\.offset)
                out.layers.append(Layer(layer: l, scale: scales?[l] ?? 1, meanVectorNorm: norms[l], expertUsage: usage,
                                        topExperts: Array(top), gateEntropy: entropy))
            }
            return out
        }
    }

    /// Flat scalars for JSONL/TensorBoard: layer{l}/scale, layer{l}/vector_norm, layer{l}/entropy, layer{l}/expert{e}.
    public var scalars: [String: Any] {
        var out: [String: Any] = [:]
        for l in layers {
            out["layer\(l.layer)/scale"] = l.scale
            out["layer\(l.layer)/vector_norm"] = l.meanVectorNorm
            out["layer\(l.layer)/gate_entropy"] = l.gateEntropy
            for (e, u) in l.expertUsage.enumerated() { out["layer\(l.layer)/expert\(e)"] = u }
            out["layer\(l.layer)/top3"] = l.topExperts.map(String.init).joined(separator: ",")
        }
        return out
    }
}
