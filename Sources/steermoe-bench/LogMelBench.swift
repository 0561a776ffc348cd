import Foundation
import SteerMoE
import Torch

/// scripts/bench/logmel: log-mel features of a batch of clips, padded to 30 s as training does.
/// Mirrors scripts/bench/logmel_reference.py (same clip lengths and signal).
enum LogMelBench {
    static func clips(count: Int) -> [[Float]] {
        (0..<count).map { i in
            let n = 16000 * (4 + (i * 7) % 20)  // 4–23 s
            let rate = 0.05 * Double(i + 1)
            return (0..<n).map { t -> Float in
                let tone: Double = 0.3 * sin(Double(t) * rate)
                let noise: Double = 0.01 * Double((t * 7919) % 101 - 50) / 50
                return Float(tone + noise)
            }
        }
    }

    static func run(steps: Int, warmup: Int) throws -> (msPerBatch: Double, frames: Int) {
        let fe = try LogMelExtractor(melBins: 80)
        let batch = clips(count: 8)
        var times: [Double] = []
        var frames = 0
        for i in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds
            let f = try fe(batch, padToChunk: true).features
            frames = f.size(0) * f.size(2)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if i >= warmup { times.append(elapsed) }
        }
        return (times.sorted()[times.count / 2], frames)
    }
}
