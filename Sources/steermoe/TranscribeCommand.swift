import ArgumentParser
import Foundation
import SpeechData
import SteerMoE
import Torch

/// `steermoe transcribe FILE... [--checkpoint DIR | --whisper-decoder DIR] [--json]`
struct Transcribe: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Transcribe audio files (WAV/FLAC/OGG/MP3, any sample rate).")
    @Argument(help: "Audio files.") var files: [String]
    @Option(help: ArgumentHelp("A trained adapter folder (checkpoint-N, best, final, or an export; default: the bundled "
                               + "checkpoints/default, found in the current folder or in the checkout that holds this binary)."))
    var checkpoint: String?
    @Option(help: "Override the Whisper model folder recorded in the checkpoint.") var whisper: String?
    @Option(help: "Override the LLM model folder recorded in the checkpoint.") var llm: String?
    @OptionGroup var decoding: AdapterDecodingOptions
    @Option(help: "Files per batch.") var batchSize = 4
    @Option(help: "Intra-op threads.") var threads: Int?
    @Flag(help: "One JSON object per file: {\"audio\": PATH, \"text\": ...} (with \"segments\" for a file cut at pauses).") var json = false
    @Option(help: "Files longer than this are cut at pauses into segments at most this long (seconds, 1...30; default 10, 30 with --whisper-decoder).")
    var maxSegmentSeconds: Double?
    @Option(help: "A long file's segments gather utterances up to this length (seconds; 0 = cut at every pause; default 0, 30 with --whisper-decoder).")
    var targetSegmentSeconds: Double?
    @Option(help: "Shortest quiet stretch (seconds) that counts as a pause where a long file may be cut.")
    var minPauseSeconds = PauseSegmenter().minPauseSeconds
    @OptionGroup var whisperDecoder: WhisperDecoderOptions

    /// The model's own way of cutting long files, with the options' changes (known before the models load).
    var segmenter: PauseSegmenter {
        var s = whisperDecoder.folder == nil ? Transcriber.defaultSegmenter : WhisperTranscriber.defaultSegmenter
        s.maxSeconds = maxSegmentSeconds ?? s.maxSeconds
        s.targetSeconds = targetSegmentSeconds ?? min(s.targetSeconds, s.maxSeconds)
        s.minPauseSeconds = minPauseSeconds
        return s
    }

    /// --checkpoint, else the bundled default wherever the checkout is.
    func resolvedCheckpoint() throws -> String {
        if let checkpoint { return checkpoint }
        guard let found = ProjectPaths.locateBundledDefault() else {
            throw ValidationError("no --checkpoint given, and the bundled default (\(ProjectPaths.bundledDefault)) is neither in the "
                                  + "current folder nor in the checkout that holds this binary: pass --checkpoint DIR")
        }
        return found
    }

    func validate() throws {
        if let problem = segmenter.problem { throw ValidationError(problem) }
        if whisperDecoder.folder != nil && (whisper != nil || llm != nil || decoding.isSet) {
            throw ValidationError("--whisper-decoder decodes greedily with Whisper alone: drop --whisper, --llm and the adapter decoding options")
        }
        try requireAtLeastOne(["--threads": threads, "--batch-size": batchSize])
    }

    func run() throws {
        if let threads { Torch.numThreads = threads }
        let files = self.files
        // On stderr, so --json output stays one object per line.
        let status = StatusLine()
        let progress = { (read: Int, segments: Int, seconds: Double) in
            status.update(String(format: "%d/%d files read, %d segments, %.0f s of audio (%.1f× real time)",
                                 read, files.count, segments, seconds, seconds / status.elapsed))
        }
        // Each file's line as soon as it is done: a long job that fails later keeps what it printed.
        let json = self.json
        var unreadable = 0
        let printLine = { (t: FileTranscript) throws in
            // Clear the progress line first, or a file's line would start after it on a terminal.
            status.clear()
            if let error = t.error {
                // Reported and skipped: one bad file in a long list does not cost the others.
                unreadable += 1
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
            if json {
                var object: [String: Any] = ["audio": t.audio]
                if let error = t.error { object["error"] = "\(error)" } else { object["text"] = t.text }
                if t.segments.count > 1 {
                    object["segments"] = t.segments.map { ["start": $0.start, "end": $0.end, "text": $0.text] as [String: Any] }
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else if t.error == nil {
                print("\(t.audio)\t\(t.text)")
            }
            fflush(nil)  // all streams: stdout may be a pipe (block-buffered)
        }
        if let w = try whisperDecoder.transcriber() {
            try w.transcribe(files: files, batchSize: batchSize, segmenter: segmenter, progress: progress, finished: printLine)
        } else {
            let t = try decoding.transcriber(checkpoint: resolvedCheckpoint(), whisper: whisper, llm: llm)
            for w in t.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            try t.transcribe(files: files, batchSize: batchSize, segmenter: segmenter, progress: progress, finished: printLine)
        }
        status.finish()
        if unreadable > 0 {
            FileHandle.standardError.write(Data("\(unreadable) of \(files.count) files could not be read (see the errors above)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `steermoe evaluate DATA... --checkpoint DIR` (or `--whisper-decoder DIR`): WER/CER with predictions JSONL.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score a trained adapter (or Whisper's own decoder) on a data set (WER, CER, predictions JSONL).")
    @Option(help: "Adapter folder.") var checkpoint: String?
    @Argument(help: "Data: parquet folders/files or JSONL manifests.") var data: [String]
    @Option(help: "Where to write predictions.jsonl, metrics.json and skipped.jsonl (rows left out, with why).") var out: String?
    @OptionGroup var decoding: AdapterDecodingOptions
    @Option(help: "Utterances at most.") var limit: Int?
    @Option(help: "Intra-op threads.") var threads: Int?
    @Option(help: "Utterances per batch (default: the checkpoint's eval batch size; 4 with --whisper-decoder).") var batchSize: Int?
    @OptionGroup var whisperDecoder: WhisperDecoderOptions

    func validate() throws {
        guard (checkpoint == nil) != (whisperDecoder.folder == nil) else {
            throw ValidationError("pass exactly one of --checkpoint and --whisper-decoder")
        }
        if whisperDecoder.folder != nil && decoding.isSet {
            throw ValidationError("--whisper-decoder decodes greedily: drop the adapter decoding options (--beams, --repetition-penalty, ...)")
        }
        try requireAtLeastOne(["--limit": limit, "--batch-size": batchSize, "--threads": threads])
    }

    func run() throws {
        if let threads { Torch.numThreads = threads }
        if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        let (transcriber, loader, info) = try setUp()
        let status = StatusLine()
        StopSignal.install()  // Ctrl-C / SIGTERM: stop after the batch in progress, keep what is scored
        let result = try Evaluator.run(transcriber, loader, limit: limit, shouldStop: { StopSignal.received != nil }) { n in
            status.update(String(format: "%d utterances (%.1f/s)", n, Double(n) / status.elapsed))
        }
        status.finish()
        try reportEvaluation(result, out: out, info: info.merging(["data": data]) { _, new in new })
        if let signal = StopSignal.received, !result.complete { throw ExitCode(128 + signal) }
    }

    var skipReport: String? { out.map { $0 + "/skipped.jsonl" } }

    /// The transcriber, its loader over `data` (same filters; features as the model expects them)
    /// and what metrics.json records about it.
    func setUp() throws -> (any BatchTranscriber, DataLoader<SpeechItem>, [String: Any]) {
        if let w = try whisperDecoder.transcriber() {
            // Whisper's own decoder reads the 30 s padded log-mel (or each clip's frames, --whisper-trim).
            var c = TrainingConfig()
            c.model.audioPadding = w.options.audioPadding
            let loader = try EvaluationData(config: c, tokenizer: w.tokenizer, extractor: w.extractor)
                .loader(paths: data, batchSize: batchSize ?? c.evalBatchSize, skipReport: skipReport)
            return (w, loader, ["whisper_decoder": whisperDecoder.folder ?? "", "language": whisperDecoder.language,
                                "audio": w.options.trimmedAudio ? "trimmed" : "padded 30 s",
                                "max_new_tokens": whisperDecoder.maxNewTokens, "decoding": "greedy"])
        }
        let t = try decoding.transcriber(checkpoint: checkpoint ?? "")
        for w in t.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        var c = t.config
        c.numWorkers = max(1, c.numWorkers)
        let loader = try EvaluationData(config: c, tokenizer: t.tokenizer, extractor: t.extractor)
            .loader(paths: data, batchSize: batchSize ?? c.evalBatchSize, skipReport: skipReport)
        let evaluator = Evaluator(model: t.model, tokenizer: t.tokenizer, promptIds: t.collator.promptIds,
                                  prefixIds: t.collator.prefixIds, generation: t.generation)
        let g = t.generation
        return (evaluator, loader, ["checkpoint": checkpoint ?? "", "num_beams": g.numBeams, "max_new_tokens": g.maxNewTokens,
                                    "repetition_penalty": g.repetitionPenalty, "no_repeat_ngram_size": g.noRepeatNGramSize,
                                    "length_penalty": g.lengthPenalty, "ctc_decoding_weight": g.ctcWeight,
                                    "ctc_length_bonus": g.ctcLengthBonus])
    }
}
