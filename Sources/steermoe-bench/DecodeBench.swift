import Foundation
import SteerMoE
import Torch

/// Greedy decoding of scripts/bench/decode: the same model folder, prompt, thread count and token
/// count as scripts/bench/decode_reference.py (which times transformers' `generate`).
enum DecodeBench {
    struct Result {
        var medianMs: Double
        var tokensPerSecond: Double
        var checksum: Int
        var firstTokens: [Int]
    }

    /// One result per batch size, all with the same loaded model.
    static func run(model path: String, batches: [Int], promptLength: Int, newTokens: Int, steps: Int, warmup: Int) throws
        -> [(batch: Int, result: Result)]
    {
        let lm = try DecoderLM.load(folder: path)
        return try batches.map { ($0, try run(lm, batch: $0, promptLength: promptLength, newTokens: newTokens, steps: steps, warmup: warmup)) }
    }

    static func run(_ lm: DecoderLM, batch: Int, promptLength: Int, newTokens: Int, steps: Int, warmup: Int) throws -> Result {
        let vocab = lm.vocabSize
        // The prompt formula is shared with decode_reference.py.
        let rows = (0..<batch).map { r in (0..<promptLength).map { i in (r * 131 + i * 7919 + 13) % (vocab - 100) + 100 } }
        let ids = try Tensor(rows: rows)
        let mask = try ids.onesLike()
        // No eos: every call generates exactly `newTokens` per row, as min_new_tokens does there.
        let options = GenerationOptions(maxNewTokens: newTokens, eosTokenIds: [], padTokenId: 0)
        var times: [Double] = []
        var out = ids
        for i in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds
            out = try generate(model: lm, inputIds: ids, attentionMask: mask, options: options)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if i >= warmup { times.append(elapsed) }
        }
        let new = try out.slice(dim: 1, start: promptLength)
        guard new.size(1) == newTokens else { throw TorchError("decode bench: generated \(new.size(1)) tokens, expected \(newTokens)") }
        let flat = try new.ints()
        let checksum = tokenChecksum(flat)
        let median = times.sorted()[times.count / 2]
        return Result(medianMs: median, tokensPerSecond: Double(batch * newTokens) / median * 1e3,
                      checksum: checksum, firstTokens: Array(flat.prefix(8)))
    }
}

/// The generated tokens' checksum that the Python references print too: sum of (position + 1) × token,
/// modulo 1000003, over the tokens in row order.
func tokenChecksum(_ tokens: [Int]) -> Int {
    tokens.enumerated().reduce(0) { ($0 + ($1.offset + 1) * $1.element) % 1000003 }
}
