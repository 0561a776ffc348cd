import Torch

/// The frozen Whisper encoder run layer by layer with the adapter's steering after each layer,
/// pooling after the configured layer, the final layer norm, projection and truncation.
public struct SteeringEncoder {
    public let encoder: WhisperEncoder
    public let adapter: SteeringAdapter

    public struct Output {
        /// (B, A, d_llm) audio embeddings for the LLM.
        public var embeddings: Tensor
        /// (B, A) bool, true = real audio; nil when every position is valid (pad30 mode).
        public var mask: Tensor?
        /// Per layer: softmax gates (B, T_l, E) (empty for the linear baseline).
        public var gates: [Tensor]
        /// Per layer: the steered layer output, before pooling.
        public var layerOutputs: [Tensor]
        /// After pooling and the final layer norm, before projection.
        public var encoderOutput: Tensor
    }

    public init(encoder: WhisperEncoder, adapter: SteeringAdapter) {
        self.encoder = encoder
        self.adapter = adapter
    }

    /// `features` (B, mel, frames); `frameMask` (B, frames) marks real audio and is used in
    /// `trim` mode (masked attention) and `pad30_cut` mode (the clip's tokens kept); upstream's
    /// `pad30` attends over the padding and keeps every token.
    public func callAsFunction(_ features: Tensor, frameMask: Tensor? = nil) throws -> Output {
        // The featurizer builds CPU tensors; the encoder's device decides where this runs.
        let features = try features.to(device: encoder.device)
        let frameMask = try frameMask?.to(device: encoder.device)
        let options = adapter.options
        let poolAfter = options.poolingPosition ?? encoder.layerCount
        var x = try encoder.embed(features)
        var valid: Tensor? = nil
        if options.audioPadding != .pad30, let frameMask {
            valid = try encoder.positionMask(frameMask: frameMask).squeeze(1).squeeze(1)
        }
        // pad30_cut: the encoder attends over the whole window, as Whisper was trained.
        let masksAttention = options.audioPadding == .trim
        var gates: [Tensor] = [], outputs: [Tensor] = []
        for l in 0..<encoder.layerCount {
            let h = try encoder.layer(l, x, mask: masksAttention ? valid.map { try $0.unsqueeze(1).unsqueeze(1) } : nil)
            let steered = try adapter.steer(layer: l, h)
            x = steered.output
            if let g = steered.gates { gates.append(g) }
            outputs.append(x)
            if l + 1 == poolAfter {
                if let v = valid {  // padded positions pool as zeros, as upstream's zero right-padding
                    x = try x * v.unsqueeze(2).to(dtype: x.dtype)
                    valid = try poolMask(v, kernel: options.poolingKernel, kind: options.pooling)
                }
                x = try poolTime(x, kernel: options.poolingKernel, kind: options.pooling)
            }
        }
        if options.audioPadding == .pad30Cut, let v = valid {
            // Keep the tokens up to the longest clip of the batch; the rest is silence for every row.
            let longest = try v.to(dtype: .int64).sum([1]).ints().max() ?? 0
            x = try x.slice(dim: 1, start: 0, end: max(1, longest))
            valid = try v.slice(dim: 1, start: 0, end: max(1, longest))
        }
        let normed = try encoder.finalNorm(x)
        var audio = try adapter.project(normed)
        if let limit = options.maxPromptTokens, audio.size(1) > limit {
            audio = try audio.slice(dim: 1, start: 0, end: limit)
            valid = try valid?.slice(dim: 1, start: 0, end: limit)
        }
        return Output(embeddings: audio, mask: valid, gates: gates, layerOutputs: outputs, encoderOutput: normed)
    }

    /// Load-balancing loss: per layer, E · Σ_e (mean gate of expert e)² − 1, averaged over
    /// layers. 0 when experts are used uniformly, up to E − 1 when one expert takes everything.
    public static func loadBalancingLoss(gates: [Tensor], mask: Tensor?) throws -> Tensor? {
        guard !gates.isEmpty else { return nil }
        var total: Tensor? = nil
        for g in gates {
            let e = Double(g.size(2))
            let usage: Tensor
            if let mask, mask.size(1) == g.size(1) {
                let m = try mask.unsqueeze(2).to(dtype: g.dtype)
                usage = try (g * m).sum([0, 1]) / m.sum().clamp(min: 1)
            } else {
                usage = try g.mean([0, 1])
            }
            let term = try usage.pow(2).sum() * e - 1.0
            total = try total.map { try $0 + term } ?? term
        }
        return try total! / Double(gates.count)
    }
}
