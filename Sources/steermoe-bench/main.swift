import Foundation
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
    case "loader":
        let r = try LoaderBench.run(data: stringOption("--data", ".bench/loader-data"), workers: option("--workers", 2),
                                    batch: option("--batch", 8), epochs: option("--epochs", 2))
        print("{\"bench\": \"loader\", \"samples\": \(r.samples), \"epoch_seconds\": \(r.epochSeconds), \"seconds\": \(r.epochSeconds.last ?? 0), "
              + "\"cpu_seconds\": \(r.epochCPUSeconds.last ?? 0)}")
    default:
        FileHandle.standardError.write(("usage: steermoe-bench core|logmel|loader [--steps N] [--warmup N] [--threads T]"
            + " [--data DIR --workers N --batch N --epochs N]\n").data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("steermoe-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
