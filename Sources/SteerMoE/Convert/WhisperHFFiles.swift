import Foundation
import Torch

/// The JSON files of a Hugging Face Whisper folder, built from the converted model's sizes,
/// its tokenizer's special ids and CTranslate2's config.json (suppress lists, alignment heads,
/// language ids). Values not derivable from the files are transformers' WhisperConfig defaults.
struct WhisperHFFiles {
    let dims: WhisperCT2Dimensions
    let tokens: WhisperSpecialTokens
    /// CTranslate2's config.json next to model.bin, when present.
    let ct2Config: HFConfig?
    let dtype: DType

    var isMultilingual: Bool { dims.vocabSize >= 51865 }

    /// Languages: CTranslate2's lang_ids when it lists them, else every language token.
    var languages: [String: Int] {
        let ids = Set(ct2Config?.intList("lang_ids") ?? [])
        return ids.isEmpty ? tokens.languages : tokens.languages.filter { ids.contains($0.value) }
    }

    var suppressTokens: [Int] { ct2Config?.intList("suppress_ids") ?? [] }
    var beginSuppressTokens: [Int] { ct2Config?.intList("suppress_ids_begin") ?? [] }

    var config: [String: Any] {
        [
            "architectures": ["WhisperForConditionalGeneration"], "model_type": "whisper",
            "vocab_size": dims.vocabSize, "num_mel_bins": dims.melBins, "d_model": dims.width,
            "encoder_layers": dims.encoderLayers, "encoder_attention_heads": dims.encoderHeads, "encoder_ffn_dim": dims.encoderFFN,
            "decoder_layers": dims.decoderLayers, "decoder_attention_heads": dims.decoderHeads, "decoder_ffn_dim": dims.decoderFFN,
            "max_source_positions": dims.maxSourcePositions, "max_target_positions": dims.maxTargetPositions,
            "activation_function": dims.activation, "scale_embedding": false, "tie_word_embeddings": dims.tiedProjection,
            "bos_token_id": tokens.endOfText, "eos_token_id": tokens.endOfText, "pad_token_id": tokens.endOfText,
            "decoder_start_token_id": tokens.startOfTranscript,
            // Also in generation_config.json; transformers warns at generate() when the two differ.
            "suppress_tokens": suppressTokens, "begin_suppress_tokens": beginSuppressTokens,
            "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0,
            "encoder_layerdrop": 0.0, "decoder_layerdrop": 0.0, "init_std": 0.02,
            "is_encoder_decoder": true, "use_cache": true, "use_weighted_layer_sum": false,
            "apply_spec_augment": false, "median_filter_width": 7, "dtype": dtype.description,
        ]
    }

    var generationConfig: [String: Any] {
        var g: [String: Any] = [
            "bos_token_id": tokens.endOfText, "eos_token_id": tokens.endOfText, "pad_token_id": tokens.endOfText,
            "decoder_start_token_id": tokens.startOfTranscript, "max_length": dims.maxTargetPositions,
            "is_multilingual": isMultilingual, "return_timestamps": false, "max_initial_timestamp_index": 50,
            "suppress_tokens": suppressTokens, "begin_suppress_tokens": beginSuppressTokens,
        ]
        if let heads = ct2Config?.values["alignment_heads"] as? [[NSNumber]] { g["alignment_heads"] = heads.map { $0.map(\.intValue) } }
        if let id = tokens.noTimestamps { g["no_timestamps_token_id"] = id }
        if let id = tokens.startOfPrevious { g["prev_sot_token_id"] = id }
        if isMultilingual {
            g["lang_to_id"] = languages
            var tasks: [String: Int] = [:]
            if let id = tokens.transcribe { tasks["transcribe"] = id }
            if let id = tokens.translate { tasks["translate"] = id }
            g["task_to_id"] = tasks
        }
        return g
    }

    /// WhisperFeatureExtractor's defaults with this model's mel bins.
    var preprocessorConfig: [String: Any] {
        [
            "feature_extractor_type": "WhisperFeatureExtractor", "processor_class": "WhisperProcessor",
            "feature_size": dims.melBins, "sampling_rate": 16000, "hop_length": 160, "n_fft": 400,
            "chunk_length": 30, "n_samples": 480_000, "nb_max_frames": 3000,
            "padding_side": "right", "padding_value": 0.0, "return_attention_mask": false, "dither": 0.0,
        ]
    }

    static func write(_ object: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        guard FileManager.default.createFile(atPath: path, contents: data + Data("\n".utf8)) else {
            throw TorchError("\(path): cannot write")
        }
    }
}
