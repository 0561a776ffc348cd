import Foundation
import Torch

/// `training.init_adapter` (ours): a run that starts from a trained adapter's weights instead of
/// a fresh initialisation, with a fresh optimizer and learning-rate schedule — fine-tuning the
/// bundled default on one's own speech, or a second schedule after the first ended. A `--resume`d
/// run past step 0 ignores it (its checkpoint holds the weights).
extension Trainer {
    /// What `initializeAdapter` loaded, for the log.
    struct InitReport {
        var parameters = 0
        /// ctc_blank kept at its fresh init (the source was trained without the audio-token CTC).
        var freshCTCBlank = false
        /// LoRA updates kept at their fresh init (B = 0: the LLM starts unchanged) because the source has none.
        var freshLoRA = false
        /// Source parameters this run has no use for (e.g. ctc_blank with ctc_weight 0).
        var unused: [String] = []
        var notes: [String] = []
    }

    /// Loads `folder`'s adapter.safetensors into the model. Every parameter of this run must be
    /// there with its shape, except those a run can add: ctc_blank (ctc_weight > 0 on a source
    /// trained without it) and LoRA updates (lora.rank > 0, e.g. LoRA on top of the bundled
    /// default). A source's LoRA updates must all load (same `lora:` settings), never be dropped.
    /// Errors name the folder, the key and the shapes.
    @discardableResult
    func initializeAdapter(from folder: String) throws -> InitReport {
        let what = "training.init_adapter '\(folder)'"
        try Checkpoint.requireAdapterFolder(folder, what: "training.init_adapter", files: [Checkpoint.adapterFile])
        let weights = try Safetensors.load(folder + "/" + Checkpoint.adapterFile)
        let adapter = setup.model.adapter
        let loaded: (missing: [String], unexpected: [String])
        do {
            loaded = try adapter.load(weights, strict: false, dtype: .float32)  // also from a half-precision export
        } catch {
            throw ConfigError("\(what): \(error) (its config must match this run's mode, num_experts, encoder and LLM)")
        }
        var report = InitReport()
        let ctcBlank = loaded.missing.filter { $0.hasSuffix("ctc_blank") }
        let lora = loaded.missing.filter { $0.hasPrefix(SteeringAdapter.lowRankKey + ".") }
        let missing = loaded.missing.filter { !ctcBlank.contains($0) && !lora.contains($0) }
        guard missing.isEmpty else {
            throw ConfigError("\(what): lacks \(missing.count) parameter(s) this run trains: \(missing.prefix(8).joined(separator: ", ")) "
                              + "(was it trained in another mode, e.g. linear instead of steering?)")
        }
        // LoRA updates this run has no place for would be dropped, and the steering and projector they were
        // trained with would then talk to an LLM they never met (the bundled default carries LoRA).
        let droppedLoRA = loaded.unexpected.filter { $0.hasPrefix(SteeringAdapter.lowRankKey + ".") }
        guard droppedLoRA.isEmpty else {
            throw ConfigError("\(what) carries \(droppedLoRA.count) LoRA tensor(s) this run has no place for (e.g. \(droppedLoRA[0])); "
                              + "set `lora:` (rank, alpha, targets) as in \(folder)/config.yaml so that they load")
        }
        report.freshCTCBlank = !ctcBlank.isEmpty
        report.freshLoRA = !lora.isEmpty
        report.unused = loaded.unexpected
        report.parameters = adapter.namedParameters().count - ctcBlank.count - lora.count
        report.notes = Transcriber.checkDigests(checkpoint: folder, whisper: config.whisperPath, llm: config.llmPath,
                                                known: setup.weightDigests)
        if report.freshCTCBlank { report.notes.append("\(folder) has no ctc_blank (trained without ctc_weight): it starts fresh") }
        if report.freshLoRA {
            report.notes.append("\(folder) lacks \(lora.count) of this run's LoRA tensors (trained with another lora setting): they start fresh")
        }
        if !report.unused.isEmpty {
            report.notes.append("\(folder): unused by this run: \(report.unused.joined(separator: ", "))")
        }
        return report
    }

    /// Step-0 initialisation of a run that starts from `init_adapter`: load, then log. Projection
    /// calibration is skipped: it would rescale the trained projection.
    func startFromInitAdapter(_ folder: String) throws {
        let report = try initializeAdapter(from: folder)
        log.say("init_adapter: \(report.parameters) parameter tensors from \(folder) (fresh optimizer and schedule"
                + (config.calibrateProjection ? "; calibrate_projection skipped)" : ")"))
        for note in report.notes { log.say("note: \(note)") }
        log.record("init_adapter", step: 0, ["path": folder, "parameters": report.parameters,
                                              "fresh_ctc_blank": report.freshCTCBlank, "fresh_lora": report.freshLoRA, "unused": report.unused])
    }
}
