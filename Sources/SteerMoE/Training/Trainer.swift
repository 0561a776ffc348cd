import Foundation
import SpeechData
import Torch

/// The training loop, readable in one sitting: batches → forward/backward (with accumulation and
/// optional bf16 autocast) → steering clip + global clip → AdamW with per-group learning rates
/// on a warmup schedule → logging, steering analysis, evaluation with early stopping on CER,
/// and atomic checkpoints that `--resume` continues exactly.
public final class Trainer {
    public let setup: TrainingSetup
    public var config: TrainingConfig { setup.config }
    let log: RunLog
    let train: DataLoader<SpeechItem>
    let eval: DataLoader<SpeechItem>?
    let optimizer: AdamW
    var state = TrainerState()
    /// Losses of every optimizer step of this process (tests compare resumed and uninterrupted runs).
    public private(set) var stepLosses: [Double] = []
    /// The signal that stopped the run early (StopSignal), nil when it ran to its end.
    public private(set) var stoppedBy: Int32? = nil
    /// Data-parallel training (`torchrun`): each rank trains on its share of every step's batches,
    /// gradients and the loss are averaged over ranks, and rank 0 alone logs, evaluates and saves.
    let group: ProcessGroup?
    var isMain: Bool { (group?.rank ?? 0) == 0 }
    var worldSize: Int { group?.worldSize ?? 1 }

    /// `resume`: continue from the newest checkpoint in output_dir (fresh when there is none). A
    /// fresh run refuses an output_dir that holds an earlier run's checkpoints, before writing
    /// anything there: it would mix the two runs' logs, and rotation would delete the new
    /// checkpoints before the earlier, higher-numbered ones (which `--resume` would then pick).
    /// `group`: this process's data-parallel group (nil: a single process).
    public init(setup: TrainingSetup, quiet: Bool = false, resume: Bool = false, group: ProcessGroup? = nil) throws {
        self.setup = setup
        self.group = group
        let c = setup.config
        let isMain = (group?.rank ?? 0) == 0
        let earlier = Checkpoint.list(in: c.outputDir)
        if !resume, let first = earlier.first, let last = earlier.last {
            let names = earlier.count == 1 ? "checkpoint-\(first.step)" : "checkpoint-\(first.step) … checkpoint-\(last.step)"
            throw ConfigError("training.output_dir '\(c.outputDir)' already holds \(earlier.count) checkpoint(s) of an earlier run "
                              + "(\(names)): pass --resume to continue that run, or choose another output_dir (--output-dir) or "
                              + "remove them to start afresh")
        }
        // Only rank 0 writes to output_dir (the ranks share it).
        log = isMain ? try RunLog(outputDir: c.outputDir, loggingDir: c.loggingDir, quiet: quiet) : RunLog.silent()
        if isMain {
            try Data(c.effectiveYAML().utf8).write(to: URL(fileURLWithPath: c.outputDir + "/effective_config.yaml"), options: .atomic)
        }
        guard !c.parquetDirs.isEmpty else { throw ConfigError("parquet_dirs is empty: nothing to train on") }
        // Early, before the data is indexed.
        if let folder = c.initAdapter {
            try Checkpoint.requireAdapterFolder(folder, what: "training.init_adapter", files: [Checkpoint.adapterFile])
        }
        let trainIndex = try setup.index(paths: c.parquetDirs, skipReport: isMain ? c.outputDir + "/skipped.jsonl" : nil, log: log.say)
        try trainIndex.requireRows(paths: c.parquetDirs)
        let world = group?.worldSize ?? 1
        guard trainIndex.entries.count >= c.batchSize * world else {
            throw ConfigError("only \(trainIndex.entries.count) usable training rows for batch_size \(c.batchSize)"
                              + (world > 1 ? " on each of \(world) processes" : "") + " (drop_last)")
        }
        train = setup.loader(trainIndex, batchSize: c.batchSize, shuffle: true, dropLast: true, augment: true,
                             rank: group?.rank ?? 0, worldSize: world)
        if world > 1 {
            log.say("data parallel: \(world) processes (Gloo), batch \(c.batchSize) each, \(c.batchSize * world) per step in all")
        }
        if c.augmentation.isEnabled {
            log.say("augmentation of the training clips: \(c.augmentation.summary)")
        }
        if c.bf16 && setup.device == .cpu, let note = CPUMatrixUnits.bf16NoteForThisMachine() {
            log.say(note)
        }
        if c.model.ctcWeight > 0 && c.model.ctcClasses == .transcripts {
            let tokens = try setup.transcriptTokens(trainIndex)
            try setup.model.restrictCTCClasses(to: Array(tokens))
            log.say("ctc_classes: \(tokens.count) tokens of the training transcripts (of \(setup.model.llm.vocabSize))")
            log.record("ctc_classes", step: 0, ["tokens": tokens.count, "vocabulary": setup.model.llm.vocabSize])
        }
        if !c.evalParquetDirs.isEmpty && isMain {
            let evalIndex = try setup.index(paths: c.evalParquetDirs, skipReport: c.outputDir + "/skipped_eval.jsonl", log: log.say)
            try evalIndex.requireRows(paths: c.evalParquetDirs)  // an empty dev set would score 0% and always be "best"
            eval = setup.loader(evalIndex, batchSize: c.evalBatchSize, shuffle: false, dropLast: false)
        } else {
            eval = nil
        }
        optimizer = setup.optimizer()
        reportParameters()
        if resume { try resumeFromNewestCheckpoint() }
    }

    var stepsPerEpoch: Int { train.batchCount(epoch: 0) / config.gradientAccumulationSteps }
    var totalSteps: Int { config.maxSteps ?? stepsPerEpoch * config.epochs }
    var schedule: LRSchedule {
        LRSchedule(name: config.lrScheduler, warmupSteps: config.warmupSteps, totalSteps: totalSteps) ?? .constant(warmupSteps: 0)
    }

    func reportParameters() {
        let m = setup.model
        let frozen = m.encoder.parameterCount() + m.llm.parameterCount()
        let groups = optimizer.groups.map { "\($0.name) \($0.parameters.reduce(0) { $0 + $1.value.count }) (lr \($0.learningRate))" }
        let trainable = m.adapter.parameterCount(trainableOnly: true)
        log.say("parameters: \(frozen + trainable) total, \(frozen) frozen, \(trainable) trainable: \(groups.joined(separator: ", "))")
        log.record("parameters", step: 0, ["total": frozen + trainable, "frozen": frozen, "trainable": trainable])
    }

    /// Loads the newest checkpoint in output_dir (if any): adapter, optimizer and data position.
    func resumeFromNewestCheckpoint() throws {
        guard let latest = Checkpoint.list(in: config.outputDir).last else {
            log.say("resume: no checkpoint in \(config.outputDir), starting fresh")
            return
        }
        let weights = try Safetensors.load(latest.path + "/" + Checkpoint.adapterFile)
        try setup.model.adapter.load(weights)
        try optimizer.loadStateDict(Safetensors.load(latest.path + "/" + Checkpoint.optimizerFile))
        state = try Checkpoint.loadState(latest.path)
        log.say("resumed from \(latest.path): step \(state.step), epoch \(state.epoch), batch \(state.batchInEpoch)")
        let saved = try String(contentsOfFile: latest.path + "/" + Checkpoint.configFile, encoding: .utf8)
        let changed = try TrainingConfig.changedSettings(from: saved, to: config.effectiveYAML())
        if !changed.isEmpty {
            log.say("resume: settings changed since checkpoint-\(latest.step): \(changed.joined(separator: ", "))")
            log.record("resume_config_changes", step: state.step, ["changed": changed])
        }
    }

    /// Runs until max_steps / epochs are done or early stopping triggers. Returns the final state.
    @discardableResult
    public func run() throws -> TrainerState {
        // New tensors of the loop (clipping, schedules, masks) go to the training device.
        try Device.with(setup.device) { try loop() }
    }

    func loop() throws -> TrainerState {
        let c = config
        let model = setup.model
        let trainable = model.adapter.trainableParameters()
        let accumulation = c.gradientAccumulationSteps
        let started = Date()
        let startStep = state.step
        var windowLoss = 0.0, windowSteps = 0, windowSamples = 0, windowCTC = 0.0, windowMicro = 0
        var windowStart = Date()
        // Time spent waiting for the loader's next batch: a large share says the input pipeline, not
        // the model, bounds the step rate (then raise num_workers).
        var windowDataWait = 0.0
        var lastGates: [Tensor] = []
        if c.fp16 && state.lossScaler == nil { state.lossScaler = LossScaler() }
        if state.step == 0 {
            if let initAdapter = c.initAdapter { try startFromInitAdapter(initAdapter) }
            else if c.calibrateProjection { try calibrateProjection() }
        }
        // Every rank starts from rank 0's adapter (its calibration, from its own first batch, wins).
        try group?.broadcastValues(trainable)
        log.say("training: \(totalSteps) steps (\(stepsPerEpoch) per epoch), batch \(c.batchSize) × accumulation \(accumulation)")

        // max_steps, when set, wins over epochs (as in HF Trainer): the data repeats until it is reached.
        epochs: while (c.maxSteps != nil || state.epoch < c.epochs) && state.step < totalSteps {
            let batches = train.batches(epoch: state.epoch, from: state.batchInEpoch)
            var micro = 0, stepLoss = 0.0
            var waitStart = Date()
            for batch in batches {
                windowDataWait += Date().timeIntervalSince(waitStart)
                defer { waitStart = Date() }
                state.batchInEpoch = batch.index + 1
                guard !batch.items.isEmpty else { continue }
                let (features, frameMask, text) = try modelInputs(batch.items)
                let out = try Autocast.run(device: setup.device, dtype: c.fp16 ? .float16 : .bfloat16, enabled: c.bf16 || c.fp16) {
                    try model(features: features, frameMask: frameMask, text: text)
                }
                // fp16: the loss scale keeps small gradients representable; they are unscaled below.
                try (out.loss * ((state.lossScaler?.scale ?? 1) / Double(accumulation))).backward()
                stepLoss += try out.loss.item() / Double(accumulation)
                if let ctc = out.ctcLoss { windowCTC += try ctc.item(); windowMicro += 1 }
                lastGates = out.audio.gates
                // Ranks take equal batches (the loader drops any remainder): samples of all ranks.
                state.samplesSeen += batch.items.count * worldSize
                windowSamples += batch.items.count * worldSize
                micro += 1
                guard micro == accumulation else { continue }
                micro = 0
                defer { stepLoss = 0 }
                // One collective: the mean gradient and loss over ranks (so all ranks agree below),
                // and whether any rank was asked to stop (all stop after the same step).
                let localSignal = StopSignal.received
                var stopRequested = localSignal != nil
                if let group {
                    let means = try group.averageGradients(trainable, extras: [stepLoss, stopRequested ? 1 : 0])
                    stepLoss = means[0]
                    stopRequested = means[1] > 0
                }

                // A non-finite loss skips the update (the gradients are discarded).
                guard stepLoss.isFinite else {
                    try optimizer.zeroGrad()
                    state.nonFiniteSkipped += 1
                    state.consecutiveNonFinite += 1
                    log.record("nonfinite", step: state.step, ["loss": "\(stepLoss)", "consecutive": state.consecutiveNonFinite])
                    if state.consecutiveNonFinite >= c.maxConsecutiveNonFiniteSteps {
                        throw TorchError("\(state.consecutiveNonFinite) consecutive steps with a non-finite loss: stopping (lower the learning rates or disable fp16/bf16)")
                    }
                    continue
                }
                state.consecutiveNonFinite = 0
                if try skipsOverflow(trainable) { continue }
                if c.useSteeringGradientClipping && !model.adapter.steeringParameters.isEmpty {
                    try GradientClipping.clipGradNorm(model.adapter.steeringParameters, maxNorm: c.steeringGradientClip)
                }
                let gradNorm = try GradientClipping.clipGradNorm(trainable, maxNorm: c.gradientClipping)
                let factor = schedule.factor(at: state.step)
                try optimizer.step(learningRates: optimizer.baseLearningRates.map { $0 * factor })
                try optimizer.zeroGrad()
                state.step += 1
                stepLosses.append(stepLoss)
                windowLoss += stepLoss
                windowSteps += 1

                if state.step % c.loggingSteps == 0 || state.step == totalSteps {
                    let elapsed = Date().timeIntervalSince(windowStart)
                    let rate = Double(windowSteps) / max(elapsed, 1e-9)
                    let dataWait = min(1, windowDataWait / max(elapsed, 1e-9))
                    let remaining = Double(totalSteps - state.step) / max(Double(state.step - startStep) / Date().timeIntervalSince(started), 1e-9)
                    var fields: [String: Any] = ["loss": windowLoss / Double(windowSteps), "lr": optimizer.baseLearningRates[0] * factor,
                                                 "grad_norm": gradNorm, "steps_per_s": rate,
                                                 "samples_per_s": Double(windowSamples) / max(elapsed, 1e-9), "epoch": state.epoch,
                                                 "data_wait_fraction": dataWait]
                    if windowMicro > 0 { fields["ctc_loss"] = windowCTC / Double(windowMicro) }
                    if let scaler = state.lossScaler { fields["loss_scale"] = scaler.scale }
                    log.record("train", step: state.step, fields)
                    log.say(String(format: "step %d/%d | epoch %d | loss %.4f | lr %.2e | grad %.3f | %.2f steps/s | %.1f samples/s | data wait %.0f%% | ETA %@",
                                   state.step, totalSteps, state.epoch, windowLoss / Double(windowSteps), optimizer.baseLearningRates[0] * factor,
                                   gradNorm, rate, Double(windowSamples) / max(elapsed, 1e-9),
                                   dataWait * 100, formatDuration(remaining)))
                    windowLoss = 0; windowSteps = 0; windowSamples = 0; windowCTC = 0; windowMicro = 0; windowStart = Date()
                    windowDataWait = 0
                }
                if isMain && c.logSteeringAnalysis && state.step % c.steeringLogInterval == 0 && !lastGates.isEmpty {
                    let analysis = try SteeringAnalysis.compute(adapter: model.adapter, gates: lastGates)
                    log.record("steering", step: state.step, analysis.scalars)
                }
                var stop = false
                if let every = c.evalSteps, !c.evalParquetDirs.isEmpty, state.step % every == 0 {
                    stop = try evaluateAndTrack()  // rank 0 evaluates; the others wait for its verdict
                    if let group { stop = try group.broadcastFlag(stop) }
                }
                let savedNow = c.saveSteps.map { state.step % $0 == 0 } ?? false
                if savedNow && isMain { try save() }
                if stopRequested {
                    try stopEarly(by: localSignal ?? SIGTERM, saved: savedNow)  // SIGTERM: a rank told by another rank
                    return state
                }
                if stop {
                    log.say("early stopping: no \(c.metricForBestModel) improvement in \(c.earlyStoppingPatience) evaluations")
                    break epochs
                }
                if state.step >= totalSteps { break epochs }
            }
            if state.step >= totalSteps { break }
            state.epoch += 1
            state.batchInEpoch = 0
        }
        guard isMain else { return state }
        if eval != nil && (c.evalSteps == nil || state.step % (c.evalSteps ?? 1) != 0) { _ = try evaluateAndTrack() }
        try save()
        try finish()
        log.flush()
        return state
    }

    /// Stacked features, frame mask and collated text of a batch, as the model takes them.
    func modelInputs(_ items: [SpeechItem]) throws -> (features: Tensor, frameMask: Tensor, text: TextBatch) {
        let (features, frameMask) = try Featurizer.stack(items)
        return (features, frameMask, try setup.collator.collate(items.map(\.tokenIds)))
    }

    /// Fresh runs only: rescales the projection on the first training batch (calibrate_projection).
    func calibrateProjection() throws {
        guard let batch = train.batches(epoch: 0, from: 0).first(where: { !$0.items.isEmpty }) else { return }
        let (features, frameMask, text) = try modelInputs(batch.items)
        guard let r = try setup.model.calibrateProjection(features: features, frameMask: frameMask, text: text) else {
            log.say("calibrate_projection: no projection (encoder and LLM widths match), nothing to rescale")
            return
        }
        log.record("calibration", step: 0, ["audio_rms": r.audioRMS, "token_rms": r.tokenRMS, "factor": r.factor])
        log.say(String(format: "calibrate_projection: audio embedding RMS %.4f → %.4f (token embeddings), projection × %.4f",
                       r.audioRMS, r.tokenRMS, r.factor))
    }

    /// Evaluates, records metrics, updates the best checkpoint; true when patience ran out.
    func evaluateAndTrack() throws -> Bool {
        guard let eval else { return false }
        let c = config
        let evaluator = Evaluator(model: setup.model, tokenizer: setup.tokenizer, promptIds: setup.collator.promptIds,
                                  prefixIds: setup.collator.prefixIds, generation: setup.generationOptions)
        let result = try evaluator.run(eval, limit: c.maxEvalSamples)
        let metric: Double = c.metricForBestModel == "wer" ? result.score.wer : result.score.cer
        log.record("eval", step: state.step, ["wer": result.score.wer, "cer": result.score.cer, "utterances": result.predictions.count,
                                              "seconds": result.seconds])
        log.say(String(format: "eval step %d: WER %.2f%% CER %.2f%% on %d utterances (%.1f s)", state.step,
                       result.score.wer * 100, result.score.cer * 100, result.predictions.count, result.seconds))
        try Evaluator.writePredictions(result.predictions, to: c.outputDir + "/predictions-step\(state.step).jsonl")
        let better = state.bestMetric.map { c.greaterIsBetter ? metric > $0 : metric < $0 } ?? true
        if better {
            state.bestMetric = metric
            state.bestStep = state.step
            state.evalsWithoutImprovement = 0
            try saveAdapter(to: c.outputDir + "/best")
        } else {
            state.evalsWithoutImprovement += 1
        }
        return c.useEarlyStopping && state.evalsWithoutImprovement >= c.earlyStoppingPatience
    }

    /// fp16: divides the gradients by the loss scale and updates the scale; true when they
    /// overflowed, the step is then skipped (gradients dropped; the schedule does not advance).
    func skipsOverflow(_ trainable: [Parameter]) throws -> Bool {
        guard var scaler = state.lossScaler else { return false }
        let overflow = try GradientClipping.unscale(trainable, lossScale: scaler.scale)
        scaler.update(overflow: overflow)
        state.lossScaler = scaler
        guard overflow else { return false }
        try optimizer.zeroGrad()
        log.record("fp16_overflow", step: state.step, ["loss_scale": scaler.scale, "skipped": scaler.skippedSteps])
        return true
    }

    /// Ends the run after a stop signal: a checkpoint at this step (unless one was just saved), so
    /// that --resume loses nothing.
    func stopEarly(by signal: Int32, saved: Bool) throws {
        if isMain && !saved { try save() }
        stoppedBy = signal
        log.say("stopped by \(StopSignal.name(signal)) after step \(state.step): checkpoint-\(state.step) saved; continue with --resume")
        log.record("stopped", step: state.step, ["signal": StopSignal.name(signal)])
        log.flush()
    }

    func save() throws {
        let dir = config.outputDir + "/checkpoint-\(state.step)"
        try Checkpoint.save(to: dir, adapter: setup.model.adapter, optimizer: optimizer, state: state,
                            configYAML: try config.effectiveYAML(), modelInfo: setup.modelInfo)
        Checkpoint.rotate(in: config.outputDir, limit: config.saveTotalLimit, keepStep: state.bestStep)
        log.record("checkpoint", step: state.step, ["path": dir])
    }

    func saveAdapter(to dir: String) throws {
        try Checkpoint.save(to: dir, adapter: setup.model.adapter, optimizer: nil, state: state,
                            configYAML: try config.effectiveYAML(), modelInfo: setup.modelInfo)
    }

    /// Final model: the best evaluated adapter when asked (load_best_model_at_end), else the last.
    func finish() throws {
        let c = config
        let best = c.outputDir + "/best"
        if c.loadBestModelAtEnd, FileManager.default.fileExists(atPath: best + "/" + Checkpoint.adapterFile) {
            try setup.model.adapter.load(Safetensors.load(best + "/" + Checkpoint.adapterFile))
            log.say("loaded the best adapter (step \(state.bestStep ?? 0), \(c.metricForBestModel) \(state.bestMetric ?? .nan))")
        }
        try saveAdapter(to: c.outputDir + "/final")
        log.say("final adapter: \(c.outputDir)/final")
    }
}

func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
}
