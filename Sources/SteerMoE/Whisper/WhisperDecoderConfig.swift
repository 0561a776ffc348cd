import Foundation
import Torch

/// The decoder half of a Hugging Face Whisper config.json.
public struct WhisperDecoderConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var width: Int
    public var layers: Int
    public var heads: Int
    public var ffnWidth: Int
    /// `max_target_positions`: rows of the learned position table (prompt + generated tokens).
    public var maxPositions: Int
    public var activation: String

    public init(vocabSize: Int, width: Int, layers: Int, heads: Int, ffnWidth: Int, maxPositions: Int,
                activation: String = "gelu") {
        self.vocabSize = vocabSize
        self.width = width
        self.layers = layers
        self.heads = heads
        self.ffnWidth = ffnWidth
        self.maxPositions = maxPositions
        self.activation = activation
    }

    public init(_ c: HFConfig) throws {
        try self.init(vocabSize: c.int("vocab_size"), width: c.int("d_model"), layers: c.int("decoder_layers"),
                      heads: c.int("decoder_attention_heads"), ffnWidth: c.int("decoder_ffn_dim"),
                      maxPositions: c.int("max_target_positions"), activation: c.string("activation_function", default: "gelu"))
        guard width % heads == 0 else { throw TorchError("\(c.path): d_model \(width) is not divisible by decoder_attention_heads \(heads)") }
        // HF's WhisperForConditionalGeneration always ties proj_out to embed_tokens.
        guard c.bool("tie_word_embeddings", default: true) else {
            throw TorchError("\(c.path): tie_word_embeddings false is not supported (Whisper's proj_out is the token embedding)")
        }
    }

    /// Throws unless a `prompt`-token decoder prompt plus `newTokens` generated tokens fit the
    /// position table (transformers refuses the same).
    public func checkRoom(prompt: Int, newTokens: Int) throws {
        guard newTokens >= 1 else { throw TorchError("Whisper: maxNewTokens must be at least 1, got \(newTokens)") }
        guard prompt + newTokens <= maxPositions else {
            throw TorchError("Whisper: a \(prompt)-token prompt + \(newTokens) new tokens exceed max_target_positions \(maxPositions)")
        }
    }
}

/// The prompt and suppression settings of a Whisper generation_config.json (config.json when
/// there is none), as transformers' `WhisperForConditionalGeneration.generate` reads them.
public struct WhisperGenerationConfig: Sendable, Equatable {
    public var decoderStartTokenId: Int
    public var eosTokenId: Int
    public var noTimestampsTokenId: Int?
    public var isMultilingual: Bool
    /// "<|en|>" → id.
    public var langToId: [String: Int]
    /// "transcribe"/"translate" → id.
    public var taskToId: [String: Int]
    /// Never generated.
    public var suppressTokens: [Int]
    /// Not generated as the first new token.
    public var beginSuppressTokens: [Int]

    public init(decoderStartTokenId: Int, eosTokenId: Int, noTimestampsTokenId: Int?, isMultilingual: Bool,
                langToId: [String: Int], taskToId: [String: Int], suppressTokens: [Int], beginSuppressTokens: [Int]) {
        self.decoderStartTokenId = decoderStartTokenId
        self.eosTokenId = eosTokenId
        self.noTimestampsTokenId = noTimestampsTokenId
        self.isMultilingual = isMultilingual
        self.langToId = langToId
        self.taskToId = taskToId
        self.suppressTokens = suppressTokens
        self.beginSuppressTokens = beginSuppressTokens
    }

    public init(_ c: HFConfig) throws {
        guard let eos = c.intList("eos_token_id").first else { throw TorchError("\(c.path): missing key 'eos_token_id'") }
        func ids(_ key: String) -> [String: Int] {
            (c.values[key] as? [String: NSNumber])?.mapValues(\.intValue) ?? [:]
        }
        let langs = ids("lang_to_id")
        try self.init(decoderStartTokenId: c.int("decoder_start_token_id"), eosTokenId: eos,
                      noTimestampsTokenId: c.optionalInt("no_timestamps_token_id"),
                      isMultilingual: c.bool("is_multilingual", default: !langs.isEmpty), langToId: langs,
                      taskToId: ids("task_to_id"), suppressTokens: c.intList("suppress_tokens"),
                      beginSuppressTokens: c.intList("begin_suppress_tokens"))
    }

    /// From a model folder: generation_config.json, else config.json.
    public init(folder: ModelFolder) throws {
        try self.init(folder.optionalConfig("generation_config.json") ?? folder.config)
    }

    /// transformers' decoder prompt for short-form decoding without timestamps:
    /// `<|startoftranscript|>`, then for multilingual models the language and task tokens, then
    /// `<|notimestamps|>`. `language` is a code ("en") or a token ("<|en|>"); English-only
    /// models accept only nil or English and the task "transcribe".
    public func promptIds(language: String?, task: String = "transcribe") throws -> [Int] {
        var ids = [decoderStartTokenId]
        if isMultilingual {
            guard let language else { throw TorchError("Whisper: language detection is not supported; pass a language (e.g. \"en\")") }
            let token = language.hasPrefix("<|") ? language : "<|\(language.lowercased())|>"
            guard let lang = langToId[token] else {
                throw TorchError("Whisper: language '\(language)' is not in lang_to_id (e.g. \(langToId.keys.sorted().prefix(8).joined(separator: ", ")))")
            }
            guard let taskId = taskToId[task] else {
                throw TorchError("Whisper: task '\(task)' is not in task_to_id (\(taskToId.keys.sorted().joined(separator: ", ")))")
            }
            ids += [lang, taskId]
        } else {
            guard language.map({ ["en", "<|en|>"].contains($0.lowercased()) }) ?? true, task == "transcribe" else {
                throw TorchError("Whisper: an English-only model transcribes English only (language '\(language ?? "")', task '\(task)')")
            }
        }
        if let noTimestampsTokenId { ids.append(noTimestampsTokenId) }
        return ids
    }
}
