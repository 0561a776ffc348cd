import Foundation
import Torch

/// GGUF → Hugging Face folder: `model.safetensors` (dequantised), `config.json`,
/// `generation_config.json`, `tokenizer.json`, `tokenizer_config.json`.
///
/// The tensors equal what transformers' GGUF loader produces (`from_pretrained(gguf_file=)`):
/// same dequantisation (gguf-py's formulas, float32), same un-permutation of Llama q/k rows,
/// same Gemma norm offset, same names.
public struct GGUFConverter {
    public struct Report: Sendable {
        public var architecture: String
        public var tensors: Int
        public var parameters: Int
        /// Stored ggml type → tensor count, e.g. ["Q4_1": 210, "F32": 61].
        public var storedTypes: [String: Int]
        public var seconds: Double
    }

    public let source: String
    public let outputDtype: DType

    public init(source: String, outputDtype: DType = .float32) throws {
        guard [.float32, .bfloat16, .float16].contains(outputDtype) else {
            throw GGUFError("output dtype must be float32, bfloat16 or float16 (got \(outputDtype))")
        }
        self.source = source
        self.outputDtype = outputDtype
    }

    /// All HF tensors of the file, float32 (what `convert` writes with `outputDtype` f32).
    public static func hfTensors(of file: GGUFFile) throws -> [String: Tensor] {
        let plan = try TensorPlan(file: file)
        var out: [String: Tensor] = [:]
        for (name, info) in plan.sources { out[name] = try plan.tensor(info) }
        return out
    }

    /// GGUF tensor → HF name, checked up front, and the per-tensor decoding.
    struct TensorPlan {
        let config: GGUFModelConfig
        let names: GGUFTensorNames
        /// HF name → the GGUF tensor it comes from.
        let sources: [String: GGUFTensorInfo]
        let file: GGUFFile

        init(file: GGUFFile) throws {
            self.file = file
            config = try GGUFModelConfig(file: file)
            names = GGUFTensorNames(architecture: config.architecture)
            var sources: [String: GGUFTensorInfo] = [:]
            for info in file.tensors {
                let name = try names.hfName(info.name)
                guard sources[name] == nil else { throw GGUFError("\(file.path): two tensors map to '\(name)'") }
                sources[name] = info
            }
            self.sources = sources
        }

        /// Dequantised to float32, with llama.cpp's transforms undone.
        func tensor(_ info: GGUFTensorInfo) throws -> Tensor {
            var values = try file.floats(info)
            let shape = info.shape
            if names.unpermuteHeads(info.name) {
                let heads = info.name.contains(".attn_q.") ? try config.headCount : try config.kvHeadCount
                values = try GGUFTransforms.unpermuteRows(values, rows: shape[0], cols: shape.count > 1 ? shape[1] : 1, heads: heads)
            }
            if names.subtractOneFromNorm(info.name) { for i in values.indices { values[i] -= 1 } }
            return try values.withUnsafeBytes { try Tensor.fromBytes($0, shape: shape, dtype: .float32) }
        }
    }

    /// Writes the folder; `log` receives one line per step.
    @discardableResult
    public func convert(to folder: String, log: (String) -> Void = { _ in }) throws -> Report {
        let start = Date()
        let file = try GGUFFile(path: source)
        let config = try GGUFModelConfig(file: file)
        let tokenizer = try GGUFTokenizer(file: file, architecture: config.architecture)
        let plan = try TensorPlan(file: file)  // unknown tensors fail before anything is written
        try ModelFolder.prepareOutput(folder, sourceFiles: [source])
        func write(_ json: GGUFJSON, _ name: String) throws {
            let path = (folder as NSString).appendingPathComponent(name)
            try json.serialized().write(toFile: path, atomically: true, encoding: .utf8)
            log("wrote \(path)")
        }
        log("\(source): GGUF v\(file.version), \(config.architecture), \(file.tensors.count) tensors")
        try write(config.configJSON(), "config.json")
        try write(config.generationConfigJSON(), "generation_config.json")
        try write(tokenizer.tokenizerJSON(), "tokenizer.json")
        try write(tokenizer.tokenizerConfigJSON(maxLength: config.optionalInt("context_length")), "tokenizer_config.json")

        // One tensor in memory at a time: dequantise, transform, cast, write.
        let entries = plan.sources.map { GGUFSafetensorsWriter.Entry(name: $0.key, shape: $0.value.shape, dtype: outputDtype) }
        var metadata = ["format": "pt", "converted_from": "gguf", "gguf_file": (source as NSString).lastPathComponent]
        if let license = file["general.license"]?.string { metadata["license"] = license }
        let path = (folder as NSString).appendingPathComponent("model.safetensors")
        try GGUFSafetensorsWriter.write(entries, to: path, metadata: metadata) { entry in
            let t = try plan.tensor(plan.sources[entry.name]!)
            return outputDtype == .float32 ? t : try t.to(dtype: outputDtype)
        }
        log("wrote \(path) (\(entries.count) tensors, \(outputDtype))")

        var types: [String: Int] = [:]
        for t in file.tensors { types[t.type.description, default: 0] += 1 }
        return Report(architecture: config.architecture, tensors: entries.count,
                      parameters: file.tensors.reduce(0) { $0 + $1.elementCount }, storedTypes: types,
                      seconds: Date().timeIntervalSince(start))
    }
}
