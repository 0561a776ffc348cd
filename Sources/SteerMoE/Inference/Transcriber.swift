import Foundation
import SpeechData
import Tokenizers
import Torch

/// A trained SteerMoE ready to transcribe: the frozen models named by the checkpoint's config
/// plus its adapter weights. `checkpoint` is any folder written by the trainer (checkpoint-N,
/// best, final) or the bundled default.
public final class Transcriber: ClipTranscriber {
    public let model: SteerMoEModel
    public let tokenizer: Tokenizer
    public let collator: TextCollator
    public let extractor: LogMelExtractor
    public let config: TrainingConfig
    public var generation: GenerationOptions
    /// Remarks on loading: frozen weights that differ from those the adapter was trained against,
    /// CTC classes rebuilt from the training data.
    public let warnings: [String]

    /// `whisper`/`llm` override the model folders recorded in the checkpoint (relative paths
    /// in the checkpoint's config resolve against the current directory, then the checkpoint).
    /// `device` is where the models run (audio decoding and log-mels stay on the CPU).
    public init(checkpoint: String, whisper: String? = nil, llm: String? = nil, numBeams: Int? = nil,
                maxNewTokens: Int? = nil, repetitionPenalty: Double? = nil, noRepeatNGramSize: Int? = nil,
                lengthPenalty: Double? = nil, ctcDecodingWeight: Double? = nil, ctcLengthBonus: Double? = nil,
                device: Device = .cpu) throws {
        try DeviceSetting.checkAvailable(device, setting: "device")
        try Checkpoint.requireAdapterFolder(checkpoint, what: "checkpoint")
        var c = try TrainingConfig.load(path: checkpoint + "/" + Checkpoint.configFile)
        c.whisperPath = try Self.locate(whisper ?? c.whisperPath, near: checkpoint, what: "Whisper model folder")
        c.llmPath = try Self.locate(llm ?? c.llmPath, near: checkpoint, what: "LLM model folder")
        var warnings = Self.checkDigests(checkpoint: checkpoint, whisper: c.whisperPath, llm: c.llmPath)
        // float32 whatever the folders store (HF Whisper folders are often float16): the adapter was
        // trained on float32 activations, and libtorch refuses mixed input/weight types.
        let encoder = try WhisperEncoder.load(folder: c.whisperPath, dtype: .float32)
        try c.resolve(encoderLayers: encoder.layerCount, encoderWidth: encoder.config.width)
        let decoder = try DecoderLM.load(folder: c.llmPath, dtype: .float32)
        try decoder.freeze()
        decoder.eval()
        let adapter = try SteeringAdapter(layers: encoder.layerCount, encoderWidth: encoder.config.width,
                                          llmWidth: decoder.config.hiddenSize, options: c.model, llm: decoder)
        // float32 too for an adapter exported at half precision (steermoe export --dtype float16).
        try adapter.load(Safetensors.load(checkpoint + "/" + Checkpoint.adapterFile), dtype: .float32)
        try adapter.freeze()
        model = SteerMoEModel(encoder: encoder, llm: decoder, adapter: adapter)
        if device != .cpu { try model.to(device: device) }
        tokenizer = try Tokenizer(folder: c.llmPath)
        collator = try TextCollator(tokenizer: tokenizer, prompt: c.textualPrompt, chatTemplate: c.useChatTemplate,
                                    maxTextTokens: c.maxTextLength)
        extractor = try LogMelExtractor.forWhisper(folder: c.whisperPath, encoderMelBins: encoder.config.melBins)
        generation = GenerationOptions(maxNewTokens: maxNewTokens ?? c.maxNewTokens, numBeams: numBeams ?? c.numBeams,
                                       repetitionPenalty: repetitionPenalty ?? c.repetitionPenalty,
                                       lengthPenalty: lengthPenalty ?? c.lengthPenalty,
                                       eosTokenIds: [collator.eosId], padTokenId: collator.padId,
                                       noRepeatNGramSize: noRepeatNGramSize ?? c.noRepeatNGramSize)
        generation.ctcWeight = ctcDecodingWeight ?? c.ctcDecodingWeight
        // The bonus belongs to joint decoding: --ctc-decoding-weight 0 turns both off.
        if let ctcLengthBonus, ctcLengthBonus != 0, generation.ctcWeight == 0 {
            throw ConfigError("a CTC length bonus (\(ctcLengthBonus)) applies to joint CTC decoding only: it needs a CTC decoding weight > 0")
        }
        generation.ctcLengthBonus = generation.ctcWeight > 0 ? (ctcLengthBonus ?? c.ctcLengthBonus) : 0
        try generation.validate()
        config = c
        if generation.ctcWeight > 0, let note = try Self.restoreCTCClasses(of: model, checkpoint: checkpoint, config: c,
                                                                           tokenizer: tokenizer) {
            warnings.append(note)
        }
        self.warnings = warnings
    }

    /// Joint CTC decoding of an adapter trained with `ctc_classes: transcripts` needs those classes:
    /// from the checkpoint's steermoe.json (`ctc_class_ids`, written since they are saved), else
    /// rebuilt from the training transcripts named by its config when they are here. Returns a
    /// note when rebuilt; leaves the model unrestricted (and joint decoding then fails clearly)
    /// when neither is available.
    static func restoreCTCClasses(of model: SteerMoEModel, checkpoint: String, config c: TrainingConfig,
                                  tokenizer: Tokenizer) throws -> String? {
        guard let found = try Checkpoint.ctcClassIds(checkpoint: checkpoint, config: c, tokenizer: tokenizer) else { return nil }
        try model.restrictCTCClasses(to: found.ids)
        return found.rebuilt ? "\(checkpoint) lists no CTC classes: rebuilt \(found.ids.count) from the training transcripts in "
            + c.parquetDirs.joined(separator: ", ") : nil
    }

    /// Compares the SHA-256 recorded in the checkpoint's steermoe.json with the folders' files
    /// (`known`: their digests when the caller has them already, e.g. TrainingSetup.weightDigests).
    static func checkDigests(checkpoint: String, whisper: String, llm: String,
                             known: (whisper: [String: String], llm: [String: String])? = nil) -> [String] {
        // An unreadable steermoe.json is no reason to refuse a transcription: no digests to compare.
        guard let info = try? Checkpoint.modelInfo(checkpoint) else { return [] }
        var out: [String] = []
        for (key, folder, digests) in [("whisper_weights_sha256", whisper, known?.whisper), ("llm_weights_sha256", llm, known?.llm)] {
            guard let expected = info[key] as? [String: String], !expected.isEmpty else { continue }
            let found = digests ?? weightDigests(folder: folder)
            if found != expected {
                out.append("\(folder): weights differ from those the adapter was trained with (\(key) in \(checkpoint)/steermoe.json); results may differ")
            }
        }
        return out
    }

    /// A model folder named by a checkpoint's config: as given (absolute, or relative to the current
    /// folder), else relative to the checkpoint or any folder above it — so `checkpoints/default`,
    /// whose config names `models/whisper-base`, finds the checkout's models from any current folder.
    static func locate(_ path: String, near checkpoint: String, what: String) throws -> String {
        let fm = FileManager.default
        let candidates = [path] + (path.hasPrefix("/") ? [] : ProjectPaths.selfAndAncestors(of: checkpoint).map { $0 + "/" + path })
        for candidate in candidates where fm.fileExists(atPath: candidate + "/config.json") {
            return candidate
        }
        throw ConfigError("\(what) '\(path)' not found (looked in the current folder, in \(checkpoint) and the folders above it); "
                          + "pass it explicitly")
    }

    /// Adapters were trained on single lines: a long recording is read utterance by utterance.
    public static let defaultSegmenter = PauseSegmenter.utterances
    public var segmenter: PauseSegmenter { Self.defaultSegmenter }

    /// Generous speech rate for the generation budget of long clips: fast speech is about 3.5
    /// words/s, ~5 tokens/s with these tokenizers.
    static let tokensPerSecond = 6.0

    /// Transcribes 16 kHz mono clips (longer than 30 s: only the first 30 s are heard; files of any
    /// length: `transcribe(files:batchSize:segmenter:)`). The generation budget is the checkpoint's
    /// `max_new_tokens`, raised for a batch whose longest clip needs more at `tokensPerSecond`
    /// (recipes set 40, enough for the ≤ 7 s lines they were trained on, not for 30 s of speech).
    public func transcribe(clips: [[Float]]) throws -> [String] {
        let items = try clips.map { try Featurizer.clipItem($0, extractor: extractor, padding: config.model.audioPadding) }
        let longest = Double(min(clips.map(\.count).max() ?? 0, extractor.chunkSamples)) / Double(PauseSegmenter.sampleRate)
        var generation = generation
        generation.maxNewTokens = max(generation.maxNewTokens, Int((longest * Self.tokensPerSecond).rounded(.up)))
        let evaluator = Evaluator(model: model, tokenizer: tokenizer, promptIds: collator.promptIds,
                                  prefixIds: collator.prefixIds, generation: generation)
        return try evaluator.transcribe(items)
    }
}
