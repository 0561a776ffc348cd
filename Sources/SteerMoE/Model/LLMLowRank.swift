import Foundation
import Torch

/// LoRA on the frozen LLM (ours, off by default; upstream keeps the LLM untouched): a trainable
/// low-rank update `(alpha / rank) · B A x` beside each targeted projection of every decoder
/// layer. A starts as torch.nn.Linear does (uniform ±1/√in, as PEFT), B at zero, so training
/// starts from the frozen LLM's exact outputs.
///
/// The updates are parameters of the adapter (saved, exported and optimised with it) under the
/// name of the layer they modify, as PEFT names them without its wrapper prefixes:
/// `model.layers.3.self_attn.q_proj.lora_A.weight` (rank, in) and `….lora_B.weight` (out, rank).
public final class LLMLowRank: Module, @unchecked Sendable {
    /// The projections LoRA may target (Llama / Qwen / Gemma decoder layers).
    public static let allowedTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    struct Update {
        let path: String
        let layer: Linear
        let update: LowRankUpdate
    }
    let updates: [Update]
    public let rank: Int
    public let alpha: Double

    /// Builds one update per targeted Linear of `llm` (matched by the last part of its name) and
    /// attaches it to that layer, replacing any update attached before.
    public init(llm: DecoderLM, rank: Int, alpha: Double, targets: [String], generator: Generator? = nil) throws {
        guard rank > 0 else { throw TorchError("lora.rank must be positive, got \(rank)") }
        if let bad = targets.first(where: { !Self.allowedTargets.contains($0) }) {
            throw TorchError("lora.targets: unknown projection '\(bad)' (expected some of \(Self.allowedTargets.joined(separator: ", ")))")
        }
        self.rank = rank
        self.alpha = alpha
        let wanted = Set(targets)
        var updates: [Update] = []
        for (name, module) in llm.namedModules() {
            guard let layer = module as? Linear, let last = name.split(separator: ".").last, wanted.contains(String(last)),
                  name.hasPrefix("model.layers.") else { continue }
            let down = try Linear(layer.inFeatures, rank, bias: false, generator: generator).weight
            let update = LowRankUpdate(down: down, up: try Parameter(Tensor.zeros([layer.outFeatures, rank])),
                                       scale: alpha / Double(rank))
            updates.append(Update(path: name, layer: layer, update: update))
        }
        guard !updates.isEmpty else { throw TorchError("lora.targets \(targets): no such projection in the LLM's decoder layers") }
        self.updates = updates
        super.init()
        attach()
    }

    /// Hooks the updates into the LLM's layers (done at init; again after another adapter took them).
    public func attach() { for u in updates { u.layer.lowRank = u.update } }

    /// Removes every update attached to `llm`'s layers (the plain frozen LLM again).
    public static func detach(from llm: DecoderLM) {
        for (_, module) in llm.namedModules() { (module as? Linear)?.lowRank = nil }
    }

    override public func namedParameters(prefix: String = "") -> [(name: String, parameter: Parameter)] {
        let base = prefix.isEmpty ? "" : prefix + "."
        return updates.flatMap { u in
            [(base + u.path + ".lora_A.weight", u.update.down), (base + u.path + ".lora_B.weight", u.update.up)]
        }
    }
}
