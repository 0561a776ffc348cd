import Foundation
import SpeechData
import SteerMoE
import Torch

/// scripts/bench/loader: the whole input pipeline — parquet rows, FLAC decode, resampling to
/// 16 kHz, log-mel padded to 30 s — through DataLoader's worker threads, batches stacked as
/// training does. Mirrors scripts/bench/loader_reference.py (HF datasets + torch DataLoader).
enum LoaderBench {
    struct Result {
        var samples: Int
        var epochSeconds: [Double]
        /// CPU time (user + system, all threads) of each epoch: shows how much of the wall time
        /// was spent waiting for a core on a shared machine.
        var epochCPUSeconds: [Double]
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func run(data: String, workers: Int, batch: Int, epochs: Int) throws -> Result {
        // Headers only, like the reference (which decodes nothing before its epochs).
        let index = try DatasetIndex.build(paths: [data], filter: FilterOptions(maxAudioLength: 30, verifyAudio: false),
                                           workers: workers, log: { _ in })
        let extractor = try LogMelExtractor(melBins: 80)
        let loader = DataLoader(index: index, options: LoaderOptions(batchSize: batch, seed: 0, workers: workers)) {
            try extractor.padded($0.waveform)
        }
        var result = Result(samples: 0, epochSeconds: [], epochCPUSeconds: [])
        for epoch in 0..<epochs {
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
            var samples = 0
            for batch in loader.batches(epoch: epoch) {
                guard batch.failures.isEmpty else { throw TorchError("loader bench: \(batch.failures)") }
                let stacked = try Tensor.stack(batch.items)
                guard stacked.shape.dropFirst() == [80, 3000] else { throw TorchError("loader bench: shape \(stacked.shape)") }
                samples += stacked.size(0)
            }
            result.epochSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            result.epochCPUSeconds.append(cpuSeconds() - cpuStart)
            result.samples = samples
        }
        return result
    }
}
