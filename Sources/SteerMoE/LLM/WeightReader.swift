import Torch

/// Hands out checkpoint tensors by HF key, checking shapes, and builds layers around them
/// without allocating (the tensors stay memory-mapped when no dtype conversion is needed).
/// Errors name the key and the folder.
struct WeightReader {
    let weights: [String: Tensor]
    let source: String
    /// Loaded LLM weights are frozen; `Module.unfreeze()` makes them trainable.
    var requiresGrad = false

    func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        guard let t = weights[key] else {
            throw TorchError("\(source): missing weight '\(key)' (expected shape \(shape))")
        }
        guard t.shape == shape else {
            throw TorchError("\(source): weight '\(key)' has shape \(t.shape), config.json implies \(shape)")
        }
        return t
    }

    func linear(_ prefix: String, _ inFeatures: Int, _ outFeatures: Int, bias: Bool) throws -> Linear {
        try Linear(weight: tensor("\(prefix).weight", shape: [outFeatures, inFeatures]),
                   bias: bias ? tensor("\(prefix).bias", shape: [outFeatures]) : nil, requiresGrad: requiresGrad)
    }

    func rmsNorm(_ prefix: String, _ dim: Int, eps: Double) throws -> RMSNorm {
        try RMSNorm(weight: tensor("\(prefix).weight", shape: [dim]), eps: eps, requiresGrad: requiresGrad)
    }
}
