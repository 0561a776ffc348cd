import Foundation
import Torch

/// Converts a CTranslate2 Whisper model (e.g. from the pip packages in docs/models.md) into a
/// Hugging Face `WhisperForConditionalGeneration` folder: model.safetensors, config.json,
/// generation_config.json, preprocessor_config.json and the tokenizer files found next to
/// model.bin. The result loads in transformers and in `WhisperEncoder.load(folder:)`.
public enum WhisperCT2Converter {
    /// Tokenizer files copied unchanged when present.
    public static let tokenizerFiles = ["tokenizer.json", "vocabulary.txt", "vocabulary.json"]

    public struct Report: Sendable {
        public var sources: CT2Sources
        public var dimensions: WhisperCT2Dimensions
        public var tokens: WhisperSpecialTokens
        public var tensorCount: Int
        public var storedTypes: [String]
        public var outputDType: DType
        public var copiedFiles: [String]
        public var output: String
    }

    /// `dtype`: the stored float type of model.safetensors (float32, float16 or bfloat16).
    public static func convert(sources arguments: [String], output: String, dtype: DType = .float32) throws -> Report {
        guard [.float32, .float16, .bfloat16].contains(dtype) else {
            throw TorchError("output dtype \(dtype) is not supported (use float32, float16 or bfloat16)")
        }
        let sources = try CT2Sources(arguments)
        let file = try CT2ModelFile(parts: sources.parts)
        var mapping = try WhisperCT2Mapping(file: file)
        let (weights, dims) = try mapping.run()
        let tokens = try WhisperSpecialTokens.load(lookup: sources.sidecar)
        guard tokens.endOfText < dims.vocabSize, tokens.startOfTranscript < dims.vocabSize else {
            throw TorchError("\(tokens.source): special ids (<|endoftext|> \(tokens.endOfText), <|startoftranscript|> \(tokens.startOfTranscript)) "
                             + "are outside the model's vocabulary of \(dims.vocabSize): tokenizer and model.bin do not belong together")
        }
        let ct2Config = try sources.sidecar("config.json").map { try HFConfig(path: $0) }
        let files = WhisperHFFiles(dims: dims, tokens: tokens, ct2Config: ct2Config, dtype: dtype)

        try ModelFolder.prepareOutput(output, sourceFiles: sources.parts)
        func out(_ name: String) -> String { (output as NSString).appendingPathComponent(name) }
        var converted: [String: Tensor] = [:]
        for (name, tensor) in weights { converted[name] = tensor.dtype == dtype ? tensor : try tensor.to(dtype: dtype) }
        try Safetensors.save(converted, to: out("model.safetensors"), metadata: [
            "format": "pt", "converted_from": "CTranslate2 \(file.specName) revision \(file.revision)",
        ])
        try WhisperHFFiles.write(files.config, to: out("config.json"))
        try WhisperHFFiles.write(files.generationConfig, to: out("generation_config.json"))
        try WhisperHFFiles.write(files.preprocessorConfig, to: out("preprocessor_config.json"))
        var copied: [String] = []
        for name in tokenizerFiles {
            guard let path = sources.sidecar(name) else { continue }
            let destination = out(name)
            if FileManager.default.fileExists(atPath: destination) { try FileManager.default.removeItem(atPath: destination) }
            try FileManager.default.copyItem(atPath: path, toPath: destination)
            copied.append(name)
        }
        return Report(sources: sources, dimensions: dims, tokens: tokens, tensorCount: converted.count,
                      storedTypes: mapping.storedTypes.sorted(), outputDType: dtype, copiedFiles: copied, output: output)
    }
}
