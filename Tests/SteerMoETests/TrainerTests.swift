import Foundation
import XCTest
@testable import SpeechData
@testable import SteerMoE
@testable import Torch

final class TrainerTests: XCTestCase {
    /// The tiny model learns 8 synthetic utterances to near-zero loss and transcribes them exactly.
    func testOverfitsEightUtterancesAndTranscribesThem() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run", extra: "eval_parquet_dirs: [\"\(stack.manifest)\"]")
        config.maxSteps = 250
        let trainer = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        try trainer.run()
        let final = trainer.stepLosses.suffix(5).reduce(0, +) / 5
        XCTAssertGreaterThan(trainer.stepLosses.first!, 1.0, "starts from an untrained adapter")
        XCTAssertLessThan(final, 0.05, "loss \(trainer.stepLosses.first ?? .nan) -> \(final)")
        let log = try String(contentsOfFile: stack.root + "/run/train_log.jsonl", encoding: .utf8)
        XCTAssertTrue(log.contains("\"kind\":\"eval\""))
        // Each progress record says what share of its window went to waiting for the loader.
        let waits = try TinyStack.trainRecords(stack.root + "/run").map { $0["data_wait_fraction"] as? Double }
        XCTAssertFalse(waits.isEmpty)
        XCTAssertTrue(waits.allSatisfy { $0.map { (0...1).contains($0) } ?? false }, "\(waits)")
        let predictions = try String(contentsOfFile: stack.root + "/run/predictions-step250.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(predictions.count, 8)
        for p in predictions { XCTAssertEqual(p["hypothesis"] as? String, p["reference"] as? String) }

        // The saved final adapter transcribes the audio files directly (the `transcribe` path).
        let transcriber = try Transcriber(checkpoint: stack.root + "/run/final")
        let files = TinyStack.words.indices.map { stack.root + "/data/\($0).wav" }
        XCTAssertEqual(try transcriber.transcribe(files: files, batchSize: 3), TinyStack.words)

        // A recording longer than the segment limit is cut at its pauses and read segment by segment:
        // the eight 1 s tones with 20 ms of silence after each (8.16 s), segments of at most 1.5 s.
        // (Pauses this short keep each segment close to the 1 s tone the tiny model learned alone.)
        var long: [Float] = []
        for file in files { long += try Audio.load16k(file: file) + [Float](repeating: 0, count: 320) }
        let longFile = stack.root + "/data/long.wav"
        try Data(Audio.encode(long, sampleRate: 16000, as: .wav)).write(to: URL(fileURLWithPath: longFile))
        let shortSegments = PauseSegmenter(maxSeconds: 1.5, minPauseSeconds: 0.02)
        let read = try transcriber.transcribe(files: [longFile, files[0]], batchSize: 3, segmenter: shortSegments)
        XCTAssertEqual(read[0].segments.count, 8)
        XCTAssertEqual(read[0].text, TinyStack.words.joined(separator: " "))
        XCTAssertEqual(read[0].segments.map(\.text), TinyStack.words)
        XCTAssertEqual(read[0].segments[1].start, 1.01, accuracy: 1e-9, "the middle of the first pause")
        XCTAssertEqual(read[1].text, TinyStack.words[0])
        XCTAssertEqual(read[1].segments.count, 1, "a file within the limit is read whole")

        // Each file is handed over as soon as its segments are done, before later files are read.
        var events: [String] = []
        let streamed = try transcriber.transcribe(files: [files[0], files[1], longFile], batchSize: 1,
                                                  segmenter: shortSegments,
                                                  progress: { read, _, _ in events.append("read \(read)") },
                                                  finished: { events.append("done " + $0.text) })
        XCTAssertEqual(streamed.map(\.text), [TinyStack.words[0], TinyStack.words[1], TinyStack.words.joined(separator: " ")])
        XCTAssertEqual(Array(events.prefix(4)), ["read 1", "done " + TinyStack.words[0], "read 2", "done " + TinyStack.words[1]])
        XCTAssertEqual(events.last, "done " + TinyStack.words.joined(separator: " "))

        // An unreadable file is handed over in its place with its error; the files after it are still read.
        let notAudio = stack.root + "/data/not-audio.wav"
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: notAudio))
        let mixed = try transcriber.transcribe(files: [files[0], notAudio, files[1]], batchSize: 2, segmenter: nil)
        XCTAssertEqual(mixed.map(\.text), [TinyStack.words[0], "", TinyStack.words[1]])
        XCTAssertEqual(mixed.map { $0.error == nil }, [true, false, true])
        XCTAssertTrue(mixed[1].error.map { "\($0)".contains("not-audio.wav") } ?? false, "\(String(describing: mixed[1].error))")
        XCTAssertThrowsError(try transcriber.transcribe(files: [files[0], notAudio], batchSize: 2) as [String]) {
            XCTAssertTrue("\($0)".contains("not-audio.wav"), "\($0)")
        }

        // The same through the command line: one JSON object per file, "segments" for the cut one.
        let binary = TinyStack.cliBinary
        if FileManager.default.isExecutableFile(atPath: binary) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["transcribe", "--checkpoint", stack.root + "/run/final", "--json", "--max-segment-seconds", "1.5",
                           "--min-pause-seconds", "0.02", longFile, files[0]]
            let pipe = Pipe(), errors = Pipe()
            p.standardOutput = pipe
            p.standardError = errors
            try p.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
            // stderr is a pipe here, not a terminal: progress comes as whole lines (no \r rewrites), the last state last.
            XCTAssertFalse(err.contains("\r"), err)
            XCTAssertTrue(err.hasSuffix("\n"), err)
            XCTAssertTrue(err.split(separator: "\n").last?.hasPrefix("2/2 files read") == true, err)
            let lines = try String(decoding: out, as: UTF8.self).split(separator: "\n")
                .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            XCTAssertEqual(lines.count, 2)
            XCTAssertEqual(lines.first?["audio"] as? String, longFile)
            XCTAssertEqual(lines.first?["text"] as? String, TinyStack.words.joined(separator: " "))
            XCTAssertEqual((lines.first?["segments"] as? [[String: Any]])?.compactMap { $0["text"] as? String }, TinyStack.words)
            XCTAssertEqual(lines.last?["text"] as? String, TinyStack.words[0])
            XCTAssertNil(lines.last?["segments"], "a file read whole has no segment list")

            // An unreadable file: its error on stderr and as {"audio", "error"}, the next file still
            // transcribed, exit status 1.
            let q = Process()
            q.executableURL = URL(fileURLWithPath: binary)
            q.arguments = ["transcribe", "--checkpoint", stack.root + "/run/final", "--json", notAudio, files[1]]
            let qOut = Pipe(), qErr = Pipe()
            q.standardOutput = qOut
            q.standardError = qErr
            try q.run()
            let qLines = try String(decoding: qOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
                .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            let qErrors = String(decoding: qErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            q.waitUntilExit()
            XCTAssertEqual(q.terminationStatus, 1)
            XCTAssertEqual(qLines.count, 2)
            XCTAssertEqual(qLines.first?["audio"] as? String, notAudio)
            XCTAssertTrue((qLines.first?["error"] as? String)?.contains("not-audio.wav") == true, "\(qLines)")
            XCTAssertNil(qLines.first?["text"])
            XCTAssertEqual(qLines.last?["text"] as? String, TinyStack.words[1])
            XCTAssertTrue(qErrors.contains("1 of 2 files could not be read"), qErrors)
        }

        // A Whisper folder stored in float16 (as many HF folders are) loads as float32 and transcribes alike.
        let half = stack.root + "/whisper-fp16"
        try FileManager.default.copyItem(atPath: stack.whisper, toPath: half)
        let weights = try Safetensors.load(half + "/model.safetensors").mapValues { try $0.to(dtype: .float16) }
        try Safetensors.save(weights, to: half + "/model.safetensors")
        XCTAssertEqual(try Transcriber(checkpoint: stack.root + "/run/final", whisper: half)
            .transcribe(files: files, batchSize: 3), TinyStack.words)
        if Torch.cudaDeviceCount < 8 {
            XCTAssertThrowsError(try Transcriber(checkpoint: stack.root + "/run/final", device: .cuda(7))) {
                XCTAssertTrue("\($0)".contains("device 'cuda:7'"), "\($0)")
            }
        }
    }

    /// max_steps wins over epochs: one epoch of one batch, three steps asked, three steps run.
    func testMaxStepsOutlastsTheEpochs() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run")
        config.epochs = 1
        config.maxSteps = 3
        let trainer = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        let state = try trainer.run()
        XCTAssertEqual(state.step, 3)
        XCTAssertEqual(state.epoch, 2, "the third step is the third epoch's batch")
        XCTAssertEqual(trainer.stepLosses.count, 3)
    }

    /// fp16 (as on a GPU; float16 autocast runs on the CPU too): dynamic loss scaling skips the steps
    /// whose scaled gradients overflow, halving the scale, and trains on the others.
    func testFP16TrainsWithDynamicLossScaling() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/fp32")
        config.maxSteps = 20
        config.loggingSteps = 1
        let reference = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        try reference.run()
        config.outputDir = stack.root + "/run"
        config.fp16 = true  // set in code: a YAML config turns fp16 into bf16 on the CPU
        let trainer = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        let state = try trainer.run()
        XCTAssertEqual(state.step, 20)
        let scaler = try XCTUnwrap(state.lossScaler)
        let overflows = try String(contentsOfFile: stack.root + "/run/train_log.jsonl", encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("fp16_overflow") }.count
        XCTAssertGreaterThan(scaler.skippedSteps, 0, "65536 overflows float16 here at first")
        XCTAssertEqual(overflows, scaler.skippedSteps)
        XCTAssertEqual(scaler.scale, 65536 / pow(2, Double(scaler.skippedSteps)), "no growth within 2,000 steps")
        XCTAssertEqual(try Checkpoint.loadState(stack.root + "/run/final").lossScaler, scaler, "saved for --resume")
        // Every batch is the whole data set here, so step N of both runs sees the same batch: the
        // unscaled gradients and the losses follow float32's within float16's precision.
        let norms = { (dir: String) in try TinyStack.trainRecords(dir).map { $0["grad_norm"] as! Double } }
        let (half, full) = (try norms(stack.root + "/run"), try norms(stack.root + "/fp32"))
        XCTAssertEqual(half.count, full.count)
        for (step, (h, f)) in zip(half, full).enumerated() {
            XCTAssertEqual(h / f, 1, accuracy: 0.02, "grad norm, step \(step + 1)")
        }
        for (step, (h, f)) in zip(trainer.stepLosses, reference.stepLosses).enumerated() {
            XCTAssertEqual(h / f, 1, accuracy: 0.01, "loss, step \(step + 1)")
        }
        print("fp16 vs fp32: worst grad-norm ratio \(zip(half, full).map { abs($0 / $1 - 1) }.max()!), "
              + "worst loss ratio \(zip(trainer.stepLosses, reference.stepLosses).map { abs($0 / $1 - 1) }.max()!)")
    }

    /// A model folder that is not there is reported by its config key before anything loads.
    func testAMissingModelFolderIsNamedByItsConfigKey() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run")
        config.llmPath = stack.root + "/no-such-llm"
        XCTAssertThrowsError(try TrainingSetup(config: config) { _ in }) {
            XCTAssertEqual("\($0)", "llm_decoder.model_name: \(stack.root)/no-such-llm does not exist; "
                           + "the recipes' models are made by scripts/fetch-models")
        }
        config.whisperPath = ""
        XCTAssertThrowsError(try TrainingSetup(config: config) { _ in }) {
            XCTAssertEqual("\($0)", "whisper_encoder.model_path is not set: name a Hugging Face model folder")
        }
    }

    /// A dev set whose every row is filtered out stops the run before its first step: scoring no
    /// utterance would report CER 0% and keep that as the best checkpoint for good.
    func testAnEvalSetWithNoUsableRowIsRefusedBeforeTraining() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run")
        config.maxSteps = 2
        let dev = stack.root + "/dev.jsonl"
        try Data(#"{"audio": "gone.wav", "text": "a clip that was never copied"}"#.utf8).write(to: URL(fileURLWithPath: dev))
        config.evalParquetDirs = [dev]
        XCTAssertThrowsError(try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)) {
            XCTAssertTrue("\($0)".hasPrefix("no usable rows in \(dev): kept 0 / 1 rows; missing_file 1"), "\($0)")
            XCTAssertTrue("\($0)".contains("skipped_eval.jsonl"), "\($0)")
        }
        config.evalParquetDirs = config.parquetDirs
        XCTAssertNoThrow(try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true))
    }

    /// A fresh run into an output_dir with an earlier run's checkpoints stops before writing there;
    /// with `resume` it continues from the newest.
    func testFreshRunRefusesAnOutputDirWithCheckpoints() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run", extra: "save_steps: 1")
        config.maxSteps = 2
        try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true).run()
        let log = try String(contentsOfFile: stack.root + "/run/train_log.jsonl", encoding: .utf8)
        XCTAssertThrowsError(try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)) {
            XCTAssertTrue("\($0)".contains("'\(stack.root)/run' already holds 2 checkpoint(s) of an earlier run (checkpoint-1 … checkpoint-2)"),
                          "\($0)")
            XCTAssertTrue("\($0)".contains("pass --resume"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOfFile: stack.root + "/run/train_log.jsonl", encoding: .utf8), log, "nothing written")
        config.maxSteps = 3
        let resumed = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true, resume: true)
        XCTAssertEqual(try resumed.run().step, 3)
        XCTAssertEqual(resumed.stepLosses.count, 1, "one more step after the resumed checkpoint-2")
        // The resumed run names what its config changed against the checkpoint's.
        let changes = try String(contentsOfFile: stack.root + "/run/train_log.jsonl", encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("resume_config_changes") }
        XCTAssertEqual(changes.count, 1)
        XCTAssertTrue(changes.first?.contains("training.max_steps (2 → 3)") == true, "\(changes)")
        XCTAssertEqual(try TrainingConfig.changedSettings(from: config.effectiveYAML(), to: config.effectiveYAML()), [])
    }

    /// Two data-parallel processes (launched as torchrun does: RANK, WORLD_SIZE, MASTER_ADDR,
    /// MASTER_PORT) with batch 4 each train the same steps as one process with batch 8: every
    /// transcript has the same token count here, so the mean of the two ranks' mean losses is the
    /// one-process mean. Rank 0 alone writes the log and the checkpoints.
    func testTwoDataParallelProcessesTrainAsOneWithTheirJointBatch() throws {
        let binary = try TinyStack.requireCLI()
        let stack = try TinyStack()
        defer { stack.remove() }
        let words = ["abc", "ego", "fig", "gum", "hat", "ink", "jar", "kit"]
        let manifest = stack.root + "/data/equal.jsonl"
        try words.enumerated().map { "{\"audio\": \"\($0.offset).wav\", \"text\": \"\($0.element)\"}" }.joined(separator: "\n")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        func writeConfig(_ name: String, batch: Int) throws -> (config: String, output: String) {
            // With evaluations and early stopping: rank 0 evaluates, every rank follows its verdict.
            var c = try stack.config(output: stack.root + "/" + name, extra: "ctc_weight: 0.5\nsave_steps: 2\n"
                                     + "eval_parquet_dirs: [\"\(manifest)\"]\neval_steps: 2\nuse_early_stopping: true\nearly_stopping_patience: 1")
            c.parquetDirs = [manifest]
            c.batchSize = batch
            c.maxSteps = 6
            c.loggingSteps = 1
            let path = stack.root + "/\(name).yaml"
            try c.effectiveYAML().write(toFile: path, atomically: true, encoding: .utf8)
            return (path, c.outputDir)
        }
        func launch(_ config: String, env: [String: String] = [:]) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["train", config]
            p.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        func losses(_ output: String) throws -> [Double] { try TinyStack.trainRecords(output).map { $0["loss"] as! Double } }
        let single = try writeConfig("single", batch: 8)
        let one = try launch(single.config)
        one.waitUntilExit()
        XCTAssertEqual(one.terminationStatus, 0)

        let parallel = try writeConfig("parallel", batch: 4)
        let port = try ProcessGroup.freeLocalPort()
        let ranks = try (0..<2).map { rank in
            try launch(parallel.config, env: ["WORLD_SIZE": "2", "RANK": "\(rank)", "LOCAL_RANK": "\(rank)",
                                              "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "\(port)"])
        }
        for p in ranks { p.waitUntilExit() }
        XCTAssertEqual(ranks.map(\.terminationStatus), [0, 0])

        let a = try losses(single.output), b = try losses(parallel.output)
        XCTAssertGreaterThanOrEqual(a.count, 4)
        XCTAssertEqual(b.count, a.count, "rank 0 alone logs, once per step, and stops where one process does")
        for (step, (x, y)) in zip(a, b).enumerated() {
            XCTAssertEqual(y, x, accuracy: 1e-4 * abs(x), "loss at step \(step + 1): one process \(a), two \(b)")
        }
        let oneFinal = try Safetensors.load(single.output + "/final/" + Checkpoint.adapterFile)
        let twoFinal = try Safetensors.load(parallel.output + "/final/" + Checkpoint.adapterFile)
        XCTAssertEqual(Set(oneFinal.keys), Set(twoFinal.keys))
        for (name, x) in oneFinal {
            let scale = try x.abs().amax().item()
            XCTAssertLessThanOrEqual(try maxAbsDiff(twoFinal[name]!, x), 1e-4 * scale, name)
        }
        XCTAssertEqual(Checkpoint.list(in: parallel.output).map(\.step), Checkpoint.list(in: single.output).map(\.step))
        let evals = { (output: String) in try String(contentsOfFile: output + "/train_log.jsonl", encoding: .utf8)
            .components(separatedBy: "\"kind\":\"eval\"").count - 1 }
        XCTAssertEqual(try evals(parallel.output), try evals(single.output))
        XCTAssertGreaterThan(try evals(parallel.output), 1)
    }

    /// training.device: cuda trains the same steps as the CPU (where a CUDA device exists; skipped
    /// elsewhere — the H200 check of the real recipe is in docs/results.md "GPU training").
    func testCUDATrainingMatchesTheCPUsLosses() throws {
        guard (try? Torch.loadCUDA()) != nil, Torch.cudaIsAvailable, Torch.cudaDeviceCount > 0 else {
            throw XCTSkip("no CUDA device")
        }
        let stack = try TinyStack()
        defer { stack.remove() }
        var losses: [[Double]] = []
        for device in ["cpu", "cuda"] {
            // With evaluation at the end: generation (joint CTC decoding) runs on the training device too.
            var config = try stack.config(output: stack.root + "/run-" + device, extra: "ctc_weight: 0.5\ncalibrate_projection: true\n"
                                          + "ctc_decoding_weight: 0.5\nnum_beams: 2\neval_parquet_dirs: [\"\(stack.manifest)\"]")
            config.maxSteps = 5
            config.device = device
            let trainer = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
            try trainer.run()
            losses.append(trainer.stepLosses)
        }
        XCTAssertEqual(losses[0].count, 5)
        for device in ["cpu", "cuda"] {
            let log = try String(contentsOfFile: stack.root + "/run-\(device)/train_log.jsonl", encoding: .utf8)
            XCTAssertTrue(log.contains("\"kind\":\"eval\""), "evaluated on \(device)")
        }
        for (cpu, gpu) in zip(losses[0], losses[1]) {
            // Same data, seed and initial adapter; cuDNN's TF32 convolutions and reduction order differ.
            XCTAssertEqual(gpu, cpu, accuracy: 2e-2 * abs(cpu), "per-step losses cpu \(losses[0]) vs cuda \(losses[1])")
        }
        let transcriber = try Transcriber(checkpoint: stack.root + "/run-cuda/final")
        XCTAssertEqual(try transcriber.transcribe(files: [stack.root + "/data/0.wav"], batchSize: 1).count, 1,
                       "an adapter saved from the GPU loads and transcribes on the CPU")
        let onGPU = try Transcriber(checkpoint: stack.root + "/run-cpu/final", device: .cuda(0))
        XCTAssertEqual(onGPU.model.device, .cuda(0))
        XCTAssertEqual(try onGPU.transcribe(files: [stack.root + "/data/0.wav"], batchSize: 1).count, 1,
                       "and a CPU-trained adapter transcribes on the GPU")
    }

    /// ctc_classes: transcripts — the CTC classes are exactly the tokens of the training transcripts.
    func testCTCClassesAreTheTrainingTranscriptsTokens() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run", extra: "ctc_weight: 0.5\nctc_classes: transcripts")
        config.maxSteps = 2
        let setup = try TrainingSetup(config: config) { _ in }
        let trainer = try Trainer(setup: setup, quiet: true)
        let expected = Set(TinyStack.words.flatMap { setup.tokenizer.encode($0, addSpecialTokens: false) })
        XCTAssertEqual(setup.model.ctcClasses?.count, expected.count)
        for id in expected { XCTAssertNotNil(setup.model.ctcClasses?.classOf(Int64(id)), "token \(id)") }
        try trainer.run()
        XCTAssertEqual(trainer.stepLosses.count, 2)
        let log = try String(contentsOfFile: stack.root + "/run/train_log.jsonl", encoding: .utf8)
        XCTAssertTrue(log.contains("\"kind\":\"ctc_classes\""), log)

        // Saved with the checkpoint, and restored for joint CTC decoding; rebuilt from the
        // training data when a checkpoint (written before they were saved) lacks them.
        let infoPath = stack.root + "/run/final/" + Checkpoint.modelInfoFile
        var info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: infoPath))) as! [String: Any]
        XCTAssertEqual(info["ctc_class_ids"] as? [Int], expected.sorted())
        let restored = try Transcriber(checkpoint: stack.root + "/run/final", ctcDecodingWeight: 0.5)
        XCTAssertEqual(restored.model.ctcClassIds, expected.sorted())
        XCTAssertEqual(restored.warnings, [])
        XCTAssertEqual(try restored.transcribe(files: [stack.root + "/data/0.wav"]).count, 1)
        info["ctc_class_ids"] = nil
        try JSONSerialization.data(withJSONObject: info).write(to: URL(fileURLWithPath: infoPath))
        let rebuilt = try Transcriber(checkpoint: stack.root + "/run/final", ctcDecodingWeight: 0.5)
        XCTAssertEqual(rebuilt.model.ctcClassIds, expected.sorted())
        XCTAssertTrue(rebuilt.warnings.contains { $0.contains("rebuilt \(expected.count) from the training transcripts") },
                      "\(rebuilt.warnings)")
        XCTAssertNil(try Transcriber(checkpoint: stack.root + "/run/final").model.ctcClassIds, "only joint decoding needs them")
        XCTAssertEqual(try Transcriber(checkpoint: stack.root + "/run/final", ctcDecodingWeight: 0.5, ctcLengthBonus: 0.5)
            .generation.ctcLengthBonus, 0.5)
        XCTAssertThrowsError(try Transcriber(checkpoint: stack.root + "/run/final", ctcLengthBonus: 0.5)) {
            XCTAssertTrue("\($0)".contains("applies to joint CTC decoding only"), "\($0)")
        }

        // Export leaves the optimizer state behind (a trailing slash on the destination is fine)…
        let notes = try Checkpoint.export(from: stack.root + "/run/checkpoint-2", to: stack.root + "/shared/")
        XCTAssertEqual(notes, [], "checkpoint-2 lists its classes")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stack.root + "/shared/" + Checkpoint.optimizerFile))
        XCTAssertTrue(FileManager.default.fileExists(atPath: stack.root + "/run/checkpoint-2/" + Checkpoint.optimizerFile))
        // …and writes the class list, rebuilt for a checkpoint that lacks it.
        XCTAssertEqual(try Checkpoint.export(from: stack.root + "/run/final", to: stack.root + "/shared"),
                       ["CTC classes rebuilt from the training transcripts: \(expected.count) tokens"])
        let exported = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: stack.root + "/shared/" + Checkpoint.modelInfoFile))) as! [String: Any]
        XCTAssertEqual(exported["ctc_class_ids"] as? [Int], expected.sorted())
        XCTAssertEqual(try Transcriber(checkpoint: stack.root + "/shared", ctcDecodingWeight: 0.5).warnings, [])
        // Half precision: float16 on disk, read back as float32 equal to the weights rounded once.
        XCTAssertEqual(try Checkpoint.export(from: stack.root + "/run/checkpoint-2", to: stack.root + "/half", dtype: .float16),
                       ["adapter weights stored as float16"])
        let full = try Safetensors.load(stack.root + "/run/checkpoint-2/" + Checkpoint.adapterFile)
        let half = try Safetensors.load(stack.root + "/half/" + Checkpoint.adapterFile)
        XCTAssertEqual(Set(half.keys), Set(full.keys))
        for (name, w) in half { XCTAssertEqual(w.dtype, .float16, name) }
        let reader = try Transcriber(checkpoint: stack.root + "/half", ctcDecodingWeight: 0.5)
        for (name, p) in reader.model.adapter.namedParameters() {
            XCTAssertEqual(p.value.dtype, .float32, name)
            let expected = try full[name]!.to(dtype: .float16).to(dtype: .float32)
            XCTAssertEqual(try (p.value - expected).abs().amax().item(), 0, name)
        }
        XCTAssertEqual(try reader.transcribe(files: [stack.root + "/data/0.wav"]).count, 1)
        XCTAssertThrowsError(try Checkpoint.export(from: stack.root + "/run/checkpoint-2", to: stack.root + "/x", dtype: .int64)) {
            XCTAssertTrue("\($0)".contains("expected a floating-point type"), "\($0)")
        }
        XCTAssertThrowsError(try Checkpoint.export(from: stack.root + "/nothing", to: stack.root + "/x")) {
            XCTAssertTrue("\($0)".contains("/nothing': no adapter.safetensors (no such folder)"), "\($0)")
        }
        // The destination is replaced whole: never the source itself or a folder holding it, nor a
        // folder of something else; an earlier export is replaced.
        for destination in [stack.root + "/shared/.", stack.root + "/shared/../shared"] {
            XCTAssertThrowsError(try Checkpoint.export(from: stack.root + "/shared", to: destination)) {
                XCTAssertTrue("\($0)".contains("holds the checkpoint \(stack.root)/shared itself"), "\($0)")
            }
        }
        XCTAssertThrowsError(try Checkpoint.export(from: stack.root + "/run/final", to: stack.root + "/run")) {
            XCTAssertTrue("\($0)".contains("holds the checkpoint"), "\($0)")
        }
        XCTAssertThrowsError(try Checkpoint.export(from: stack.root + "/run/final", to: stack.root + "/data")) {
            XCTAssertTrue("\($0)".contains("exists and is not an adapter folder"), "\($0)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: stack.root + "/shared/" + Checkpoint.adapterFile), "left as it was")
        XCTAssertTrue(FileManager.default.fileExists(atPath: stack.root + "/data/0.wav"), "left as it was")
        XCTAssertEqual(try Checkpoint.export(from: stack.root + "/run/checkpoint-2", to: stack.root + "/half"), [])
    }

    /// training.init_adapter starts a run from a trained adapter: its weights arrive bit for bit
    /// (projection calibration skipped), the first loss is the trained adapter's, a source without
    /// ctc_blank leaves that one fresh, and sources of another shape or mode fail by name.
    func testInitAdapterStartsARunFromTrainedWeights() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/first", extra: "calibrate_projection: true")
        config.maxSteps = 60
        let first = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        try first.run()
        let source = stack.root + "/first/final"
        let trained = try Safetensors.load(source + "/" + Checkpoint.adapterFile)

        var warmConfig = config
        warmConfig.outputDir = stack.root + "/warm"
        warmConfig.initAdapter = source
        warmConfig.maxSteps = 1
        let warm = try Trainer(setup: TrainingSetup(config: warmConfig) { _ in }, quiet: true)
        try warm.run()
        let log = try String(contentsOfFile: stack.root + "/warm/train_log.jsonl", encoding: .utf8)
        XCTAssertTrue(log.contains("\"kind\":\"init_adapter\""), log)
        XCTAssertFalse(log.contains("\"kind\":\"calibration\""), "calibration would rescale the trained projection")
        let firstLoss = first.stepLosses[0], trainedLoss = first.stepLosses.suffix(5).reduce(0, +) / 5
        XCTAssertLessThan(trainedLoss, 0.5 * firstLoss, "the source must have learned something for this test to mean anything")
        XCTAssertLessThan(warm.stepLosses[0], 0.5 * firstLoss, "warm start \(warm.stepLosses[0]) vs fresh \(firstLoss)")

        // Bit for bit, before any step. (These trainers only load weights: a folder of their own, as
        // "warm" holds the run above's checkpoint.)
        warmConfig.outputDir = stack.root + "/loads"
        let fresh = try Trainer(setup: TrainingSetup(config: warmConfig) { _ in }, quiet: true)
        let report = try fresh.initializeAdapter(from: source)
        XCTAssertEqual(report.parameters, trained.count)
        XCTAssertFalse(report.freshCTCBlank)
        for (name, value) in fresh.setup.model.adapter.stateDict() {
            XCTAssertEqual(try value.toArray(Float.self), try trained[name]!.toArray(Float.self), name)
        }
        // From a half-precision export: float32 parameters holding the rounded weights.
        try Checkpoint.export(from: source, to: stack.root + "/half", dtype: .bfloat16)
        let fromHalf = try Trainer(setup: TrainingSetup(config: warmConfig) { _ in }, quiet: true)
        try fromHalf.initializeAdapter(from: stack.root + "/half")
        for (name, value) in fromHalf.setup.model.adapter.stateDict() {
            XCTAssertEqual(value.dtype, .float32, name)
            XCTAssertEqual(try value.toArray(Float.self), try trained[name]!.to(dtype: .bfloat16).to(dtype: .float32).toArray(Float.self), name)
        }

        // A run with the audio-token CTC from a source trained without it: ctc_blank starts fresh.
        var ctcConfig = warmConfig
        ctcConfig.model.ctcWeight = 0.5
        let ctc = try Trainer(setup: TrainingSetup(config: ctcConfig) { _ in }, quiet: true)
        let ctcReport = try ctc.initializeAdapter(from: source)
        XCTAssertTrue(ctcReport.freshCTCBlank)
        XCTAssertEqual(ctcReport.parameters, trained.count)

        // Sources that do not fit: another expert count, the linear mode, no adapter at all.
        let model = fresh.setup.model
        func save(_ options: SteerMoEOptions, as name: String) throws -> String {
            let adapter = try SteeringAdapter(layers: model.encoder.layerCount, encoderWidth: model.encoder.config.width,
                                              llmWidth: model.llm.config.hiddenSize, options: options, generator: Generator(seed: 3))
            try FileManager.default.createDirectory(atPath: stack.root + "/" + name, withIntermediateDirectories: true)
            try Safetensors.save(adapter.stateDict(), to: stack.root + "/\(name)/" + Checkpoint.adapterFile)
            return stack.root + "/" + name
        }
        var twoExperts = warmConfig.model
        twoExperts.numExperts = 2
        var linear = warmConfig.model
        linear.mode = .linear
        for (folder, expected) in [(try save(twoExperts, as: "two-experts"), "has shape"),
                                   (try save(linear, as: "linear"), "lacks"),
                                   (stack.root + "/nothing", "no adapter.safetensors")] {
            var bad = warmConfig
            bad.initAdapter = folder
            XCTAssertThrowsError(try Trainer(setup: TrainingSetup(config: bad) { _ in }, quiet: true).initializeAdapter(from: folder)) {
                XCTAssertTrue("\($0)".contains("training.init_adapter '\(folder)'") && "\($0)".contains(expected), "\($0)")
            }
        }
    }

    /// A run killed with SIGKILL and resumed gives the same losses as an uninterrupted run.
    func testKilledOrStoppedAndResumedRunsRepeatTheUninterruptedLosses() throws {
        let binary = try TinyStack.requireCLI()
        let stack = try TinyStack()
        defer { stack.remove() }
        func writeConfig(_ name: String) throws -> (config: String, output: String) {
            let output = stack.root + "/" + name
            let c = try stack.config(output: output, extra: "save_steps: 10\nsave_total_limit: 3")
            var yaml = try c.effectiveYAML()
            yaml += "\n"
            let path = stack.root + "/\(name).yaml"
            try yaml.replacingOccurrences(of: "logging_steps: 25", with: "logging_steps: 1")
                .replacingOccurrences(of: "max_steps: null", with: "max_steps: 60")
                .write(toFile: path, atomically: true, encoding: .utf8)
            return (path, output)
        }
        func losses(_ output: String) throws -> [Int: Double] {
            var out: [Int: Double] = [:]  // later lines (the resumed run) overwrite the killed run's
            for o in try TinyStack.trainRecords(output) { out[o["step"] as! Int] = o["loss"] as? Double }
            return out
        }
        func launch(_ args: [String]) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }

        let straight = try writeConfig("straight")
        let full = try launch(["train", straight.config])
        full.waitUntilExit()
        XCTAssertEqual(full.terminationStatus, 0)

        /// Starts a run, sends `signal` once its checkpoint-20 exists, and returns the ended process.
        func interrupt(_ run: (config: String, output: String), with signal: Int32) throws -> Process {
            let p = try launch(["train", run.config])
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: run.output + "/checkpoint-20") && Date() < deadline && p.isRunning {
                usleep(2000)
            }
            XCTAssertTrue(p.isRunning, "the run must still be going when signalled")
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            return p
        }
        func resume(_ run: (config: String, output: String)) throws {
            let p = try launch(["train", run.config, "--resume"])
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
        }

        let killed = try writeConfig("killed")
        XCTAssertEqual(try interrupt(killed, with: SIGKILL).terminationReason, .uncaughtSignal)
        try resume(killed)

        // SIGTERM (a scheduler's stop; Ctrl-C is SIGINT, handled alike): the step in progress
        // finishes, a checkpoint is saved at it, the exit status is 128 + 15; --resume goes on.
        let stopped = try writeConfig("stopped")
        let worker = try interrupt(stopped, with: SIGTERM)
        XCTAssertEqual(worker.terminationReason, .exit)
        XCTAssertEqual(worker.terminationStatus, 128 + SIGTERM)
        let lastStep = try XCTUnwrap(try TinyStack.trainRecords(stopped.output).compactMap { $0["step"] as? Int }.max())
        XCTAssertTrue((20..<60).contains(lastStep), "\(lastStep)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: stopped.output + "/checkpoint-\(lastStep)/" + Checkpoint.optimizerFile),
                      "a checkpoint at the last step taken")
        try resume(stopped)

        let a = try losses(straight.output)
        XCTAssertEqual(a.count, 60)
        for output in [killed.output, stopped.output] {
            let b = try losses(output)
            XCTAssertEqual(Set(a.keys), Set(b.keys), output)
            for step in a.keys.sorted() {
                XCTAssertEqual(b[step]!, a[step]!, accuracy: 1e-9 * max(1, abs(a[step]!)), "\(output) step \(step)")
            }
        }
    }
}
