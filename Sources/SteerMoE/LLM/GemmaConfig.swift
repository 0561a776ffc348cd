import Foundation
import Torch

/// What a Gemma 3 text decoder adds to `DecoderConfig` (HF `Gemma3TextConfig`).
public struct GemmaSettings: Sendable, Equatable {
    /// `model_type`s read as Gemma 3: the text model, or the multimodal config whose
    /// `text_config` holds it (its vision tower is ignored).
    public static let modelTypes: Set<String> = ["gemma3_text", "gemma3"]

    /// Per layer: true = local sliding-window attention, false = global (full) attention.
    public var slidingLayers: [Bool]
    /// A local layer's query sees the keys at cache indices (query − window, query].
    public var slidingWindow: Int
    /// RoPE base of the local layers (always plain RoPE); global layers use
    /// `DecoderConfig.ropeTheta` / `ropeScaling`.
    public var localRopeTheta: Double
    /// Attention scores are scaled by `queryPreAttnScalar^-0.5` (not head_dim^-0.5).
    public var queryPreAttnScalar: Double
    /// logits → cap · tanh(logits / cap) when set (null in Gemma 3 checkpoints).
    public var finalLogitSoftcapping: Double?
    /// Multimodal (`gemma3`) checkpoints store the text model under another prefix.
    public var multimodal: Bool

    /// The checkpoint's text-model weights under the text-only names (`model.*`): hub
    /// `gemma3` checkpoints use `language_model.model.*`, transformers 5 `model.language_model.*`.
    func textWeights(_ weights: [String: Tensor]) -> [String: Tensor] {
        guard multimodal else { return weights }
        var out: [String: Tensor] = [:]
        for prefix in ["language_model.model.", "model.language_model."] {
            for (k, v) in strippingPrefix(prefix, from: weights) { out["model." + k] = v }
        }
        return out
    }
}

extension DecoderConfig {
    /// Gemma 3 text config. Missing keys take `Gemma3TextConfig`'s defaults, as transformers does
    /// (multimodal hub configs list only the keys that differ from them).
    init(gemma root: HFConfig, generation g: HFConfig?) throws {
        let multimodal = try root.string("model_type") == "gemma3"
        guard let c = multimodal ? root.object("text_config") : root else {
            throw TorchError("\(root.path): model_type gemma3 without a text_config object")
        }
        modelType = "gemma3_text"
        vocabSize = c.int("vocab_size", default: 262_208)
        hiddenSize = c.int("hidden_size", default: 2304)
        intermediateSize = c.int("intermediate_size", default: 9216)
        numLayers = c.int("num_hidden_layers", default: 26)
        numHeads = c.int("num_attention_heads", default: 8)
        numKVHeads = c.int("num_key_value_heads", default: 4)
        headDim = c.optionalInt("head_dim") ?? 256
        guard numHeads % numKVHeads == 0 else {
            throw TorchError("\(c.path): num_attention_heads \(numHeads) is not a multiple of num_key_value_heads \(numKVHeads)")
        }
        let act = c.string("hidden_activation", default: c.string("hidden_act", default: "gelu_pytorch_tanh"))
        guard act == "gelu_pytorch_tanh" else {
            throw TorchError("\(c.path): hidden_activation '\(act)' is not supported (only gelu_pytorch_tanh)")
        }
        if c.bool("use_bidirectional_attention", default: false) {
            throw TorchError("\(c.path): use_bidirectional_attention (encoder-style Gemma) is not supported")
        }
        rmsNormEps = c.double("rms_norm_eps", default: 1e-6)
        let bias = c.bool("attention_bias", default: false)
        qkvBias = bias
        outputBias = bias
        mlpBias = false
        qkNorm = true
        tieWordEmbeddings = c.bool("tie_word_embeddings", default: root.bool("tie_word_embeddings", default: true))

        // Layer kinds: an explicit `layer_types`, else every `sliding_window_pattern`-th layer
        // (1-based) is global.
        let slidingLayers: [Bool]
        if let types = c.values["layer_types"] as? [String] {
            guard types.count == numLayers else {
                throw TorchError("\(c.path): layer_types has \(types.count) entries for \(numLayers) layers")
            }
            slidingLayers = try types.map { type in
                switch type {
                case "sliding_attention": return true
                case "full_attention": return false
                default: throw TorchError("\(c.path): layer type '\(type)' is not supported")
                }
            }
        } else {
            let pattern = c.int("sliding_window_pattern", default: 6)
            slidingLayers = (0..<numLayers).map { ($0 + 1) % pattern != 0 }
        }

        // RoPE: transformers 5 nests one entry per layer type in rope_parameters; hub configs
        // use rope_theta + rope_scaling (global) and rope_local_base_freq (local).
        let perType = c.object("rope_parameters")
        let global = perType?.object("full_attention") ?? c.object("rope_scaling")
        let local = perType?.object("sliding_attention")
        ropeTheta = global?.optionalDouble("rope_theta") ?? c.optionalDouble("rope_theta") ?? 1_000_000
        ropeScaling = try Self.gemmaRoPEScaling(global, path: c.path)
        if try Self.gemmaRoPEScaling(local, path: c.path) != .none {
            throw TorchError("\(c.path): scaled RoPE on sliding-window layers is not supported")
        }
        let localTheta = local?.optionalDouble("rope_theta") ?? c.optionalDouble("rope_local_base_freq") ?? 10_000

        // HF's Gemma3 attention never applies attn_logit_softcapping (it only exists in the
        // config), so it is not read here either.
        gemma = GemmaSettings(
            slidingLayers: slidingLayers, slidingWindow: c.int("sliding_window", default: 4096),
            localRopeTheta: localTheta, queryPreAttnScalar: c.double("query_pre_attn_scalar", default: 256),
            finalLogitSoftcapping: c.optionalDouble("final_logit_softcapping"), multimodal: multimodal)

        // Gemma3TextConfig defaults (pad 0, eos 1, bos 2) apply to absent keys, not to nulls.
        let ids = multimodal ? root : c
        func id(_ key: String, _ fallback: Int) -> Int? { ids.values[key] == nil ? fallback : ids.optionalInt(key) }
        eosTokenIds = g.map { $0.intList("eos_token_id") }.flatMap { $0.isEmpty ? nil : $0 }
            ?? (ids.values["eos_token_id"] == nil ? [1] : ids.intList("eos_token_id"))
        padTokenId = g?.optionalInt("pad_token_id") ?? id("pad_token_id", 0)
        bosTokenId = g?.optionalInt("bos_token_id") ?? id("bos_token_id", 2)
    }

    /// Gemma 3 checkpoints use plain RoPE or, on global layers of the 4B+ models, linear scaling.
    private static func gemmaRoPEScaling(_ rope: HFConfig?, path: String) throws -> RoPEScaling {
        let type = rope.map { $0.string("rope_type", default: $0.string("type", default: "default")) } ?? "default"
        switch type {
        case "default": return .none
        case "linear": return .linear(factor: try rope!.double("factor"))
        default: throw TorchError("\(path): rope_type '\(type)' is not supported for Gemma (supported: default, linear)")
        }
    }
}
