import Foundation
import Torch

/// Everything a training run needs, loaded from YAML. Accepts the original Python project's
/// files unchanged (same keys, same nesting); docs/config.md lists every key, what it does
/// here, and where we depart from upstream.
public struct TrainingConfig: Sendable, Equatable {
    // Models
    public var whisperPath = ""
    public var llmPath = ""
    /// Informational in upstream files; checked against the model folder when given.
    public var whisperFeatureDim: Int? = nil
    public var whisperNumLayers: Int? = nil

    public var model = SteerMoEOptions()

    // Optimisation
    public var outputDir = "runs/steermoe"
    public var loggingDir: String? = nil
    public var batchSize = 4
    public var evalBatchSize = 4
    public var epochs = 1
    public var maxSteps: Int? = nil
    public var learningRate = 1e-4
    public var steeringLearningRate = 1e-3
    public var routerLearningRate = 1e-4
    public var weightDecay = 0.01
    /// Learning rate of the LLM's LoRA updates (`lora.rank` > 0; ours).
    public var loraLearningRate = 2e-4
    public var warmupSteps = 0
    public var lrScheduler = "linear"
    public var gradientClipping = 1.0
    public var useSteeringGradientClipping = true
    public var steeringGradientClip = 1.0
    public var gradientAccumulationSteps = 1
    public var fp16 = false
    public var bf16 = false
    public var gradientCheckpointing = false
    public var seed: UInt64 = 42
    public var threads: Int? = nil
    public var device = "cpu"
    public var maxConsecutiveNonFiniteSteps = 10
    /// Ours: start from a trained adapter's weights (a checkpoint or exported folder) with a fresh
    /// optimizer and schedule, e.g. to fine-tune the bundled default on new speech (InitAdapter).
    public var initAdapter: String? = nil

    // Data
    public var parquetDirs: [String] = []
    public var evalParquetDirs: [String] = []
    public var audioColumn = "audio"
    public var textColumn = "text"
    public var sampleRate = 16000
    public var maxAudioLength = 30.0
    public var maxTextLength = 448
    public var filterDataset = true
    public var numWorkers = 2
    public var bucketByLength = false
    /// Our addition: rescale the projection once before the first step so audio embeddings
    /// have the RMS of the LLM's token embeddings (ProjectionCalibration). Off in upstream configs.
    public var calibrateProjection = false
    public var maxEvalSamples: Int? = nil
    /// Our addition: speed perturbation and SpecAugment of the training clips (Augmentation).
    public var augmentation = Augmentation()

    // Prompting
    public var textualPrompt = "please transcribe the audio content into text: "
    public var useChatTemplate = false

    // Logging, evaluation, checkpoints
    public var loggingSteps = 10
    public var evalSteps: Int? = nil
    public var saveSteps: Int? = nil
    public var saveTotalLimit: Int? = 2
    public var steeringLogInterval = 100
    public var logSteeringAnalysis = true
    public var useEarlyStopping = false
    public var earlyStoppingPatience = 3
    public var metricForBestModel = "cer"
    public var greaterIsBetter = false
    public var loadBestModelAtEnd = true
    public var numBeams = 1
    public var maxNewTokens = 128
    /// HF generation settings (1 / 0 = off).
    public var repetitionPenalty = 1.0
    public var noRepeatNGramSize = 0
    /// HF beam search length_penalty (scores divided by length^this).
    public var lengthPenalty = 1.0
    /// Joint CTC/LLM decoding weight of the audio-token CTC (ours; 0 = off; needs ctc_weight > 0 in training).
    public var ctcDecodingWeight = 0.0
    /// Joint decoding's length bonus per token (ours; 0 = off; needs ctc_decoding_weight > 0).
    public var ctcLengthBonus = 0.0

    /// Keys read from upstream files but without effect here (DeepSpeed, HF Trainer plumbing).
    public private(set) var ignoredKeys: [String] = []
    /// Non-fatal remarks (e.g. an upstream value we interpret differently), printed at start.
    public private(set) var notes: [String] = []

    public init() {}
}

extension TrainingConfig {
    /// Every key this loader understands, by dotted path. Unknown keys are errors.
    static let knownKeys: Set<String> = [
        "whisper_encoder.model_path", "whisper_encoder.feature_dim", "whisper_encoder.num_layers",
        "llm_decoder.model_name", "llm_decoder.model_path", "llm_decoder.max_length", "llm_decoder.use_cache",
        "steering.num_experts", "steering.steering_scale", "steering.use_layer_scales", "steering.use_gradient_clipping",
        "steering.steering_gradient_clip", "steering.mode", "steering.load_balancing_weight",
        "training.output_dir", "training.logging_dir", "training.batch_size", "training.eval_batch_size", "training.epochs",
        "training.max_steps", "training.learning_rate", "training.steering_learning_rate", "training.router_learning_rate",
        "training.weight_decay", "training.warmup_steps", "training.lr_scheduler", "training.gradient_clipping",
        "training.gradient_accumulation_steps", "training.fp16", "training.bf16", "training.gradient_checkpointing",
        "training.use_deepspeed", "training.seed", "training.threads", "training.device", "training.num_workers",
        "training.max_consecutive_nonfinite_steps", "training.init_adapter",
        "parquet_dirs", "eval_parquet_dirs", "audio_column", "text_column", "sample_rate", "max_audio_length",
        "max_text_length", "filter_dataset", "bucket_by_length", "calibrate_projection", "ctc_weight", "ctc_classes", "max_eval_samples", "audio_padding",
        "projector", "projector_hidden_size",
        "textual_prompt", "use_chat_template", "max_prompt_tokens", "use_adapter",
        "save_total_limit", "logging_steps", "eval_steps", "save_steps",
        "log_steering_analysis", "steering_log_interval", "clip_steering_gradients",
        "use_early_stopping", "early_stopping_patience", "eval_dataset_name", "eval_batch_size",
        "deepspeed_config", "report_to", "logging_strategy", "evaluation_strategy", "save_strategy",
        "load_best_model_at_end", "metric_for_best_model", "greater_is_better",
        "pooling_kernel_size", "pooling_position", "pooling_type", "num_beams", "max_new_tokens", "mode",
        "repetition_penalty", "no_repeat_ngram_size", "length_penalty", "ctc_decoding_weight", "ctc_length_bonus",
        "speed_perturbation", "spec_augment.freq_masks", "spec_augment.freq_width", "spec_augment.time_masks",
        "spec_augment.time_width", "channel_simulation.sample_rate", "channel_simulation.bits",
        "channel_simulation.probability", "channel_simulation.level_dbfs",
        "lora.rank", "lora.alpha", "lora.targets", "training.lora_learning_rate",
    ]
    /// Upstream keys accepted for compatibility that change nothing here.
    static let inertKeys: Set<String> = [
        "training.use_deepspeed", "deepspeed_config", "report_to", "logging_strategy", "evaluation_strategy",
        "save_strategy", "use_adapter", "eval_dataset_name", "llm_decoder.max_length", "llm_decoder.use_cache",
    ]

    /// Loads a YAML file; relative paths inside resolve against the current folder (as upstream's do).
    public static func load(path: String) throws -> TrainingConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("\(path): cannot read the config file")
        }
        return try parse(yaml: text, source: path)
    }

    public static func parse(yaml text: String, source: String = "<config>") throws -> TrainingConfig {
        let y = try YAMLTree(yaml: text, source: source)
        for path in y.leafPaths() where !knownKeys.contains(path) {
            let best = knownKeys.min { editDistance($0, path) < editDistance($1, path) }!
            throw ConfigError("\(source): unknown key '\(path)' (did you mean '\(best)'?)")
        }
        var c = TrainingConfig()
        c.ignoredKeys = y.leafPaths().filter { inertKeys.contains($0) }

        c.whisperPath = try y.string("whisper_encoder.model_path") ?? c.whisperPath
        c.whisperFeatureDim = try y.int("whisper_encoder.feature_dim")
        c.whisperNumLayers = try y.int("whisper_encoder.num_layers")
        c.llmPath = try y.string("llm_decoder.model_name") ?? y.string("llm_decoder.model_path") ?? c.llmPath

        c.model.mode = try choice(y.string("steering.mode") ?? y.string("mode"), key: "mode",
                                  allowed: "steering or linear", source: source) ?? c.model.mode
        c.model.numExperts = try y.int("steering.num_experts") ?? c.model.numExperts
        c.model.steeringScale = try y.double("steering.steering_scale") ?? c.model.steeringScale
        c.model.useLayerScales = try y.bool("steering.use_layer_scales") ?? c.model.useLayerScales
        c.model.loadBalancingWeight = try y.double("steering.load_balancing_weight") ?? 0
        c.useSteeringGradientClipping = try y.bool("steering.use_gradient_clipping") ?? y.bool("clip_steering_gradients") ?? true
        c.steeringGradientClip = try y.double("steering.steering_gradient_clip") ?? 1.0
        c.model.pooling = try choice(y.string("pooling_type"), key: "pooling_type",
                                     allowed: "avg, max or none", source: source) ?? c.model.pooling
        c.model.poolingKernel = try y.int("pooling_kernel_size") ?? c.model.poolingKernel
        c.model.poolingPosition = try y.int("pooling_position")
        c.model.projector = try choice(y.string("projector"), key: "projector",
                                       allowed: "linear or mlp", source: source) ?? c.model.projector
        c.model.projectorHiddenSize = try y.int("projector_hidden_size") ?? c.model.projectorHiddenSize
        c.model.loraRank = try y.int("lora.rank") ?? 0
        c.model.loraAlpha = try y.double("lora.alpha")
        c.model.loraTargets = try y.strings("lora.targets") ?? c.model.loraTargets
        c.loraLearningRate = try y.double("training.lora_learning_rate") ?? c.loraLearningRate
        c.model.maxPromptTokens = try y.int("max_prompt_tokens")
        c.model.audioPadding = try choice(y.string("audio_padding"), key: "audio_padding",
                                          allowed: "pad30, pad30_cut or trim", source: source) ?? c.model.audioPadding

        c.outputDir = try y.string("training.output_dir") ?? c.outputDir
        c.loggingDir = try y.string("training.logging_dir")
        c.batchSize = try y.int("training.batch_size") ?? c.batchSize
        c.evalBatchSize = try y.int("training.eval_batch_size") ?? y.int("eval_batch_size") ?? c.batchSize
        c.epochs = try y.int("training.epochs") ?? c.epochs
        c.maxSteps = try y.int("training.max_steps")
        c.learningRate = try y.double("training.learning_rate") ?? c.learningRate
        c.steeringLearningRate = try y.double("training.steering_learning_rate") ?? c.steeringLearningRate
        c.routerLearningRate = try y.double("training.router_learning_rate") ?? c.routerLearningRate
        c.weightDecay = try y.double("training.weight_decay") ?? c.weightDecay
        c.warmupSteps = try y.int("training.warmup_steps") ?? c.warmupSteps
        c.lrScheduler = try y.string("training.lr_scheduler") ?? c.lrScheduler
        c.gradientClipping = try y.double("training.gradient_clipping") ?? c.gradientClipping
        c.gradientAccumulationSteps = try y.int("training.gradient_accumulation_steps") ?? 1
        c.fp16 = try y.bool("training.fp16") ?? false
        c.bf16 = try y.bool("training.bf16") ?? false
        c.gradientCheckpointing = try y.bool("training.gradient_checkpointing") ?? false
        if let s = try y.int("training.seed") { c.seed = UInt64(s) }
        c.threads = try y.int("training.threads")
        c.device = try y.string("training.device") ?? c.device
        c.numWorkers = try y.int("training.num_workers") ?? c.numWorkers
        c.maxConsecutiveNonFiniteSteps = try y.int("training.max_consecutive_nonfinite_steps") ?? 10
        c.initAdapter = try y.string("training.init_adapter")

        c.parquetDirs = try y.strings("parquet_dirs") ?? []
        c.evalParquetDirs = try y.strings("eval_parquet_dirs") ?? []
        c.audioColumn = try y.string("audio_column") ?? c.audioColumn
        c.textColumn = try y.string("text_column") ?? c.textColumn
        c.sampleRate = try y.int("sample_rate") ?? c.sampleRate
        c.maxAudioLength = try y.double("max_audio_length") ?? c.maxAudioLength
        c.maxTextLength = try y.int("max_text_length") ?? c.maxTextLength
        c.filterDataset = try y.bool("filter_dataset") ?? true
        c.bucketByLength = try y.bool("bucket_by_length") ?? false
        c.calibrateProjection = try y.bool("calibrate_projection") ?? false
        c.model.ctcWeight = try y.double("ctc_weight") ?? 0
        c.model.ctcClasses = try choice(y.string("ctc_classes"), key: "ctc_classes",
                                        allowed: "vocabulary or transcripts", source: source) ?? c.model.ctcClasses
        c.maxEvalSamples = try y.int("max_eval_samples")
        c.augmentation = Augmentation(speedFactors: try y.doubles("speed_perturbation") ?? [],
                                      freqMasks: try y.int("spec_augment.freq_masks") ?? 0,
                                      freqWidth: try y.int("spec_augment.freq_width") ?? 0,
                                      timeMasks: try y.int("spec_augment.time_masks") ?? 0,
                                      timeWidth: try y.double("spec_augment.time_width") ?? 0)
        let channelRate = try y.int("channel_simulation.sample_rate"), channelBits = try y.int("channel_simulation.bits")
        let channelProbability = try y.double("channel_simulation.probability")
        let channelLevel = try y.doubles("channel_simulation.level_dbfs")
        if channelRate != nil || channelBits != nil || channelProbability != nil || channelLevel != nil {
            var level: ClosedRange<Double>? = nil
            if let l = channelLevel {
                guard (1...2).contains(l.count), l.allSatisfy({ $0.isFinite && $0 <= 0 }), l.first! <= l.last! else {
                    throw ConfigError("\(source): 'channel_simulation.level_dbfs' must be one level or a range [low, high] in dB at or below 0 (full scale), found [\(l.map { String(format: "%g", $0) }.joined(separator: ", "))]")
                }
                level = l.first!...l.last!
            }
            c.augmentation.channel = .init(sampleRate: channelRate, bits: channelBits, levelDBFS: level,
                                           probability: channelProbability ?? 1)
        }
        c.textualPrompt = try y.string("textual_prompt") ?? c.textualPrompt
        c.useChatTemplate = try y.bool("use_chat_template") ?? false

        c.loggingSteps = try y.int("logging_steps") ?? c.loggingSteps
        c.evalSteps = try y.int("eval_steps")
        c.saveSteps = try y.int("save_steps")
        c.saveTotalLimit = try y.int("save_total_limit") ?? c.saveTotalLimit
        c.steeringLogInterval = try y.int("steering_log_interval") ?? c.steeringLogInterval
        c.logSteeringAnalysis = try y.bool("log_steering_analysis") ?? true
        c.useEarlyStopping = try y.bool("use_early_stopping") ?? false
        c.earlyStoppingPatience = try y.int("early_stopping_patience") ?? c.earlyStoppingPatience
        c.metricForBestModel = try y.string("metric_for_best_model") ?? c.metricForBestModel
        c.greaterIsBetter = try y.bool("greater_is_better") ?? false
        c.loadBestModelAtEnd = try y.bool("load_best_model_at_end") ?? true
        c.numBeams = try y.int("num_beams") ?? 1
        c.maxNewTokens = try y.int("max_new_tokens") ?? c.maxNewTokens
        c.repetitionPenalty = try y.double("repetition_penalty") ?? 1
        c.noRepeatNGramSize = try y.int("no_repeat_ngram_size") ?? 0
        c.lengthPenalty = try y.double("length_penalty") ?? 1
        c.ctcDecodingWeight = try y.double("ctc_decoding_weight") ?? 0
        c.ctcLengthBonus = try y.double("ctc_length_bonus") ?? 0

        try c.validate(source: source)
        return c
    }

    /// The case of `T` that a key's string `value` names; nil when the key is absent. The error
    /// names the file, the key, the allowed values and what was found.
    static func choice<T: RawRepresentable>(_ value: String?, key: String, allowed: String,
                                            source: String) throws -> T? where T.RawValue == String {
        guard let value else { return nil }
        guard let v = T(rawValue: value) else { throw ConfigError("\(source): '\(key)' must be \(allowed), found \(value)") }
        return v
    }

    mutating func validate(source: String) throws {
        func positive(_ v: Int, _ key: String) throws {
            if v <= 0 { throw ConfigError("\(source): '\(key)' must be positive, found \(v)") }
        }
        try positive(batchSize, "training.batch_size")
        try positive(epochs, "training.epochs")
        try positive(gradientAccumulationSteps, "training.gradient_accumulation_steps")
        try positive(model.numExperts, "steering.num_experts")
        try positive(model.poolingKernel, "pooling_kernel_size")
        try positive(model.projectorHiddenSize, "projector_hidden_size")
        try positive(evalBatchSize, "training.eval_batch_size")
        try positive(loggingSteps, "logging_steps")
        try positive(steeringLogInterval, "steering_log_interval")
        try positive(earlyStoppingPatience, "early_stopping_patience")
        try positive(maxConsecutiveNonFiniteSteps, "training.max_consecutive_nonfinite_steps")
        try positive(numBeams, "num_beams")
        try positive(maxNewTokens, "max_new_tokens")
        try positive(sampleRate, "sample_rate")
        for (key, v) in [("training.max_steps", maxSteps), ("eval_steps", evalSteps), ("save_steps", saveSteps),
                         ("training.threads", threads), ("max_prompt_tokens", model.maxPromptTokens),
                         ("max_eval_samples", maxEvalSamples)] {
            if let v { try positive(v, key) }
        }
        if maxTextLength < 2 {
            throw ConfigError("\(source): 'max_text_length' must be at least 2 (a transcript token and the end token), found \(maxTextLength)")
        }
        if warmupSteps < 0 { throw ConfigError("\(source): 'training.warmup_steps' must be >= 0, found \(warmupSteps)") }
        // A negative learning rate or weight decay would train away from the data without any error.
        for (key, v) in [("training.learning_rate", learningRate), ("training.steering_learning_rate", steeringLearningRate),
                         ("training.router_learning_rate", routerLearningRate), ("training.weight_decay", weightDecay),
                         ("steering.load_balancing_weight", model.loadBalancingWeight),
                         ("training.lora_learning_rate", loraLearningRate)] where !(v >= 0 && v.isFinite) {
            throw ConfigError("\(source): '\(key)' must be a number >= 0, found \(v)")
        }
        for (key, v) in [("training.gradient_clipping", gradientClipping), ("steering.steering_gradient_clip", steeringGradientClip),
                         ("max_audio_length", maxAudioLength)] where !(v > 0 && v.isFinite) {
            throw ConfigError("\(source): '\(key)' must be a number > 0, found \(v)")
        }
        if !model.steeringScale.isFinite {
            throw ConfigError("\(source): 'steering.steering_scale' must be a finite number, found \(model.steeringScale)")
        }
        for f in augmentation.speedFactors where !(f >= 0.5 && f <= 2) {
            throw ConfigError("\(source): 'speed_perturbation' factors must be within 0.5...2, found \(f)")
        }
        for (key, v) in [("spec_augment.freq_masks", augmentation.freqMasks), ("spec_augment.freq_width", augmentation.freqWidth),
                         ("spec_augment.time_masks", augmentation.timeMasks)] where v < 0 {
            throw ConfigError("\(source): '\(key)' must be >= 0, found \(v)")
        }
        if let channel = augmentation.channel {
            if let r = channel.sampleRate, !(r >= 1000 && r < sampleRate) {
                throw ConfigError("\(source): 'channel_simulation.sample_rate' must be within 1000..<\(sampleRate) Hz (below the training audio's 'sample_rate'), found \(r)")
            }
            if let b = channel.bits, !(b >= 2 && b <= 24) {
                throw ConfigError("\(source): 'channel_simulation.bits' must be within 2...24, found \(b)")
            }
            if !(channel.probability >= 0 && channel.probability <= 1) {
                throw ConfigError("\(source): 'channel_simulation.probability' must be within 0...1, found \(channel.probability)")
            }
            if channel.sampleRate == nil && channel.bits == nil && channel.levelDBFS == nil {
                throw ConfigError("\(source): 'channel_simulation' needs 'sample_rate', 'bits' or 'level_dbfs'")
            }
        }
        if !(augmentation.timeWidth >= 0 && augmentation.timeWidth < 1) {
            throw ConfigError("\(source): 'spec_augment.time_width' is a fraction of the clip, within 0..<1, found \(augmentation.timeWidth)")
        }
        if model.loraRank < 0 { throw ConfigError("\(source): 'lora.rank' must be >= 0 (0 = no LoRA), found \(model.loraRank)") }
        if model.loraRank > 0 {
            if let alpha = model.loraAlpha, !(alpha > 0 && alpha.isFinite) {
                throw ConfigError("\(source): 'lora.alpha' must be a number > 0, found \(alpha)")
            }
            if model.loraTargets.isEmpty { throw ConfigError("\(source): 'lora.targets' is empty: name the projections to adapt") }
            if let bad = model.loraTargets.first(where: { !LLMLowRank.allowedTargets.contains($0) }) {
                throw ConfigError("\(source): 'lora.targets' has '\(bad)'; expected some of \(LLMLowRank.allowedTargets.joined(separator: ", "))")
            }
        }
        if model.ctcWeight < 0 { throw ConfigError("\(source): 'ctc_weight' must be >= 0, found \(model.ctcWeight)") }
        if !lengthPenalty.isFinite { throw ConfigError("\(source): 'length_penalty' must be a finite number, found \(lengthPenalty)") }
        if !(ctcDecodingWeight >= 0 && ctcDecodingWeight <= 1) {
            throw ConfigError("\(source): 'ctc_decoding_weight' must be within 0...1, found \(ctcDecodingWeight)")
        }
        if ctcDecodingWeight > 0 && model.ctcWeight == 0 {
            throw ConfigError("\(source): 'ctc_decoding_weight' needs the audio-token CTC of training ('ctc_weight' > 0)")
        }
        if !ctcLengthBonus.isFinite { throw ConfigError("\(source): 'ctc_length_bonus' must be a finite number, found \(ctcLengthBonus)") }
        if ctcLengthBonus != 0 && ctcDecodingWeight == 0 {
            throw ConfigError("\(source): 'ctc_length_bonus' applies to joint CTC decoding only: set 'ctc_decoding_weight' > 0 or drop it")
        }
        if repetitionPenalty <= 0 { throw ConfigError("\(source): 'repetition_penalty' must be > 0, found \(repetitionPenalty)") }
        if noRepeatNGramSize < 0 { throw ConfigError("\(source): 'no_repeat_ngram_size' must be >= 0, found \(noRepeatNGramSize)") }
        if !["linear", "cosine", "constant"].contains(lrScheduler) {
            throw ConfigError("\(source): 'training.lr_scheduler' must be linear, cosine or constant, found \(lrScheduler)")
        }
        if !["cer", "wer", "loss", "eval_loss"].contains(metricForBestModel) {
            throw ConfigError("\(source): 'metric_for_best_model' must be cer, wer or loss, found \(metricForBestModel)")
        }
        _ = try DeviceSetting.parse(device, setting: "\(source): 'training.device'")
        if fp16 && bf16 { throw ConfigError("\(source): set at most one of training.fp16 and training.bf16") }
        if fp16 && !device.hasPrefix("cuda") {
            // On a GPU fp16 runs with dynamic loss scaling (LossScaler). CPUs have no fast float16
            // arithmetic, while bf16 needs no loss scaling and is fast on those with AMX (CPUMatrixUnits).
            notes.append("training.fp16 is true on the CPU: training in bf16 instead (CPU float16 autocast is slow); set training.bf16 to silence this")
            fp16 = false
            bf16 = true
        }
        if !ignoredKeys.isEmpty {
            notes.append("accepted for compatibility, no effect here: \(ignoredKeys.joined(separator: ", "))")
        }
    }

    /// Fixes model-dependent values once the encoder is known (upstream's default pooling
    /// position 32 never pools a smaller encoder; we pool after the last layer instead).
    public mutating func resolve(encoderLayers: Int, encoderWidth: Int) throws {
        if let p = model.poolingPosition, p > encoderLayers || p < 1 {
            notes.append("pooling_position \(p) is outside 1...\(encoderLayers) for this encoder: pooling after the last layer")
            model.poolingPosition = nil
        }
        if let n = whisperNumLayers, n != encoderLayers {
            notes.append("whisper_encoder.num_layers is \(n) but the model folder has \(encoderLayers) layers: using the folder's")
        }
        if let d = whisperFeatureDim, d != encoderWidth {
            notes.append("whisper_encoder.feature_dim is \(d) but the model folder has d_model \(encoderWidth): using the folder's")
        }
    }
}
