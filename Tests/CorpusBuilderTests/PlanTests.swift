import SkyCorpus
import SpeechData
import XCTest
@testable import CorpusBuilder

/// Shard planning: hub names, fingerprints that follow content, seeds fixed by place.
final class PlanTests: XCTestCase {
    func utterance(_ i: Int, _ text: String, split: CorpusSplit) -> Utterance {
        Utterance(id: "u\(i)", text: text, textRaw: text, speaker: "s", split: split,
                  recipe: .synthesis(SynthesisRequest(voice: "v", spokenText: text + ".", lengthScaleMillis: 1000)))
    }

    func testShardsFollowSplitsAndHubNames() {
        let rows = (0..<7).map { utterance($0, "t\($0)", split: $0 < 5 ? .train : .test) }
        let shards = ShardPlan.shards(source: "x", utterances: rows, clipsPerShard: 2, seed: 0)
        XCTAssertEqual(shards.map(\.fileName), ["train-00000-of-00003.parquet", "train-00001-of-00003.parquet",
                                                "train-00002-of-00003.parquet", "test-00000-of-00001.parquet"])
        XCTAssertEqual(shards.map { $0.utterances.map(\.id) }, [["u0", "u1"], ["u2", "u3"], ["u4"], ["u5", "u6"]])
        XCTAssertEqual(shards[0].folder, "x/train")
        XCTAssertEqual(shards[0].markerName, ".train-00000-of-00003.parquet.done")
    }

    func testFingerprintAndSeedChangeWithContentOnly() {
        let rows = (0..<4).map { utterance($0, "t\($0)", split: .train) }
        let a = ShardPlan.shards(source: "x", utterances: rows, clipsPerShard: 2, seed: 1)
        let b = ShardPlan.shards(source: "x", utterances: rows, clipsPerShard: 2, seed: 1)
        XCTAssertEqual(a.map(\.fingerprint), b.map(\.fingerprint))
        XCTAssertEqual(a.map(\.seed), b.map(\.seed))
        XCTAssertNotEqual(a[0].seed, a[1].seed)
        let otherSeed = ShardPlan.shards(source: "x", utterances: rows, clipsPerShard: 2, seed: 2)
        XCTAssertNotEqual(a[0].fingerprint, otherSeed[0].fingerprint)
        var changed = rows
        changed[3] = utterance(3, "different", split: .train)
        let c = ShardPlan.shards(source: "x", utterances: changed, clipsPerShard: 2, seed: 1)
        XCTAssertEqual(a[0].fingerprint, c[0].fingerprint, "the first shard's rows did not change")
        XCTAssertNotEqual(a[1].fingerprint, c[1].fingerprint)
    }

    func testSplitMixIsFixedAndShuffleIsAPermutation() {
        var g = SplitMix64(seed: 0)
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(g.next(), 0x6E78_9E6A_A1B9_65F4)
        var items = Array(0..<50)
        var h = SplitMix64(seed: 7)
        h.shuffle(&items)
        XCTAssertEqual(items.sorted(), Array(0..<50))
        XCTAssertNotEqual(items, Array(0..<50))
    }
}
