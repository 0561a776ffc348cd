import Torch

/// Decoding settings, named and defaulted as HF `GenerationConfig` (deterministic decoding only:
/// greedy when `numBeams` is 1, beam search otherwise).
public struct GenerationOptions: Sendable {
    public var maxNewTokens: Int
    public var numBeams: Int
    /// HF `RepetitionPenaltyLogitsProcessor`; 1 = off.
    public var repetitionPenalty: Double
    /// HF `NoRepeatNGramLogitsProcessor`: no n-gram of this size occurs twice in a row's ids; 0 = off.
    public var noRepeatNGramSize: Int
    /// Beam scores are divided by (generated length)^lengthPenalty.
    public var lengthPenalty: Double
    /// Joint CTC/LLM decoding weight λ of the audio-token CTC's prefix scores (JointCTCSearch.swift;
    /// SteerMoE adapters trained with `ctc_weight` only); 0 = the LLM alone (greedy or HF beam search).
    public var ctcWeight: Double = 0
    /// Joint decoding: the LLM's top candidates per hypothesis and step that the CTC rescores (ESPnet's
    /// pre-beam; at least 2 × numBeams are used). Tokens the LLM ranks lower are never proposed.
    public var ctcCandidates = 10
    /// Joint decoding: added to a hypothesis' score per generated token (ESPnet's length bonus).
    /// Summed log-probs favour short outputs; a bonus counters the dropped endings that follow.
    /// With a bonus > 0 a row still stops once its best finished hypothesis scores at least every
    /// running one, although a running one could overtake it later (as HF's early stopping).
    public var ctcLengthBonus = 0.0
    /// Beam search: stop a batch row as soon as `numBeams` hypotheses are finished (HF `True`);
    /// false is HF's default heuristic (stop when no running beam can beat the finished ones).
    public var earlyStopping: Bool
    /// Any of these ends a sequence; empty = generate `maxNewTokens` always.
    public var eosTokenIds: [Int]
    /// Fills finished rows; nil = the first eos id (as HF does).
    public var padTokenId: Int?

    public init(maxNewTokens: Int = 64, numBeams: Int = 1, repetitionPenalty: Double = 1, lengthPenalty: Double = 1,
                earlyStopping: Bool = false, eosTokenIds: [Int] = [], padTokenId: Int? = nil, noRepeatNGramSize: Int = 0) {
        self.maxNewTokens = maxNewTokens
        self.numBeams = numBeams
        self.repetitionPenalty = repetitionPenalty
        self.noRepeatNGramSize = noRepeatNGramSize
        self.lengthPenalty = lengthPenalty
        self.earlyStopping = earlyStopping
        self.eosTokenIds = eosTokenIds
        self.padTokenId = padTokenId
    }

    /// Eos and pad ids from the model's config/generation_config.
    public init(model: DecoderLM, maxNewTokens: Int = 64, numBeams: Int = 1, repetitionPenalty: Double = 1,
                lengthPenalty: Double = 1, earlyStopping: Bool = false) {
        self.init(maxNewTokens: maxNewTokens, numBeams: numBeams, repetitionPenalty: repetitionPenalty,
                  lengthPenalty: lengthPenalty, earlyStopping: earlyStopping,
                  eosTokenIds: model.config.eosTokenIds, padTokenId: model.config.padTokenId)
    }

    /// The id written after a row has finished (HF: pad, else eos[0]).
    var fillTokenId: Int? { padTokenId ?? eosTokenIds.first }

    func validate() throws {
        guard maxNewTokens >= 1 else { throw TorchError("generate: maxNewTokens must be at least 1, got \(maxNewTokens)") }
        guard numBeams >= 1 else { throw TorchError("generate: numBeams must be at least 1, got \(numBeams)") }
        guard noRepeatNGramSize >= 0 else { throw TorchError("generate: noRepeatNGramSize must be >= 0, got \(noRepeatNGramSize)") }
        guard ctcWeight >= 0 && ctcWeight <= 1 else { throw TorchError("generate: ctcWeight must be within 0...1, got \(ctcWeight)") }
        guard ctcLengthBonus.isFinite else { throw TorchError("generate: ctcLengthBonus must be finite, got \(ctcLengthBonus)") }
        guard ctcCandidates >= 1 else { throw TorchError("generate: ctcCandidates must be at least 1, got \(ctcCandidates)") }
        guard repetitionPenalty > 0 else { throw TorchError("generate: repetitionPenalty must be > 0, got \(repetitionPenalty)") }
    }
}
