import Foundation
import SteerMoE
import Torch

// Benchmark driver: `steermoe-bench NAME [--steps N] [--threads T]` prints one JSON line with
// per-step times in milliseconds. scripts/bench/NAME runs it against the Python reference.
let args = CommandLine.arguments.dropFirst()
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), args.index(after: i) < args.endIndex, let v = Int(args[args.index(after: i)]) else {
        return fallback
    }
    return v
}
func stringOption(_ name: String, _ fallback: String) -> String {
    guard let i = args.firstIndex(of: name), args.index(after: i) < args.endIndex else { return fallback }
    return args[args.index(after: i)]
}
Torch.numThreads = option("--threads", 1)
Torch.setInteropThreads(1)
let steps = option("--steps", 50), warmup = option("--warmup", 5)
do {
    switch args.first {
    case "core":
        let times = try CoreBench.run(steps: steps, warmup: warmup)
        let sorted = times.sorted()
        print("{\"bench\": \"core\", \"median_ms\": \(sorted[sorted.count / 2]), \"steps\": \(times.count)}")
    case "logmel":
        let r = try LogMelBench.run(steps: steps, warmup: warmup)
        print("{\"bench\": \"logmel\", \"median_ms\": \(r.msPerBatch), \"frames\": \(r.frames)}")
    case "train-step":
        let dir = args.firstIndex(of: "--dir").map { args[args.index(after: $0)] } ?? ".bench/train-step"
        let padding = args.firstIndex(of: "--padding").flatMap { SteerMoEOptions.AudioPadding(rawValue: args[args.index(after: $0)]) }
        func path(_ flag: String) -> String? { args.firstIndex(of: flag).map { args[args.index(after: $0)] } }
        // Under torchrun: data parallel, rank 0 reports.
        let group = try ProcessGroup.fromEnvironment()
        let r = try TrainStepBench.run(dir: dir, steps: steps, warmup: warmup, padding: padding,
                                       whisper: path("--whisper"), llm: path("--llm"), group: group)
        if (group?.rank ?? 0) == 0 {
            print("{\"bench\": \"train-step\", \"median_ms\": \(r.ms), \"loss\": \(r.loss), \"processes\": \(group?.worldSize ?? 1)}")
        }
    case "decode":
        // --batches 4,1: one JSON line with per-batch fields (median_ms_b4, tokens_per_s_b4, ...).
        let batches = stringOption("--batches", "1").split(separator: ",").compactMap { Int($0) }
        let results = try DecodeBench.run(model: stringOption("--model", ".bench/qwen2-decode-random"), batches: batches,
                                          promptLength: option("--prompt", 32), newTokens: option("--new-tokens", 64),
                                          steps: option("--steps", 3), warmup: option("--warmup", 1))
        let fields = results.map { b, r in
            "\"median_ms_b\(b)\": \(r.medianMs), \"tokens_per_s_b\(b)\": \(r.tokensPerSecond), \"checksum_b\(b)\": \(r.checksum), "
                + "\"first_tokens_b\(b)\": \(r.firstTokens)"
        }
        print("{\"bench\": \"decode\", " + fields.joined(separator: ", ") + "}")
    case "transcribe":
        // --beams 1,4: one JSON line with per-beam-count fields (median_ms_k1, checksum_k1, ...).
        let beams = stringOption("--beams", "1").split(separator: ",").compactMap { Int($0) }
        let results = try TranscribeBench.run(dir: stringOption("--dir", ".bench/train-step"),
                                              adapter: stringOption("--adapter", ".bench/transcribe/adapter.safetensors"),
                                              beams: beams, newTokens: option("--new-tokens", 32),
                                              steps: option("--steps", 3), warmup: option("--warmup", 1))
        let fields = results.map { k, r in
            "\"median_ms_k\(k)\": \(r.medianMs), \"checksum_k\(k)\": \(r.checksum), \"first_tokens_k\(k)\": \(r.firstTokens)"
        }
        print("{\"bench\": \"transcribe\", " + fields.joined(separator: ", ") + "}")
    case "loader":
        let r = try LoaderBench.run(data: stringOption("--data", ".bench/loader-data"), workers: option("--workers", 2),
                                    batch: option("--batch", 8), epochs: option("--epochs", 2))
        print("{\"bench\": \"loader\", \"samples\": \(r.samples), \"epoch_seconds\": \(r.epochSeconds), \"seconds\": \(r.epochSeconds.last ?? 0), "
              + "\"cpu_seconds\": \(r.epochCPUSeconds.last ?? 0)}")
    default:
        FileHandle.standardError.write(("usage: steermoe-bench core|logmel|loader|train-step|decode|transcribe [--steps N] [--warmup N] [--threads T]"
            + " [loader: --data DIR --workers N --batch N --epochs N] [decode: --model DIR --batches 4,1 --prompt T --new-tokens N]"
            + " [train-step: --dir D --padding pad30|trim --whisper DIR --llm DIR]"
            + " [transcribe: --dir D --adapter FILE --beams 1,4 --new-tokens N]\n").data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("steermoe-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
