import Foundation
import SpeechData
import Tokenizers
import Torch

/// Everything a run needs, built from a TrainingConfig: models, tokenizer, collator, data.
public struct TrainingSetup {
    public var config: TrainingConfig
    public let model: SteerMoEModel
    public let tokenizer: Tokenizer
    public let collator: TextCollator
    public let featurizer: Featurizer
    public let dtype: DType
    /// Where the models train (`training.device`): cpu or cuda[:i].
    public let device: Device
    /// SHA-256 of the frozen models' weight files (computed once).
    public let weightDigests: (whisper: [String: String], llm: [String: String])

    public init(config: TrainingConfig, log: (String) -> Void) throws {
        var config = config
        if let t = config.threads { Torch.numThreads = t }
        // Also for configs built in code, which skip TrainingConfig.validate.
        device = try DeviceSetting.resolve(config.device, setting: "training.device")
        Torch.manualSeed(config.seed)
        try Self.requireModelFolders(config)
        dtype = .float32
        let model = try SteerMoEModel.build(whisperFolder: config.whisperPath, llmFolder: config.llmPath,
                                            options: config.model, dtype: dtype, seed: config.seed)
        try config.resolve(encoderLayers: model.encoder.layerCount, encoderWidth: model.encoder.config.width)
        // resolve() may change pooling: rebuild the adapter's options view when it did.
        if config.model != model.options {
            let adapter = try SteeringAdapter(layers: model.encoder.layerCount, encoderWidth: model.encoder.config.width,
                                              llmWidth: model.llm.config.hiddenSize, options: config.model,
                                              llm: model.llm, generator: Generator(seed: config.seed))
            self.model = SteerMoEModel(encoder: model.encoder, llm: model.llm, adapter: adapter)
        } else {
            self.model = model
        }
        // Built on the CPU (same initial adapter for the same seed on every device), then moved.
        if device != .cpu { try self.model.to(device: device) }
        self.model.gradientCheckpointing = config.gradientCheckpointing
        tokenizer = try Tokenizer(folder: config.llmPath)
        collator = try TextCollator(tokenizer: tokenizer, prompt: config.textualPrompt, chatTemplate: config.useChatTemplate,
                                    maxTextTokens: config.maxTextLength)
        let extractor = try LogMelExtractor.forWhisper(folder: config.whisperPath, encoderMelBins: self.model.encoder.config.melBins)
        featurizer = Featurizer(extractor: extractor, tokenizer: tokenizer, padding: config.model.audioPadding)
        weightDigests = (SteerMoE.weightDigests(folder: config.whisperPath), SteerMoE.weightDigests(folder: config.llmPath))
        self.config = config
        for note in config.notes { log("note: \(note)") }
    }

    /// The two frozen models' folders, named by their config keys before anything is loaded.
    static func requireModelFolders(_ config: TrainingConfig) throws {
        for (path, key) in [(config.whisperPath, "whisper_encoder.model_path"), (config.llmPath, "llm_decoder.model_name")] {
            guard !path.isEmpty else { throw ConfigError("\(key) is not set: name a Hugging Face model folder") }
            guard FileManager.default.fileExists(atPath: path) else {
                let base = path.hasPrefix("/") ? "" : " (relative to \(FileManager.default.currentDirectoryPath))"
                throw ConfigError("\(key): \(path) does not exist\(base); the recipes' models are made by scripts/fetch-models")
            }
        }
    }

    /// Filtered index of `paths` (audio length, non-empty text, token length < max_text_length).
    public func index(paths: [String], skipReport: String?, log: (String) -> Void) throws -> DatasetIndex {
        try Self.index(config: config, tokenizer: tokenizer, paths: paths, skipReport: skipReport, log: log)
    }

    /// `index(paths:...)` without a built setup (the transcriber rebuilds CTC classes with it).
    public static func index(config: TrainingConfig, tokenizer: Tokenizer, paths: [String], skipReport: String?,
                             log: (String) -> Void) throws -> DatasetIndex {
        let filter = FilterOptions(maxAudioLength: config.maxAudioLength,
                                   maxTextLength: config.filterDataset ? config.maxTextLength : nil, verifyAudio: true)
        let mapping = ColumnMapping(audio: config.audioColumn, text: config.textColumn)
        let report: SkipReport? = try skipReport.map { try SkipReport(path: $0) }
        let textLength: (@Sendable (String) -> Int)? = config.filterDataset
            ? { @Sendable text in tokenizer.encode(text, addSpecialTokens: false).count } : nil
        return try DatasetIndex.build(paths: paths, mapping: mapping, filter: filter, textLength: textLength,
                                      skipReport: report, workers: max(1, config.numWorkers), log: log)
    }

    /// Every token id of the transcripts of `index`, tokenized as the featurizer does (the CTC
    /// classes of `ctc_classes: transcripts`). Reads text columns only.
    public func transcriptTokens(_ index: DatasetIndex) throws -> Set<Int> {
        try Self.transcriptTokens(index, tokenizer: tokenizer)
    }

    public static func transcriptTokens(_ index: DatasetIndex, tokenizer: Tokenizer) throws -> Set<Int> {
        var ids = Set<Int>()
        for t in try index.transcripts() {
            ids.formUnion(Featurizer.transcriptIds(text: t.text ?? "", inputIds: t.inputIds, tokenizer: tokenizer))
        }
        return ids
    }

    /// A loader of model inputs; `augment` (the training loader) applies the config's augmentation.
    /// `rank`/`worldSize`: data-parallel training, this process's share of the batches.
    public func loader(_ index: DatasetIndex, batchSize: Int, shuffle: Bool, dropLast: Bool, augment: Bool = false,
                       rank: Int = 0, worldSize: Int = 1) -> DataLoader<SpeechItem> {
        let featurizer = self.featurizer
        let augmentation = augment ? config.augmentation : nil  // Featurizer skips a disabled one
        let seed = config.seed
        return DataLoader(index: index,
                          options: LoaderOptions(batchSize: batchSize, seed: config.seed, shuffle: shuffle, dropLast: dropLast,
                                                 workers: max(1, config.numWorkers), lengthBucketing: config.bucketByLength,
                                                 rank: rank, worldSize: worldSize),
                          epochTransform: { sample, epoch in try featurizer.item(sample, augmentation: augmentation, seed: seed, epoch: epoch) })
    }

    /// The three parameter groups of the procedure, each with its own learning rate (and ours,
    /// LoRA's); empty groups are left out.
    public func optimizer() -> AdamW {
        let a = model.adapter
        let groups = [
            ("steering", a.steeringParameters, config.steeringLearningRate),
            ("router", a.routerParameters, config.routerLearningRate),
            ("other", a.otherParameters, config.learningRate),
            ("lora", a.lowRankParameters, config.loraLearningRate),
        ].filter { !$0.1.isEmpty }.map { name, parameters, rate in
            ParameterGroup(name: name, parameters: parameters, learningRate: rate, weightDecay: config.weightDecay)
        }
        return AdamW(groups)
    }

    public var generationOptions: GenerationOptions {
        var options = GenerationOptions(maxNewTokens: config.maxNewTokens, numBeams: config.numBeams,
                                        repetitionPenalty: config.repetitionPenalty, lengthPenalty: config.lengthPenalty,
                                        eosTokenIds: [collator.eosId], padTokenId: collator.padId,
                                        noRepeatNGramSize: config.noRepeatNGramSize)
        options.ctcWeight = config.ctcDecodingWeight
        options.ctcLengthBonus = config.ctcLengthBonus
        return options
    }

    /// Identity of the frozen models, stored with checkpoints (steermoe.json).
    public var modelInfo: [String: Any] {
        [
            "whisper": config.whisperPath, "llm": config.llmPath, "mode": config.model.mode.rawValue,
            "num_experts": config.model.numExperts, "encoder_layers": model.encoder.layerCount,
            "encoder_width": model.encoder.config.width, "llm_width": model.llm.config.hiddenSize,
            "whisper_weights_sha256": weightDigests.whisper, "llm_weights_sha256": weightDigests.llm,
        ].merging(model.ctcClassIds.map { ["ctc_class_ids": $0] } ?? [:]) { a, _ in a }
    }
}

/// The file in a model folder that names the weights it is an exact copy of: `scripts/gpu/stage`
/// ships Whisper's encoder as float16 (the converted weights are float16 values, checked there), and
/// writes the source folder's digests here so that adapters trained on the copy record those.
public let sourceDigestsFile = "source_weights_sha256.json"

/// SHA-256 of every *.safetensors file of a model folder (by `sha256sum`, part of coreutils),
/// so a saved adapter records exactly which frozen weights it was trained against; for a staged
/// copy, the digests its `source_weights_sha256.json` names.
public func weightDigests(folder: String) -> [String: String] {
    let fm = FileManager.default
    if let data = fm.contents(atPath: folder + "/" + sourceDigestsFile),
       let recorded = (try? JSONSerialization.jsonObject(with: data)) as? [String: String], !recorded.isEmpty {
        return recorded
    }
    let files = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".safetensors") }.sorted()
    guard !files.isEmpty else { return [:] }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["sha256sum"] + files
    p.currentDirectoryURL = URL(fileURLWithPath: folder)
    let pipe = Pipe()
    p.standardOutput = pipe
    guard (try? p.run()) != nil else { return [:] }
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    var digests: [String: String] = [:]
    for line in out.split(separator: "\n") {
        let parts = line.split(separator: " ", maxSplits: 1)
        if parts.count == 2 { digests[parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " *"))] = String(parts[0]) }
    }
    return digests
}
