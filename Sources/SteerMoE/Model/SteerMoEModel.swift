import Foundation
import Torch

/// SteerMoE: frozen Whisper encoder + trainable steering adapter + frozen decoder LLM.
/// The LLM reads `[audio embeddings, textual prompt + transcript + eos]` under one attention
/// mask; the loss is the causal-LM cross-entropy on transcript and eos tokens only.
public final class SteerMoEModel {
    public let encoder: WhisperEncoder
    public let llm: DecoderLM
    public let adapter: SteeringAdapter
    public var options: SteerMoEOptions { adapter.options }
    /// Recompute encoder and LLM layers in backward (saves activation memory).
    public var gradientCheckpointing = false {
        didSet { encoder.gradientCheckpointing = gradientCheckpointing }
    }
    /// The classes of the audio-token CTC (AudioTokenCTC.swift): their embedding rows in float32
    /// and their token ids, built once (whole vocabulary on first use, or `restrictCTCClasses`).
    var ctcClasses: AudioTokenClasses?

    public init(encoder: WhisperEncoder, llm: DecoderLM, adapter: SteeringAdapter) {
        self.encoder = encoder
        self.llm = llm
        self.adapter = adapter
    }

    /// Frozen models from their folders and a freshly initialised adapter.
    public static func build(whisperFolder: String, llmFolder: String, options: SteerMoEOptions,
                             dtype: DType = .float32, seed: UInt64 = 0) throws -> SteerMoEModel {
        let encoder = try WhisperEncoder.load(folder: whisperFolder, dtype: dtype)
        let llm = try DecoderLM.load(folder: llmFolder, dtype: dtype)
        try llm.freeze()
        llm.eval()
        let adapter = try SteeringAdapter(layers: encoder.layerCount, encoderWidth: encoder.config.width,
                                          llmWidth: llm.config.hiddenSize, options: options, llm: llm,
                                          generator: Generator(seed: seed))
        return SteerMoEModel(encoder: encoder, llm: llm, adapter: adapter)
    }

    public var steeringEncoder: SteeringEncoder { SteeringEncoder(encoder: encoder, adapter: adapter) }
    /// The LLM's device: the entry points (forward, generate, calibration) move their inputs and
    /// build their tensors there (`Device.with`), so callers may pass CPU batches.
    public var device: Device { llm.device }

    /// Moves the frozen models and the adapter to `device` (the optimizer is built after).
    public func to(device: Device) throws {
        try encoder.to(device: device)
        try llm.to(device: device)
        try adapter.to(device: device)
        // The CTC class table is built from the embeddings: rebuild it (same classes) on the new device.
        if let ids = ctcClasses?.ids { try restrictCTCClasses(to: ids) } else { ctcClasses = nil }
    }

    /// The joint LLM input of one batch.
    public struct JointInput {
        public var embeds: Tensor      // (B, N, H)
        public var attentionMask: Tensor  // (B, N) int64
        public var labels: Tensor      // (B, N) int64, -100 on audio, prompt and padding
    }

    /// Places each row's audio (its valid part when `audioMask` is given) before its text and
    /// right-pads the rows; labels get -100 on every audio position. The text's `prefixIds`
    /// (e.g. Gemma's BOS) go first, before the audio, with label -100.
    public func joint(audio: Tensor, audioMask: Tensor?, text: TextBatch) throws -> JointInput {
        let (audio, audioMask) = try withSequencePrefix(audio, audioMask, ids: text.prefixIds)
        let textEmbeds = try llm.embed(text.ids).to(dtype: audio.dtype)
        let (b, a) = (audio.size(0), audio.size(1))
        guard let audioMask else {
            let ignore = try Tensor.full([b, a], TextCollator.ignoreIndex, dtype: .int64)
            return JointInput(embeds: try Tensor.cat([audio, textEmbeds], dim: 1),
                              attentionMask: try Tensor.cat([Tensor.ones([b, a], dtype: .int64), text.attentionMask], dim: 1),
                              labels: try Tensor.cat([ignore, text.labels], dim: 1))
        }
        let audioLengths = try audioMask.to(dtype: .int64).sum(dim: 1).ints()
        let textLengths = try text.attentionMask.sum(dim: 1).ints()
        let width = zip(audioLengths, textLengths).map(+).max()!
        var embeds: [Tensor] = [], masks: [Tensor] = [], labels: [Tensor] = []
        for r in 0..<b {
            let (na, nt) = (audioLengths[r], textLengths[r])
            let pad = width - na - nt
            let e = try Tensor.cat([audio.select(dim: 0, index: r).slice(dim: 0, start: 0, end: na),
                                    textEmbeds.select(dim: 0, index: r).slice(dim: 0, start: 0, end: nt)], dim: 0)
            embeds.append(try e.pad([0, 0, 0, pad]))
            masks.append(try Tensor([Int64](repeating: 1, count: na + nt) + [Int64](repeating: 0, count: pad)))
            let rowLabels = try text.labels.select(dim: 0, index: r).slice(dim: 0, start: 0, end: nt)
            labels.append(try Tensor.cat([Tensor.full([na], TextCollator.ignoreIndex, dtype: .int64), rowLabels,
                                          Tensor.full([pad], TextCollator.ignoreIndex, dtype: .int64)]))
        }
        return JointInput(embeds: try Tensor.stack(embeds), attentionMask: try Tensor.stack(masks), labels: try Tensor.stack(labels))
    }

    public struct Output {
        public var loss: Tensor
        /// The causal-LM part alone (equals `loss` when load balancing is off).
        public var lmLoss: Tensor
        /// The auxiliary audio-token CTC loss, unweighted (nil when `ctc_weight` is 0).
        public var ctcLoss: Tensor?
        public var targets: Int
        public var audio: SteeringEncoder.Output
        public var joint: JointInput
        public var hidden: Tensor
    }

    /// Forward pass and loss for one batch. `features` (B, mel, frames); `frameMask` (B, frames)
    /// is used in `trim` mode.
    public func callAsFunction(features: Tensor, frameMask: Tensor? = nil, text: TextBatch) throws -> Output {
        try Device.with(device) { try forward(features: features, frameMask: frameMask, text: text.to(device: device)) }
    }

    func forward(features: Tensor, frameMask: Tensor?, text: TextBatch) throws -> Output {
        let audio = try steeringEncoder(features, frameMask: frameMask)
        let joint = try joint(audio: audio.embeddings, audioMask: audio.mask, text: text)
        let hidden = try llm.hiddenStates(inputsEmbeds: joint.embeds, attentionMask: joint.attentionMask,
                                          checkpointLayers: gradientCheckpointing && Autograd.isGradEnabled)
        let (lmLoss, targets) = try causalLMLoss(hidden: hidden, labels: joint.labels)
        var loss = lmLoss
        if options.loadBalancingWeight > 0,
           let balance = try SteeringEncoder.loadBalancingLoss(gates: audio.gates, mask: nil) {
            loss = try loss + balance * options.loadBalancingWeight
        }
        var ctcLoss: Tensor? = nil
        if options.ctcWeight > 0 {
            let ctc = try audioTokenCTCLoss(audio: audio.embeddings, audioMask: audio.mask, labels: text.labels)
            loss = try loss + ctc * options.ctcWeight
            ctcLoss = ctc
        }
        return Output(loss: loss, lmLoss: lmLoss, ctcLoss: ctcLoss, targets: targets, audio: audio, joint: joint, hidden: hidden)
    }

    /// Mean cross-entropy of position t predicting labels[t + 1], over labels != -100. The LM
    /// head runs only on those positions (the vocabulary projection dominates otherwise).
    public func causalLMLoss(hidden: Tensor, labels: Tensor) throws -> (loss: Tensor, targets: Int) {
        let n = hidden.size(1)
        let targets = try labels.slice(dim: 1, start: 1, end: n)
        let keep = try targets.ne(TextCollator.ignoreIndex)
        let count = try keep.to(dtype: .int64).sum().itemInt()
        guard count > 0 else { throw TorchError("batch has no target tokens (every label is -100)") }
        let rows = try hidden.slice(dim: 1, start: 0, end: n - 1).index(keep)
        let logits = try llm.logits(rows).to(dtype: .float32)
        return (try Functional.crossEntropy(logits, targets.index(keep)), count)
    }

    /// Transcribes a batch: generates after [prefix, audio, prompt] (rows left-padded when their
    /// audio lengths differ). Returns token ids per row, without eos.
    public func generate(features: Tensor, frameMask: Tensor? = nil, promptIds: [Int], prefixIds: [Int] = [],
                         options generation: GenerationOptions) throws -> [[Int]] {
        try Device.with(device) { try Autograd.noGrad {
            var audio = try steeringEncoder(features, frameMask: frameMask)
            let scorers = generation.ctcWeight > 0 ? try ctcPrefixScorers(audio: audio.embeddings, audioMask: audio.mask) : nil
            (audio.embeddings, audio.mask) = try withSequencePrefix(audio.embeddings, audio.mask, ids: prefixIds)
            let b = audio.embeddings.size(0)
            let prompt = try sharedEmbeddings(promptIds, rows: b, dtype: audio.embeddings.dtype)
            guard let audioMask = audio.mask else {
                let embeds = try Tensor.cat([audio.embeddings, prompt], dim: 1)
                let mask = try Tensor.ones([b, embeds.size(1)], dtype: .int64)
                return try SteerMoE.generate(model: llm, prefixEmbeds: embeds, prefixMask: mask, ctcScorers: scorers,
                                             options: generation)
            }
            let lengths = try audioMask.to(dtype: .int64).sum(dim: 1).ints()
            let width = lengths.max()! + promptIds.count
            var rows: [Tensor] = [], masks: [Tensor] = []
            for r in 0..<b {
                let row = try Tensor.cat([audio.embeddings.select(dim: 0, index: r).slice(dim: 0, start: 0, end: lengths[r]),
                                          prompt.select(dim: 0, index: r)], dim: 0)
                let pad = width - row.size(0)
                rows.append(try row.pad([0, 0, pad, 0]))
                masks.append(try Tensor([Int64](repeating: 0, count: pad) + [Int64](repeating: 1, count: row.size(0))))
            }
            return try SteerMoE.generate(model: llm, prefixEmbeds: Tensor.stack(rows), prefixMask: Tensor.stack(masks),
                                         ctcScorers: scorers, options: generation)
        } }
    }

    /// `ids`' embeddings (the same for every row) placed before `audio` (B, A, H); the mask, when
    /// there is one, marks them valid. Unchanged when `ids` is empty.
    func withSequencePrefix(_ audio: Tensor, _ mask: Tensor?, ids: [Int]) throws -> (Tensor, Tensor?) {
        guard !ids.isEmpty else { return (audio, mask) }
        let b = audio.size(0)
        let embeds = try Tensor.cat([sharedEmbeddings(ids, rows: b, dtype: audio.dtype), audio], dim: 1)
        let prefixMask = try Tensor.ones([b, ids.count], dtype: .int64)
        return (embeds, try mask.map { try Tensor.cat([prefixMask.to(dtype: $0.dtype), $0], dim: 1) })
    }

    /// `ids`' embeddings repeated for `rows` rows: (rows, ids.count, H).
    func sharedEmbeddings(_ ids: [Int], rows: Int, dtype: DType) throws -> Tensor {
        try llm.embed(Tensor(ids.map(Int64.init), shape: [1, ids.count])).to(dtype: dtype)
            .expand([rows, ids.count, llm.config.hiddenSize])
    }
}
