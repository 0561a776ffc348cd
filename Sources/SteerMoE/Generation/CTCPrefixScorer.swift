import Foundation
import Torch

/// CTC prefix scores of one utterance (Watanabe et al. 2017, "Hybrid CTC/attention", Algorithm 2;
/// ESPnet's `CTCPrefixScore`): the log-probability that the CTC output *starts with* a prefix g,
/// updated token by token in O(T) per candidate, plus the log-probability that it is exactly g.
///
/// Why: joint decoding (`JointCTCSearch.swift`) lets the audio-token CTC, which aligns to the
/// audio monotonically, veto LLM continuations that the audio does not support (fluent guesses,
/// words the clip does not contain, stopping too early or too late).
public struct CTCPrefixScorer {
    /// Frames (audio positions) T.
    let frames: Int
    /// log p(blank) per frame.
    private let blank: [Float]
    /// (T, C) float32 log-probabilities on the CPU, column 0 = blank.
    private let logProbs: Tensor
    /// Token id → column of `logProbs`, nil when the token is not a CTC class.
    private let columnOf: (Int) -> Int?

    /// The forward variables of a prefix g: rN[t] / rB[t] = log p(x_1..t gives g, path ends in
    /// a non-blank / blank); `score` = log p(output starts with g); `lastColumn` = g's last class.
    struct State {
        var rN: [Float]
        var rB: [Float]
        var score: Float
        var lastColumn: Int?
    }

    /// `logProbs` (T, C) log-softmaxed over the classes, class 0 = blank; `columnOf` maps token
    /// ids to their columns (≥ 1).
    init(logProbs: Tensor, columnOf: @escaping (Int) -> Int?) throws {
        guard logProbs.rank == 2, logProbs.size(0) >= 1, logProbs.size(1) >= 2 else {
            throw TorchError("CTCPrefixScorer: log-probs must be (T ≥ 1, C ≥ 2), got \(logProbs.shape)")
        }
        self.logProbs = try logProbs.to(.cpu).to(dtype: .float32).contiguous()
        frames = logProbs.size(0)
        blank = try self.logProbs.select(dim: 1, index: 0).contiguous().toArray(Float.self)
        self.columnOf = columnOf
    }

    /// The empty prefix: every path so far is blanks.
    func initial() -> State {
        var rB = [Float](repeating: 0, count: frames)
        var sum: Float = 0
        for t in 0..<frames { sum += blank[t]; rB[t] = sum }
        return State(rN: [Float](repeating: -.infinity, count: frames), rB: rB, score: 0, lastColumn: nil)
    }

    /// log p(the CTC output is exactly g).
    func final(_ state: State) -> Float { logAdd(state.rN[frames - 1], state.rB[frames - 1]) }

    /// The states of g + token for each of `tokens`; nil where a token is not a CTC class.
    func extend(_ state: State, with tokens: [Int]) throws -> [State?] {
        let columns = tokens.map(columnOf)
        let known = columns.compactMap { $0 }
        guard !known.isEmpty else { return columns.map { _ in nil } }
        // One gather for all candidates: (T, n) → row-major [t * n + k].
        let picked = try logProbs.indexSelect(dim: 1, index: Tensor(known.map(Int64.init))).contiguous().toArray(Float.self)
        let n = known.count
        var k = 0
        return columns.map { column -> State? in
            guard let column else { return nil }
            defer { k += 1 }
            return extend(state, column: column) { picked[$0 * n + k] }
        }
    }

    /// Algorithm 2 for one class `column` whose log-prob at frame t is `x(t)`.
    private func extend(_ g: State, column: Int, x: (Int) -> Float) -> State {
        var rN = [Float](repeating: -.infinity, count: frames)
        var rB = [Float](repeating: -.infinity, count: frames)
        // phi[t]: paths for g up to t after which c may start a new symbol (a repeated class needs a blank between).
        func phi(_ t: Int) -> Float { column == g.lastColumn ? g.rB[t] : logAdd(g.rB[t], g.rN[t]) }
        if g.lastColumn == nil { rN[0] = x(0) }  // only the empty prefix can emit c at the first frame
        var score = rN[0]
        for t in stride(from: 1, to: frames, by: 1) {
            let p = phi(t - 1)
            rN[t] = logAdd(rN[t - 1], p) + x(t)
            rB[t] = logAdd(rN[t - 1], rB[t - 1]) + blank[t]
            score = logAdd(score, p + x(t))
        }
        return State(rN: rN, rB: rB, score: score, lastColumn: column)
    }
}

/// log(e^a + e^b), exact at -inf.
@inline(__always)
func logAdd(_ a: Float, _ b: Float) -> Float {
    if a == -.infinity { return b }
    if b == -.infinity { return a }
    return max(a, b) + log1p(exp(-abs(a - b)))
}
