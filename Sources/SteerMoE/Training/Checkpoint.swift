import Foundation
import Torch

/// Where training stands, saved with every checkpoint so `--resume` continues exactly.
public struct TrainerState: Codable, Equatable {
    public var step = 0
    public var epoch = 0
    /// Batches of `epoch` already consumed (micro-batches, including accumulation).
    public var batchInEpoch = 0
    public var bestMetric: Double? = nil
    public var bestStep: Int? = nil
    public var evalsWithoutImprovement = 0
    public var nonFiniteSkipped = 0
    public var consecutiveNonFinite = 0
    public var samplesSeen = 0
    /// fp16 training only (training.fp16 on a GPU): the loss scale, its growth count and the steps
    /// skipped for overflow. Optional, so trainer states written before it still load.
    public var lossScaler: LossScaler? = nil
    public init() {}
}

/// Checkpoint folders `checkpoint-STEP/`: adapter weights (upstream names, a few MB at most),
/// optimizer state, trainer state and the effective config. Written to a temporary folder and
/// renamed into place, so a crash never leaves a half-written checkpoint behind.
public enum Checkpoint {
    public static let adapterFile = "adapter.safetensors"
    public static let optimizerFile = "optimizer.safetensors"
    public static let stateFile = "trainer_state.json"
    public static let configFile = "config.yaml"
    public static let modelInfoFile = "steermoe.json"
    /// The safetensors metadata every adapter file carries (training checkpoints and exports).
    static let adapterMetadata = ["format": "steermoe-adapter"]

    public static func save(to dir: String, adapter: SteeringAdapter, optimizer: AdamW?, state: TrainerState,
                            configYAML: String, modelInfo: [String: Any]) throws {
        let fm = FileManager.default
        let tmp = dir + ".tmp-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        try Safetensors.save(adapter.stateDict(), to: tmp + "/" + adapterFile, metadata: adapterMetadata)
        if let optimizer { try Safetensors.save(optimizer.stateDict(), to: tmp + "/" + optimizerFile) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeSynced(encoder.encode(state), to: tmp + "/" + stateFile)
        try writeSynced(Data(configYAML.utf8), to: tmp + "/" + configFile)
        try writeSynced(JSONSerialization.data(withJSONObject: modelInfo, options: [.prettyPrinted, .sortedKeys]),
                        to: tmp + "/" + modelInfoFile)
        if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
        try fm.moveItem(atPath: tmp, toPath: dir)
        Safetensors.syncDirectory(of: dir)
    }

    /// Fails unless `folder` holds `files`, as a folder written by `steermoe train` or `steermoe
    /// export` does; `what` names the setting or option in the error (e.g. "training.init_adapter").
    static func requireAdapterFolder(_ folder: String, what: String, files: [String] = [adapterFile, configFile]) throws {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
        for file in files where !FileManager.default.fileExists(atPath: folder + "/" + file) {
            throw ConfigError("\(what) '\(folder)': no \(file) " + (exists
                ? "(expected a checkpoint folder written by steermoe train or steermoe export: checkpoint-N, best, final or an export)"
                : "(no such folder)"))
        }
    }

    public static func loadState(_ dir: String) throws -> TrainerState {
        let path = dir + "/" + stateFile
        guard let data = FileManager.default.contents(atPath: path) else { throw TorchError("\(path): missing trainer state") }
        do { return try JSONDecoder().decode(TrainerState.self, from: data) } catch {
            throw TorchError("\(path): unreadable trainer state (\(error))")
        }
    }

    /// `checkpoint-N` folders under `outputDir`, oldest first.
    public static func list(in outputDir: String) -> [(step: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDir)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            let path = outputDir + "/" + name
            guard FileManager.default.fileExists(atPath: path + "/" + stateFile) else { return nil }
            return (step, path)
        }.sorted { $0.0 < $1.0 }
    }

    /// Deletes the oldest checkpoints beyond `limit`, never the best one.
    public static func rotate(in outputDir: String, limit: Int?, keepStep: Int?) {
        guard let limit, limit > 0 else { return }
        var all = list(in: outputDir)
        while all.count > limit {
            guard let victim = all.first(where: { $0.step != keepStep }) else { return }
            try? FileManager.default.removeItem(atPath: victim.path)
            all.removeAll { $0.step == victim.step }
        }
    }

    static func writeSynced(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data) else { throw TorchError("\(path): cannot write") }
        let fd = open(path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
