import ArgumentParser
import SteerMoE
import Torch

/// Decoding settings of an adapter's LLM (transcribe and evaluate); unset = the checkpoint's config.
struct AdapterDecodingOptions: ParsableArguments {
    @Option(help: "Beam size (1 = greedy).") var beams: Int?
    @Option(help: "HF repetition penalty (1 = off).") var repetitionPenalty: Double?
    @Option(help: "HF no_repeat_ngram_size: no n-gram of this size twice (0 = off).") var noRepeatNgramSize: Int?
    @Option(help: "HF length_penalty of beam search: scores are divided by length^this (1 = HF's default; 0 = summed log-probs).")
    var lengthPenalty: Double?
    @Option(help: "Joint CTC/LLM decoding: weight λ of the adapter's audio-token CTC (0 = LLM only; adapters trained with ctc_weight).")
    var ctcDecodingWeight: Double?
    @Option(help: "Joint CTC/LLM decoding: score bonus per generated token (0 = off; counters short outputs).")
    var ctcLengthBonus: Double?
    @Option(help: "Where the models run: cpu, cuda or cuda:N (audio decoding and log-mels stay on the CPU).")
    var device: String = "cpu"

    /// The ranges TrainingConfig.validate enforces for the same settings in a config, named by flag.
    func validate() throws {
        try requireAtLeastOne(["--beams": beams])
        if let n = noRepeatNgramSize, n < 0 { throw ValidationError("--no-repeat-ngram-size must be >= 0, found \(n)") }
        if let p = repetitionPenalty, !(p > 0 && p.isFinite) { throw ValidationError("--repetition-penalty must be > 0, found \(p)") }
        if let w = ctcDecodingWeight, !(w >= 0 && w <= 1) { throw ValidationError("--ctc-decoding-weight must be within 0...1, found \(w)") }
        for (flag, v) in [("--length-penalty", lengthPenalty), ("--ctc-length-bonus", ctcLengthBonus)] {
            if let v, !v.isFinite { throw ValidationError("\(flag) must be a finite number, found \(v)") }
        }
    }

    var isSet: Bool {
        beams != nil || repetitionPenalty != nil || noRepeatNgramSize != nil || lengthPenalty != nil || ctcDecodingWeight != nil
            || ctcLengthBonus != nil
    }

    func transcriber(checkpoint: String, whisper: String? = nil, llm: String? = nil) throws -> Transcriber {
        let device = try DeviceSetting.parse(device, setting: "--device")
        return try Transcriber(checkpoint: checkpoint, whisper: whisper, llm: llm, numBeams: beams,
                        repetitionPenalty: repetitionPenalty, noRepeatNGramSize: noRepeatNgramSize,
                        lengthPenalty: lengthPenalty, ctcDecodingWeight: ctcDecodingWeight,
                        ctcLengthBonus: ctcLengthBonus, device: device)
    }
}
