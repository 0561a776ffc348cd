import Foundation
import SkyCorpus
import SpeechData

/// A TTS engine that turns sentences into audio, shard by shard.
public protocol SpeechSynthesizer: Sendable {
    /// Voice names this engine draws from, one per clip (the `speaker` column is
    /// "<source>_<voice>").
    var voices: [String] { get }
    /// Average characters of spoken text per second at length scale 1, to plan `--hours`.
    var charactersPerSecond: Double { get }
    var description: SourceDescription { get }
    func synthesize(_ requests: [SynthesisRequest], ids: [String], seed: UInt64, scratch: URL) throws -> [RenderedAudio]
}

/// Synthetic speech: sentences from the pool in a seeded random order, each with a seeded
/// voice and speaking rate, until the estimated duration reaches the hour budget. Raising
/// `hours` keeps the earlier sentences and settings (the plan is a prefix of one sequence).
public struct SyntheticSource: CorpusSource {
    public let name: String
    public let synthesizer: SpeechSynthesizer
    public let pool: [PoolSentence]
    public let hours: Double
    public let seed: UInt64
    /// Speaking-rate factors drawn uniformly from this range, in thousandths.
    public static let lengthScaleMillis = 900...1150

    public init(name: String, synthesizer: SpeechSynthesizer, pool: [PoolSentence], hours: Double, seed: UInt64) {
        self.name = name
        self.synthesizer = synthesizer
        self.pool = pool
        self.hours = hours
        self.seed = seed
    }

    public var description: SourceDescription { synthesizer.description }

    public func utterances(splitter: LineSplitter) throws -> [Utterance] {
        var order = Array(pool.indices)
        var rng = SplitMix64(seed: StableHash.of("synthetic", String(seed), name))
        rng.shuffle(&order)
        let budget = hours * 3600
        var planned = 0.0
        var result: [Utterance] = []
        for (n, index) in order.enumerated() {
            let sentence = pool[index]
            let range = Self.lengthScaleMillis
            let millis = range.lowerBound + rng.next(below: range.count)
            let voice = synthesizer.voices[rng.next(below: synthesizer.voices.count)]
            let estimate = Double(sentence.spoken.count) / synthesizer.charactersPerSecond * Double(millis) / 1000
            if planned + estimate > budget { break }
            planned += estimate
            let number = String(n)
            result.append(Utterance(
                id: "\(name)-" + String(repeating: "0", count: max(0, 6 - number.count)) + number,
                text: sentence.text, textRaw: sentence.raw, speaker: "\(name)_\(voice)", split: splitter.split(sentence.text),
                recipe: .synthesis(SynthesisRequest(voice: voice, spokenText: sentence.spoken, lengthScaleMillis: millis))))
        }
        return result
    }

    public func render(_ batch: [Utterance], shardSeed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        let requests = try batch.map { utterance -> SynthesisRequest in
            guard case let .synthesis(request) = utterance.recipe else {
                throw CorpusBuildError.renderFailed(source: name, id: utterance.id, reason: "not a synthesis request")
            }
            return request
        }
        return try synthesizer.synthesize(requests, ids: batch.map(\.id), seed: shardSeed, scratch: scratch)
    }
}
