import ArgumentParser
import Foundation
import SteerMoE
import Torch

/// `steermoe transcribe FILE... [--checkpoint DIR] [--json]`
struct Transcribe: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Transcribe audio files (WAV/FLAC/OGG/MP3, any sample rate).")
    @Argument(help: "Audio files.") var files: [String]
    @Option(help: "A trained adapter folder (checkpoint-N, best, final, or the bundled default).")
    var checkpoint = "checkpoints/default"
    @Option(help: "Override the Whisper model folder recorded in the checkpoint.") var whisper: String?
    @Option(help: "Override the LLM model folder recorded in the checkpoint.") var llm: String?
    @Option(help: "Beam size (1 = greedy).") var beams: Int?
    @Option(help: "Files per batch.") var batchSize = 4
    @Option(help: "Intra-op threads.") var threads: Int?
    @Flag(help: "One JSON object per file: {\"audio\": PATH, \"text\": ...}.") var json = false

    func run() throws {
        if let threads { Torch.numThreads = threads }
        let t = try Transcriber(checkpoint: checkpoint, whisper: whisper, llm: llm, numBeams: beams)
        for w in t.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        let texts = try t.transcribe(files: files, batchSize: batchSize)
        for (file, text) in zip(files, texts) {
            if json {
                let data = try JSONSerialization.data(withJSONObject: ["audio": file, "text": text], options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(file)\t\(text)")
            }
        }
    }
}

/// `steermoe evaluate CONFIG --checkpoint DIR`: WER/CER on eval_parquet_dirs with predictions JSONL.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score a trained adapter on a data set (WER, CER, predictions JSONL).")
    @Option(help: "Adapter folder.") var checkpoint: String
    @Argument(help: "Data: parquet folders/files or JSONL manifests.") var data: [String]
    @Option(help: "Where to write predictions.jsonl and metrics.json.") var out: String?
    @Option(help: "Beam size (1 = greedy).") var beams: Int?
    @Option(help: "Utterances at most.") var limit: Int?
    @Option(help: "Intra-op threads.") var threads: Int?

    func run() throws {
        if let threads { Torch.numThreads = threads }
        let t = try Transcriber(checkpoint: checkpoint, numBeams: beams)
        var c = t.config
        c.numWorkers = max(1, c.numWorkers)
        let setupless = EvaluationData(config: c, tokenizer: t.tokenizer, extractor: t.extractor)
        let loader = try setupless.loader(paths: data, batchSize: c.evalBatchSize)
        let evaluator = Evaluator(model: t.model, tokenizer: t.tokenizer, promptIds: t.collator.promptIds, generation: t.generation)
        let result = try evaluator.run(loader, limit: limit) { n in
            FileHandle.standardError.write(Data("\r\(n) utterances".utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print(String(format: "WER %.2f%%  CER %.2f%%  (%d utterances, %d words, %.1f s)", result.score.wer * 100,
                     result.score.cer * 100, result.predictions.count, result.score.words, result.seconds))
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Evaluator.writePredictions(result.predictions, to: out + "/predictions.jsonl")
            let metrics: [String: Any] = ["wer": result.score.wer, "cer": result.score.cer, "utterances": result.predictions.count,
                                          "checkpoint": checkpoint, "data": data, "seconds": result.seconds]
            try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: out + "/metrics.json"))
        }
    }
}
