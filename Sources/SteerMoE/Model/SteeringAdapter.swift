import Foundation
import Torch

/// The trainable part of SteerMoE, with upstream's state-dict names: `steering_vectors`
/// (L, E, d), one `router` Linear(d, E·L) sliced per layer, optional `layer_scales` (L), and
/// `prompt_proj` Linear(d_whisper, d_llm) when the widths differ (identity otherwise). With
/// `projector: mlp` (ours) the projection is `prompt_proj(gelu(prompt_proj_in(x)))`, whatever the widths.
/// With `lora.rank` > 0 (ours) it also holds LoRA updates of the frozen LLM (`llm_lora.*`, LLMLowRank).
public final class SteeringAdapter: Module, @unchecked Sendable {
    @Key public var steeringVectors: Parameter?
    public let router: Linear?
    @Key public var layerScales: Parameter?
    @Key public var projection: Linear?
    /// The first layer of the `mlp` projector (nil for upstream's linear one).
    @Key public var projectionIn: Linear?
    /// The CTC blank's vector in the LLM embedding space (only when `ctc_weight` > 0).
    @Key public var ctcBlank: Parameter?
    /// Low-rank updates of the LLM's projections (only when `lora.rank` > 0), saved under `lowRankKey`.
    @Key public var llmLowRank: LLMLowRank?
    public static let lowRankKey = "llm_lora"
    public let options: SteerMoEOptions
    public let layers: Int

    /// `llm` is needed only with LoRA (`options.loraRank` > 0): the updates are sized from, and
    /// attached to, its projections (without LoRA, any updates attached to it are removed).
    public init(layers: Int, encoderWidth: Int, llmWidth: Int, options: SteerMoEOptions, llm: DecoderLM? = nil,
                generator: Generator? = nil) throws {
        self.options = options
        self.layers = layers
        let e = options.numExperts
        if options.mode == .steering {
            guard e > 0 else { throw TorchError("steering.num_experts must be positive, got \(e)") }
            _steeringVectors = try Key(wrappedValue: Parameter(Tensor.randn([layers, e, encoderWidth], generator: generator) * 0.01),
                                       "steering_vectors")
            router = try Linear(encoderWidth, e * layers, generator: generator)
            _layerScales = try Key(wrappedValue: options.useLayerScales
                                   ? Parameter(Tensor.full([layers], options.steeringScale)) : nil, "layer_scales")
        } else {
            _steeringVectors = Key(wrappedValue: nil, "steering_vectors")
            router = nil
            _layerScales = Key(wrappedValue: nil, "layer_scales")
        }
        switch options.projector {
        case .linear:
            _projectionIn = Key(wrappedValue: nil, "prompt_proj_in")
            _projection = try Key(wrappedValue: encoderWidth == llmWidth ? nil : Linear(encoderWidth, llmWidth, generator: generator),
                                  "prompt_proj")
        case .mlp:
            let hidden = options.projectorHiddenSize
            guard hidden > 0 else { throw TorchError("projector_hidden_size must be positive, got \(hidden)") }
            _projectionIn = try Key(wrappedValue: Linear(encoderWidth, hidden, generator: generator), "prompt_proj_in")
            _projection = try Key(wrappedValue: Linear(hidden, llmWidth, generator: generator), "prompt_proj")
        }
        _ctcBlank = try Key(wrappedValue: options.ctcWeight > 0
                            ? Parameter(Tensor.randn([llmWidth], generator: generator) * 0.01) : nil, "ctc_blank")
        if options.loraRank > 0 {
            guard let llm else { throw TorchError("lora.rank \(options.loraRank): LoRA needs the LLM to attach to") }
            _llmLowRank = try Key(wrappedValue: LLMLowRank(llm: llm, rank: options.loraRank, alpha: options.resolvedLoRAAlpha,
                                                           targets: options.loraTargets, generator: generator), Self.lowRankKey)
        } else {
            // An adapter without LoRA reads the plain LLM, even one that another adapter had updated.
            if let llm { LLMLowRank.detach(from: llm) }
            _llmLowRank = Key(wrappedValue: nil, Self.lowRankKey)
        }
    }

    /// h + scale_l · Σ_e softmax(router(h)[l·E:(l+1)·E])_e · vectors[l, e]; returns the gates too.
    public func steer(layer l: Int, _ h: Tensor) throws -> (output: Tensor, gates: Tensor?) {
        guard let router, let vectors = steeringVectors?.value else { return (h, nil) }
        let e = options.numExperts
        let gates = try router(h).slice(dim: -1, start: l * e, end: (l + 1) * e).softmax(dim: -1)
        let steer = try gates.matmul(vectors.select(dim: 0, index: l))
        if let scales = layerScales?.value {
            return (try h + steer * scales.select(dim: 0, index: l), gates)
        }
        return (try h + steer, gates)
    }

    public func project(_ x: Tensor) throws -> Tensor {
        guard let projection else { return x }
        if let projectionIn { return try projection(projectionIn(x).gelu()) }
        return try projection(x)
    }

    /// Parameter groups as the procedure trains them: steering vectors (+ layer scales), router,
    /// the rest (projection), and (ours) the LLM's LoRA updates.
    public var steeringParameters: [Parameter] { [steeringVectors, layerScales].compactMap { $0 } }
    public var routerParameters: [Parameter] { router?.parameters() ?? [] }
    public var otherParameters: [Parameter] {
        (projectionIn?.parameters() ?? []) + (projection?.parameters() ?? []) + [ctcBlank].compactMap { $0 }
    }
    public var lowRankParameters: [Parameter] { llmLowRank?.parameters() ?? [] }
}
