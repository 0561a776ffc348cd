import Foundation
import SteerMoE
import Torch

/// scripts/bench/transcribe: SteerMoE inference on the train-step bench models (scripts/bench/
/// train-step prepares them): steering encoder, projection, then generation after
/// [audio, prompt], for the two 8 s clips of batch.safetensors. The adapter is the reference's
/// (transcribe_reference.py --prepare writes it), so both sides should generate the same tokens.
enum TranscribeBench {
    struct Result {
        var medianMs: Double
        var checksum: Int
        var firstTokens: [Int]
    }

    /// One result per beam count, all with the same loaded model; `newTokens` per row always (no eos).
    static func run(dir: String, adapter: String, beams: [Int], newTokens: Int, steps: Int, warmup: Int) throws
        -> [(beams: Int, result: Result)]
    {
        var options = SteerMoEOptions()
        options.numExperts = 8
        let model = try SteerMoEModel.build(whisperFolder: dir + "/whisper", llmFolder: dir + "/llm", options: options)
        // strict: every adapter parameter must be there; extra tensors would mean a different adapter.
        let loaded = try model.adapter.load(Safetensors.load(adapter), strict: true)
        guard loaded.unexpected.isEmpty else {
            throw TorchError("transcribe bench: \(adapter) holds tensors this adapter lacks: \(loaded.unexpected)")
        }
        let features = try Safetensors.load(dir + "/batch.safetensors")["features"]!
        // The prompt is the train-step batch's (ids 100..<112), shared with transcribe_reference.py.
        let prompt = Array(100..<112)
        return try beams.map { b in
            let generation = GenerationOptions(maxNewTokens: newTokens, numBeams: b, eosTokenIds: [], padTokenId: 0)
            var times: [Double] = []
            var out: [[Int]] = []
            for i in 0..<(warmup + steps) {
                let start = DispatchTime.now().uptimeNanoseconds
                out = try model.generate(features: features, promptIds: prompt, options: generation)
                if i >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
            }
            guard out.allSatisfy({ $0.count == newTokens }) else {
                throw TorchError("transcribe bench: generated \(out.map(\.count)) tokens per row, expected \(newTokens)")
            }
            let flat = out.flatMap { $0 }
            return (b, Result(medianMs: times.sorted()[times.count / 2], checksum: tokenChecksum(flat), firstTokens: Array(flat.prefix(8))))
        }
    }
}
