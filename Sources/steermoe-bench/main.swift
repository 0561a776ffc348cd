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
    case "decode":
        let r = try DecodeBench.run(model: stringOption("--model", ".bench/qwen2-decode-random"), batch: option("--batch", 1),
                                    promptLength: option("--prompt", 32), newTokens: option("--new-tokens", 64),
                                    steps: option("--steps", 3), warmup: option("--warmup", 1))
        print("{\"bench\": \"decode\", \"median_ms\": \(r.medianMs), \"tokens_per_s\": \(r.tokensPerSecond), "
              + "\"checksum\": \(r.checksum), \"first_tokens\": \(r.firstTokens)}")
    default:
        FileHandle.standardError.write("usage: steermoe-bench core|decode [--steps N] [--warmup N] [--threads T] [decode: --model DIR --batch B --prompt T --new-tokens N]\n".data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("steermoe-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
