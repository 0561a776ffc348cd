import Foundation
import Tokenizers
import Torch

extension Checkpoint {
    /// The CTC classes of an adapter trained with `ctc_classes: transcripts`: from its steermoe.json
    /// (`ctc_class_ids`), else rebuilt from the training transcripts named by its config (as the
    /// trainer built them) when those are here. nil when the adapter has no such classes or
    /// neither source is available.
    public static func ctcClassIds(checkpoint: String, config c: TrainingConfig,
                                   tokenizer: Tokenizer) throws -> (ids: [Int], rebuilt: Bool)? {
        guard c.model.ctcWeight > 0 && c.model.ctcClasses == .transcripts else { return nil }
        if let ids = try modelInfo(checkpoint)["ctc_class_ids"] as? [Int] { return (ids, false) }
        let fm = FileManager.default
        guard !c.parquetDirs.isEmpty, c.parquetDirs.allSatisfy({ fm.fileExists(atPath: $0) }) else { return nil }
        let index = try TrainingSetup.index(config: c, tokenizer: tokenizer, paths: c.parquetDirs, skipReport: nil, log: { _ in })
        return (try TrainingSetup.transcriptTokens(index, tokenizer: tokenizer).sorted(), true)
    }

    /// A checkpoint's steermoe.json as a dictionary ([:] when absent).
    static func modelInfo(_ checkpoint: String) throws -> [String: Any] {
        let path = checkpoint + "/" + modelInfoFile
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard let info = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError("\(path): not a JSON object")
        }
        return info
    }

    /// Copies a trained adapter for sharing or bundling (`steermoe export`): adapter weights,
    /// config, trainer state and steermoe.json, without the optimizer state; an adapter trained
    /// with `ctc_classes: transcripts` gets its class list in steermoe.json (rebuilt from its
    /// training transcripts when the checkpoint predates it), so joint CTC decoding works without
    /// the training data. `dtype` (float16 or bfloat16) stores the weights at that precision, half
    /// the size; loaders read them back as float32, the adapter's compute type. Written to a
    /// temporary folder and renamed into place. Returns notes.
    @discardableResult
    public static func export(from source: String, to destination: String, dtype: DType? = nil) throws -> [String] {
        let destination = try checkedDestination(destination, sources: [source], dtype: dtype, command: "export")
        let config = try TrainingConfig.load(path: source + "/" + configFile)
        let (info, infoNotes) = try shareableModelInfo(source, config: config)
        let weights = try dtype.map { _ in try Safetensors.load(source + "/" + adapterFile) }
        return try infoNotes + writeAdapterFolder(destination, configFrom: source, weights: weights, dtype: dtype, info: info)
    }

    /// The checks `export` and `average` make before reading a weight: `dtype` is floating-point,
    /// each source is an adapter folder, and `destination` may be replaced whole (never a source, a
    /// folder holding one, or a folder of other files). Returns the destination's standardised path.
    static func checkedDestination(_ destination: String, sources: [String], dtype: DType?, command: String) throws -> String {
        if let dtype, !dtype.isFloatingPoint {
            throw ConfigError("\(command) dtype \(dtype): expected a floating-point type (float32, float16 or bfloat16)")
        }
        for source in sources { try requireAdapterFolder(source, what: "checkpoint") }
        // "dir/" would put the temporary folder inside the destination it then replaces.
        let destination = URL(fileURLWithPath: destination).standardizedFileURL.path
        try OutputFolder.check(destination, marker: adapterFile, kind: "an adapter folder", sources: sources,
                               sourceNoun: "checkpoint", what: "\(command) destination")
        return destination
    }

    /// `source`'s steermoe.json for an adapter that travels without its training data: an adapter
    /// trained with `ctc_classes: transcripts` gets its class list (rebuilt from the training
    /// transcripts when the checkpoint predates it). Returns the info and notes.
    static func shareableModelInfo(_ source: String, config: TrainingConfig) throws -> (info: [String: Any], notes: [String]) {
        var info = try modelInfo(source)
        guard config.model.ctcWeight > 0 && config.model.ctcClasses == .transcripts && info["ctc_class_ids"] == nil else {
            return (info, [])
        }
        let llm = try Transcriber.locate(config.llmPath, near: source, what: "LLM model folder (for its tokenizer)")
        guard let found = try ctcClassIds(checkpoint: source, config: config, tokenizer: Tokenizer(folder: llm)) else {
            throw ConfigError("\(source): its CTC classes (ctc_classes: transcripts) are not listed and its training data "
                              + "(\(config.parquetDirs.joined(separator: ", "))) is not here to rebuild them")
        }
        info["ctc_class_ids"] = found.ids
        return (info, ["CTC classes rebuilt from the training transcripts: \(found.ids.count) tokens"])
    }

    /// Writes an adapter folder (`export`, `average`): the config and trainer state copied from
    /// `source`, `weights` (nil: `source`'s adapter file copied byte for byte) stored as `dtype` when
    /// given, and `info` as steermoe.json; into a temporary folder renamed into place. Returns notes.
    static func writeAdapterFolder(_ destination: String, configFrom source: String, weights: [String: Tensor]?,
                                   dtype: DType?, info: [String: Any]) throws -> [String] {
        let fm = FileManager.default
        var notes: [String] = []
        let tmp = destination + ".tmp-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        for file in [configFile, stateFile] where fm.fileExists(atPath: source + "/" + file) {
            try fm.copyItem(atPath: source + "/" + file, toPath: tmp + "/" + file)
        }
        if let weights {
            let stored = try dtype.map { d in try weights.mapValues { try $0.dtype.isFloatingPoint ? $0.to(dtype: d) : $0 } } ?? weights
            try Safetensors.save(stored, to: tmp + "/" + adapterFile, metadata: adapterMetadata)
            if let dtype { notes.append("adapter weights stored as \(dtype)") }
        } else {
            try fm.copyItem(atPath: source + "/" + adapterFile, toPath: tmp + "/" + adapterFile)
        }
        try writeSynced(JSONSerialization.data(withJSONObject: info, options: [.prettyPrinted, .sortedKeys]),
                        to: tmp + "/" + modelInfoFile)
        if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
        try fm.moveItem(atPath: tmp, toPath: destination)
        Safetensors.syncDirectory(of: destination)
        return notes
    }
}
