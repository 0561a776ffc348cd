import ArgumentParser
import Foundation
import SteerMoE
import Torch

/// `steermoe convert gguf SRC --out DIR`: a GGUF LLM (llama / qwen2 / gemma3) to a Hugging Face
/// folder that `DecoderLM.load(folder:)` and transformers read. See docs/models-llm.md.
struct ConvertGGUF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gguf",
        abstract: "Convert a GGUF LLM (llama, qwen2, gemma3) to a Hugging Face folder (safetensors + config + tokenizer)."
    )
    @Argument(help: "The .gguf file (multi-part downloads joined first; see scripts/gguf/fetch.sh).") var source: String
    @Option(help: "Output folder (created).") var out: String
    @Option(help: "Stored dtype of model.safetensors: f32, bf16 or f16.") var dtype = "f32"

    func run() throws {
        guard let dt = DType(name: dtype) else { throw ValidationError("--dtype: unknown dtype '\(dtype)' (f32, bf16, f16)") }
        let report = try GGUFConverter(source: source, outputDtype: dt).convert(to: out) { print($0) }
        let types = report.storedTypes.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        print(String(format: "done: %@, %d tensors, %.1fM parameters (stored as %@), %.1f s",
                     report.architecture, report.tensors, Double(report.parameters) / 1e6, types, report.seconds))
    }
}
