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
        let r = try TrainStepBench.run(dir: dir, steps: steps, warmup: warmup, padding: padding,
                                       whisper: path("--whisper"), llm: path("--llm"))
        print("{\"bench\": \"train-step\", \"median_ms\": \(r.ms), \"loss\": \(r.loss)}")
    default:
        FileHandle.standardError.write("usage: steermoe-bench core|logmel|train-step [--steps N] [--warmup N] [--threads T]\n".data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("steermoe-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
