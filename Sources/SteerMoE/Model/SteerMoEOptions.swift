import Foundation

/// How the model joins encoder and LLM; every field has a YAML key (see Config/).
public struct SteerMoEOptions: Sendable, Equatable {
    public enum Mode: String, Sendable { case steering, linear }
    public enum Pooling: String, Sendable { case avg, max, none }
    /// Upstream pads every clip to 30 s and attends over the padding (`pad30`); `trim` cuts the
    /// batch to its longest clip and masks the padded frames in the encoder and in the LLM;
    /// `pad30_cut` (ours) runs the encoder on the 30 s window as Whisper was trained, then keeps
    /// only the clip's audio tokens for the LLM (masked as in `trim`).
    public enum AudioPadding: String, Sendable {
        case pad30, trim
        case pad30Cut = "pad30_cut"

        /// Whether the encoder sees the whole 30 s window.
        public var padsEncoderInput: Bool { self != .trim }
    }

    public var mode: Mode = .steering
    public var numExperts = 8
    public var steeringScale = 0.1
    public var useLayerScales = true
    public var pooling: Pooling = .avg
    public var poolingKernel = 4
    /// 1-based encoder layer after which to pool; nil = the last layer.
    public var poolingPosition: Int? = nil
    /// Keep at most this many audio embeddings.
    public var maxPromptTokens: Int? = nil
    public var audioPadding: AudioPadding = .pad30
    /// Weight of the load-balancing loss on the gates (0 = off, as upstream).
    public var loadBalancingWeight = 0.0
    /// Weight of the auxiliary CTC loss that reads audio embeddings as LLM tokens (0 = off, as
    /// upstream; our addition, see AudioTokenCTC).
    public var ctcWeight = 0.0
    /// The classes that CTC scores each audio embedding against (besides the blank).
    public enum CTCClasses: String, Sendable {
        /// Every token of the LLM's vocabulary.
        case vocabulary
        /// Only the tokens that occur in the training transcripts: the softmax then spans a few
        /// thousand classes instead of the whole vocabulary (Gemma 3: 262k, which doubled a step).
        case transcripts
    }
    public var ctcClasses: CTCClasses = .vocabulary
    /// How pooled encoder states become LLM embeddings: upstream's single Linear (`linear`), or
    /// Linear → GELU → Linear (`mlp`, ours; the projector of SLAM-ASR-style speech LLMs), whose
    /// hidden width is `projectorHiddenSize`.
    public enum Projector: String, Sendable { case linear, mlp }
    public var projector: Projector = .linear
    public var projectorHiddenSize = 2048
    /// LoRA on the frozen LLM's projections (ours; 0 = off, as upstream): rank, alpha (the update
    /// is scaled by alpha / rank; nil = 2 × rank) and the projections of every decoder layer it targets.
    public var loraRank = 0
    public var loraAlpha: Double? = nil
    public var loraTargets = ["q_proj", "v_proj"]
    /// `loraAlpha`, or PEFT's common choice 2 × rank (updates scaled by 2 whatever the rank).
    public var resolvedLoRAAlpha: Double { loraAlpha ?? Double(2 * loraRank) }

    public init() {}
}
