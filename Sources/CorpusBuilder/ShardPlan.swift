import SkyCorpus

/// One parquet file to build: a run of a source's utterances within one split.
public struct PlannedShard: Sendable {
    public let source: String
    public let split: CorpusSplit
    public let index: Int
    public let count: Int
    public let utterances: [Utterance]
    /// Seed for the renderer (synthesis noise); fixed by the build seed and the shard's place.
    public let seed: UInt64

    /// Hub naming: `train-00000-of-00006.parquet`.
    public var fileName: String { "\(split.rawValue)-\(Self.fiveDigits(index))-of-\(Self.fiveDigits(count)).parquet" }
    /// Relative folder under the output: `<source>/<split>`.
    public var folder: String { "\(source)/\(split.rawValue)" }
    /// Hidden marker written after the shard; holds the fingerprint and the shard's totals.
    public var markerName: String { ".\(fileName).done" }

    /// Changes whenever anything that decides the shard's bytes changes (rows, recipes, seed,
    /// output format), so a stale shard from another plan is never kept.
    public var fingerprint: String {
        var h = StableHash()
        h.add("format:\(ShardPlan.formatVersion)")
        h.add(source)
        h.add(fileName)
        h.add(seed)
        for u in utterances {
            h.add(u.id); h.add(u.text); h.add(u.textRaw); h.add(u.speaker); h.add(u.recipe.fingerprint)
        }
        return h.hex
    }

    static func fiveDigits(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }
}

/// Cuts each split of a source into shards of at most `clipsPerShard` rows, in plan order.
public enum ShardPlan {
    /// Bumped when the parquet layout or audio encoding changes, to rebuild every shard.
    /// 2: the "huggingface" metadata lists the features in column order (SpeechData writer).
    public static let formatVersion = 2

    public static func shards(source: String, utterances: [Utterance], clipsPerShard: Int, seed: UInt64) -> [PlannedShard] {
        precondition(clipsPerShard > 0)
        var result: [PlannedShard] = []
        for split in CorpusSplit.allCases {
            let rows = utterances.filter { $0.split == split }
            let count = (rows.count + clipsPerShard - 1) / clipsPerShard
            for index in 0..<count {
                let slice = Array(rows[(index * clipsPerShard)..<min(rows.count, (index + 1) * clipsPerShard)])
                let shardSeed = StableHash.of("shard", String(seed), source, split.rawValue, String(index))
                result.append(PlannedShard(source: source, split: split, index: index, count: count,
                                           utterances: slice, seed: shardSeed))
            }
        }
        return result
    }
}
