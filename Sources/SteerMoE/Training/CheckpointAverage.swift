import Foundation
import Torch

extension Checkpoint {
    /// Averages the adapter weights of several checkpoints of one model (`steermoe average`), as
    /// ESPnet and fairseq average their last checkpoints: each trainable tensor becomes the mean of
    /// its values, computed in float32. The sources must describe the same model: the same model
    /// settings, Whisper, LLM, prompt and chat template in their configs, the same steermoe.json
    /// (base-weight hashes, CTC classes) and the same tensor names and shapes. The new folder takes
    /// the config and trainer state of the last source and lists the sources in steermoe.json
    /// (`averaged_from`); `dtype` stores the mean at that precision. Written to a temporary folder
    /// and renamed into place. Returns notes.
    @discardableResult
    public static func average(_ sources: [String], to destination: String, dtype: DType? = nil) throws -> [String] {
        guard sources.count >= 2 else { throw ConfigError("average: expected at least two checkpoints, got \(sources.count)") }
        if let repeated = Dictionary(grouping: sources, by: OutputFolder.realPath).first(where: { $0.value.count > 1 }) {
            throw ConfigError("average: \(repeated.value.joined(separator: " and ")) name the same checkpoint (it would count twice)")
        }
        let destination = try checkedDestination(destination, sources: sources, dtype: dtype, command: "average")

        let last = sources[sources.count - 1]
        let config = try TrainingConfig.load(path: last + "/" + configFile)
        var (info, notes) = try shareableModelInfo(last, config: config)
        for source in sources.dropLast() {
            try requireSameModel(source, as: last, config: config, info: info)
        }

        var sums: [String: Tensor] = [:]
        let reference = try Safetensors.load(last + "/" + adapterFile)
        for source in sources {
            let weights = source == last ? reference : try Safetensors.load(source + "/" + adapterFile)
            try requireSameTensors(weights, in: source, as: reference, in: last)
            for (name, w) in weights {
                let w32 = try w.to(dtype: .float32)
                sums[name] = try sums[name].map { try $0 + w32 } ?? w32
            }
        }
        let mean = try sums.mapValues { try $0 / Double(sources.count) }
        info["averaged_from"] = try sources.map { source -> [String: Any] in
            ["checkpoint": source, "step": try loadStateIfPresent(source)?.step ?? NSNull()]
        }
        notes.append("averaged \(sources.count) checkpoints: \(mean.count) tensors")
        return try notes + writeAdapterFolder(destination, configFrom: last, weights: mean, dtype: dtype, info: info)
    }

    /// Fails unless `source` holds the model that `reference` does: the config settings that shape
    /// or feed the adapter, and steermoe.json, must agree; the message names what differs.
    private static func requireSameModel(_ source: String, as reference: String, config: TrainingConfig,
                                         info: [String: Any]) throws {
        let other = try TrainingConfig.load(path: source + "/" + configFile)
        let settings: [(String, Bool)] = [
            ("the model settings (steering, projector, CTC, lora)", other.model == config.model),
            ("whisper_model_path", other.whisperPath == config.whisperPath),
            ("llm_model_path", other.llmPath == config.llmPath),
            ("textual_prompt", other.textualPrompt == config.textualPrompt),
            ("use_chat_template", other.useChatTemplate == config.useChatTemplate),
        ]
        if let (name, _) = settings.first(where: { !$0.1 }) {
            throw ConfigError("average: \(source) and \(reference) differ in \(name) (\(configFile)): "
                              + "only checkpoints of one model can be averaged")
        }
        let otherInfo = try shareableModelInfo(source, config: other).info
        let keys = Set(info.keys).union(otherInfo.keys).subtracting(["averaged_from"])
        func json(_ value: Any?) throws -> Data {
            try JSONSerialization.data(withJSONObject: [value ?? NSNull()], options: .sortedKeys)
        }
        for key in keys.sorted() where try json(info[key]) != json(otherInfo[key]) {
            throw ConfigError("average: \(source) and \(reference) differ in \(key) (\(modelInfoFile)): "
                              + "only checkpoints of one model can be averaged")
        }
    }

    /// Fails unless `weights` has the tensor names, shapes and floating-point types of `reference`.
    private static func requireSameTensors(_ weights: [String: Tensor], in source: String,
                                           as reference: [String: Tensor], in referenceSource: String) throws {
        let file = source + "/" + adapterFile
        if let missing = Set(reference.keys).subtracting(weights.keys).sorted().first {
            throw ConfigError("average: \(file) has no tensor \(missing) (\(referenceSource) has it)")
        }
        if let extra = Set(weights.keys).subtracting(reference.keys).sorted().first {
            throw ConfigError("average: \(file) has a tensor \(extra) that \(referenceSource) lacks")
        }
        for (name, w) in weights {
            guard w.dtype.isFloatingPoint else { throw ConfigError("average: \(file): \(name) is \(w.dtype), expected floating point") }
            let expected = reference[name]!.shape
            guard w.shape == expected else {
                throw ConfigError("average: \(file): \(name) has shape \(w.shape), expected \(expected) as in \(referenceSource)")
            }
        }
    }

    /// The trainer state when the folder has one (exports of old checkpoints may not).
    private static func loadStateIfPresent(_ dir: String) throws -> TrainerState? {
        FileManager.default.fileExists(atPath: dir + "/" + stateFile) ? try loadState(dir) : nil
    }
}
