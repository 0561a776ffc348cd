import Foundation
import Torch

/// Rotary position embedding settings: `rope_parameters` (transformers 5) or the hub spelling
/// `rope_theta` + `rope_scaling` (Llama 3.x / Qwen2.5 checkpoints).
public enum RoPEScaling: Sendable, Equatable {
    case none
    /// Llama 3.x frequency-dependent scaling (HF `_compute_llama3_parameters`).
    case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositions: Int)
    /// Positions divided by `factor` (HF `_compute_linear_scaling_rope_parameters`; Gemma 3 4B+).
    case linear(factor: Double)
}

/// The architecture of a Qwen2 / Qwen2.5 / Qwen3 / Llama / Gemma 3 decoder-only LLM, read from an HF
/// `config.json` (+ `generation_config.json` for the special token ids).
public struct DecoderConfig: Sendable {
    public var modelType: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKVHeads: Int
    public var headDim: Int
    public var rmsNormEps: Double
    public var ropeTheta: Double
    public var ropeScaling: RoPEScaling
    /// Bias on q/k/v projections (Qwen2 always; Llama/Qwen3 when `attention_bias`).
    public var qkvBias: Bool
    /// Bias on o_proj (Llama/Qwen3 `attention_bias`; never in Qwen2).
    public var outputBias: Bool
    public var mlpBias: Bool
    /// Qwen3: RMSNorm over head_dim on queries and keys, before RoPE.
    public var qkNorm: Bool
    public var tieWordEmbeddings: Bool
    public var eosTokenIds: [Int]
    public var padTokenId: Int?
    public var bosTokenId: Int?
    /// Gemma 3 only (nil for the other families): sliding layers, local RoPE, attention scale.
    public var gemma: GemmaSettings? = nil

    public static let supportedTypes = Set(["qwen2", "qwen3", "llama"]).union(GemmaSettings.modelTypes)

    /// Reads `config.json`; ids from `generation_config.json` win over config.json when present.
    public init(folder: ModelFolder) throws {
        try self.init(config: folder.config, generation: folder.optionalConfig("generation_config.json"))
    }

    public init(config c: HFConfig, generation: HFConfig? = nil) throws {
        let type = try c.string("model_type")
        self = GemmaSettings.modelTypes.contains(type)
            ? try Self(gemma: c, generation: generation) : try Self(llamaFamily: c, generation: generation)
    }

    /// Qwen2 / Qwen3 / Llama (the same block with a few switches).
    private init(llamaFamily c: HFConfig, generation: HFConfig?) throws {
        modelType = try c.string("model_type")
        guard Self.supportedTypes.contains(modelType) else {
            throw TorchError("\(c.path): model_type '\(modelType)' is not supported (supported: \(Self.supportedTypes.sorted().joined(separator: ", ")))")
        }
        let act = c.string("hidden_act", default: "silu")
        guard act == "silu" else { throw TorchError("\(c.path): hidden_act '\(act)' is not supported (only silu)") }
        if c.bool("use_sliding_window", default: false) {
            throw TorchError("\(c.path): sliding-window attention (use_sliding_window true) is not supported")
        }
        vocabSize = try c.int("vocab_size")
        hiddenSize = try c.int("hidden_size")
        intermediateSize = try c.int("intermediate_size")
        numLayers = try c.int("num_hidden_layers")
        numHeads = try c.int("num_attention_heads")
        numKVHeads = c.int("num_key_value_heads", default: numHeads)
        // head_dim may be absent or null (then hidden / heads), as HF's `getattr(...) or ...`.
        headDim = c.optionalInt("head_dim") ?? hiddenSize / numHeads
        guard numHeads % numKVHeads == 0 else {
            throw TorchError("\(c.path): num_attention_heads \(numHeads) is not a multiple of num_key_value_heads \(numKVHeads)")
        }
        rmsNormEps = c.double("rms_norm_eps", default: 1e-6)
        let attentionBias = c.bool("attention_bias", default: false)
        qkvBias = modelType == "qwen2" ? true : attentionBias
        outputBias = modelType == "qwen2" ? false : attentionBias
        mlpBias = c.bool("mlp_bias", default: false)
        qkNorm = modelType == "qwen3"
        tieWordEmbeddings = c.bool("tie_word_embeddings", default: false)  // HF default for all three

        // RoPE: transformers 5 nests everything in rope_parameters; hub configs use rope_theta +
        // rope_scaling (null for plain RoPE). `type` is the pre-4.45 name of `rope_type`.
        let rope = c.object("rope_parameters") ?? c.object("rope_scaling")
        ropeTheta = c.optionalDouble("rope_theta") ?? rope?.optionalDouble("rope_theta") ?? 10000
        let ropeType = rope.map { $0.string("rope_type", default: $0.string("type", default: "default")) } ?? "default"
        switch ropeType {
        case "default":
            ropeScaling = .none
        case "llama3":
            let r = rope!
            ropeScaling = .llama3(factor: try r.double("factor"), lowFreqFactor: try r.double("low_freq_factor"),
                                  highFreqFactor: try r.double("high_freq_factor"),
                                  originalMaxPositions: try r.int("original_max_position_embeddings"))
        default:
            throw TorchError("\(c.path): rope_type '\(ropeType)' is not supported (supported: default, llama3)")
        }

        let g = generation
        eosTokenIds = g.map { $0.intList("eos_token_id") }.flatMap { $0.isEmpty ? nil : $0 } ?? c.intList("eos_token_id")
        padTokenId = g?.optionalInt("pad_token_id") ?? c.optionalInt("pad_token_id")
        bosTokenId = g?.optionalInt("bos_token_id") ?? c.optionalInt("bos_token_id")
    }
}
