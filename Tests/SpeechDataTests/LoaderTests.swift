import Foundation
import XCTest
@testable import SpeechData

final class LoaderPlanTests: XCTestCase {
    /// 10 files x 5 chunks x 7 rows with varied durations; no data behind it (plans only).
    private func syntheticIndex() -> DatasetIndex {
        var entries: [IndexEntry] = []
        for file in 0..<10 {
            for chunk in 0..<5 {
                for row in 0..<7 {
                    let duration = Float((file * 31 + chunk * 17 + row * 13) % 29) + 0.5
                    entries.append(IndexEntry(file: Int32(file), chunk: Int32(chunk), rowInChunk: Int32(row),
                                              duration: duration, textCharacters: 10))
                }
            }
        }
        return DatasetIndex(files: [], shards: [], entries: entries, counts: FilterCounts(), skipReport: nil)
    }

    func testXoshiroMatchesReferenceAlgorithm() {
        // First outputs of xoshiro256** seeded by SplitMix64(12345), from a Python transcription
        // of the reference C code (Vigna).
        var rng = Xoshiro256(seed: 12345)
        XCTAssertEqual([rng.next(), rng.next(), rng.next()],
                       [13_720_838_825_685_603_483, 2_398_916_695_208_396_998, 17_770_384_849_984_869_256])
        var bounded = Xoshiro256(seed: 1)
        XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<7).contains(bounded.below(7)) })
    }

    func testPlanIsAPermutationDeterminedBySeedAndEpoch() {
        let index = syntheticIndex()
        let options = LoaderOptions(batchSize: 8, seed: 7)
        let loader = DataLoader(index: index, options: options) { $0.row }
        let epoch0 = loader.plan(epoch: 0)
        XCTAssertEqual(epoch0, loader.plan(epoch: 0))
        XCTAssertEqual(epoch0, DataLoader(index: index, options: options) { $0.row }.plan(epoch: 0))
        XCTAssertNotEqual(epoch0, loader.plan(epoch: 1))
        var otherSeed = options
        otherSeed.seed = 8
        XCTAssertNotEqual(epoch0, DataLoader(index: index, options: otherSeed) { $0.row }.plan(epoch: 0))

        XCTAssertEqual(epoch0.flatMap { $0 }.sorted(), Array(0..<350))  // every row exactly once
        XCTAssertEqual(epoch0.count, 44)  // 350 = 43 x 8 + 6
        XCTAssertEqual(epoch0.last?.count, 6)
        XCTAssertNotEqual(epoch0.flatMap { $0 }, Array(0..<350))  // actually shuffled
    }

    func testDropLastAndNoShuffle() {
        let index = syntheticIndex()
        let dropping = DataLoader(index: index, options: LoaderOptions(batchSize: 8, dropLast: true)) { $0.row }
        XCTAssertEqual(dropping.batchCount(epoch: 3), 43)
        XCTAssertTrue(dropping.plan(epoch: 3).allSatisfy { $0.count == 8 })
        let ordered = DataLoader(index: index, options: LoaderOptions(batchSize: 8, shuffle: false)) { $0.row }
        XCTAssertEqual(ordered.plan(epoch: 0).flatMap { $0 }, Array(0..<350))
    }

    func testRanksSplitTheSameEpochWithoutOverlap() {
        let index = syntheticIndex()
        let whole = DataLoader(index: index, options: LoaderOptions(batchSize: 8, seed: 9)) { $0.row }.plan(epoch: 4)
        let parts = (0..<3).map { rank in
            DataLoader(index: index, options: LoaderOptions(batchSize: 8, seed: 9, rank: rank, worldSize: 3)) { $0.row }.plan(epoch: 4)
        }
        XCTAssertEqual(parts.map(\.count), [14, 14, 14])  // 44 batches: 2 left over
        XCTAssertEqual(Set(parts.flatMap { $0.flatMap { $0 } }).count, 42 * 8)
        XCTAssertEqual(parts[1][0], whole[1])
        XCTAssertEqual(parts[2][13], whole[41])
    }

    func testShuffleStaysWithinChunkWindows() {
        // With a window of 1 chunk, each batch (except window-crossing ones) draws from one chunk.
        let index = syntheticIndex()
        let loader = DataLoader(index: index, options: LoaderOptions(batchSize: 7, seed: 3, chunkWindow: 1)) { $0.row }
        for batch in loader.plan(epoch: 0) {
            let chunks = Set(batch.map { "\(index.entries[$0].file)/\(index.entries[$0].chunk)" })
            XCTAssertEqual(chunks.count, 1)
        }
    }

    func testLengthBucketingGroupsSimilarDurations() {
        let index = syntheticIndex()
        let options = LoaderOptions(batchSize: 10, seed: 1, dropLast: true, chunkWindow: 50, lengthBucketing: true)
        let plan = DataLoader(index: index, options: options) { $0.row }.plan(epoch: 0)
        let ranges = plan.map { batch -> ClosedRange<Float> in
            let d = batch.map { index.entries[$0].duration }
            return d.min()!...d.max()!
        }
        // One window holds everything: batches are consecutive runs of the sorted durations,
        // so their ranges never strictly overlap, and batch order is shuffled.
        for (i, a) in ranges.enumerated() {
            for b in ranges[(i + 1)...] {
                XCTAssertTrue(a.upperBound <= b.lowerBound || b.upperBound <= a.lowerBound, "\(a) vs \(b)")
            }
        }
        XCTAssertNotEqual(ranges.map(\.lowerBound), ranges.map(\.lowerBound).sorted())
    }
}

final class LoaderRunTests: XCTestCase {
    private func index(_ paths: [String], verify: Bool = true, report: SkipReport? = nil) throws -> DatasetIndex {
        try DatasetIndex.build(paths: paths.map(Fixture.path), filter: FilterOptions(verifyAudio: verify),
                               skipReport: report, log: { _ in })
    }

    func testWorkersProduceTheSameBatchesAsOneThread() throws {
        let data = try index(["parquet_nested", "parquet_arrays", "hf_disk", "manifest/train.jsonl"])
        func run(workers: Int) -> [[String]] {
            let loader = DataLoader(index: data, options: LoaderOptions(batchSize: 3, seed: 11, workers: workers,
                                                                        prefetchBatches: 2, chunkWindow: 2)) {
                "\($0.text)|\($0.waveform.count)"
            }
            return Array(loader.batches(epoch: 2)).map(\.items)
        }
        let single = run(workers: 1)
        XCTAssertEqual(single.flatMap { $0 }.count, data.entries.count)
        XCTAssertEqual(run(workers: 3), single)
    }

    /// A source listed twice contributes every row twice per epoch, the second listing marked as
    /// copy 1 (its own augmentation draws); the mixture line counts each listing.
    func testASourceListedTwiceWeighsTwiceAndMarksItsCopies() throws {
        let once = try index(["manifest/train.jsonl", "hf_disk"])
        var lines: [String] = []
        let twice = try DatasetIndex.build(paths: ["manifest/train.jsonl", "hf_disk", "manifest/train.jsonl"].map(Fixture.path),
                                           filter: FilterOptions(verifyAudio: true), log: { lines.append($0) })
        let manifestRows = try self.index(["manifest/train.jsonl"]).entries.count
        XCTAssertEqual(twice.entries.count, once.entries.count + manifestRows)
        XCTAssertEqual(twice.copyNumbers.first, 0)
        XCTAssertEqual(twice.copyNumbers.last, 1)
        XCTAssertTrue(twice.shards.first === twice.shards.last, "a file listed again is opened and measured once")
        let shares = twice.mixture
        XCTAssertEqual(shares.map(\.path), ["manifest/train.jsonl", "hf_disk", "manifest/train.jsonl"].map(Fixture.path))
        XCTAssertEqual(shares.map(\.rows), [manifestRows, once.entries.count - manifestRows, manifestRows])
        XCTAssertEqual(shares.map(\.share).reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertTrue(lines.contains { $0.contains("listed more than once") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("mixture: ") }, "\(lines)")

        let loader = DataLoader(index: twice, options: LoaderOptions(batchSize: 1, seed: 3)) { "\($0.source)#\($0.row)/\($0.copy)" }
        let items = Array(loader.batches(epoch: 0)).flatMap(\.items)
        let manifestItems = items.filter { $0.contains("#") && !$0.contains("hf_disk") }
        XCTAssertEqual(Set(manifestItems.filter { $0.hasSuffix("/0") }.map { $0.dropLast(2) }),
                       Set(manifestItems.filter { $0.hasSuffix("/1") }.map { $0.dropLast(2) }),
                       "each manifest row once per listing")
        XCTAssertEqual(manifestItems.filter { $0.hasSuffix("/1") }.count, manifestRows)
    }

    /// An epoch-aware transform sees the epoch of the batch it runs for (training augmentation).
    func testEpochTransformReceivesTheBatchEpoch() throws {
        let data = try self.index(["manifest/train.jsonl"])
        let loader = DataLoader(index: data, options: LoaderOptions(batchSize: 2, shuffle: false),
                                epochTransform: { (_: Sample, epoch: Int) in epoch })
        for epoch in [0, 3] {
            let epochs = loader.batches(epoch: epoch).flatMap { $0.items }
            XCTAssertFalse(epochs.isEmpty)
            XCTAssertEqual(Set(epochs), [epoch])
        }
    }

    func testResumeFromBatchIndex() throws {
        let data = try index(["parquet_nested", "parquet_arrays", "hf_disk"])
        let loader = DataLoader(index: data, options: LoaderOptions(batchSize: 2, seed: 5)) { "\($0.source)#\($0.row)" }
        let all = Array(loader.batches(epoch: 1))
        XCTAssertGreaterThan(all.count, 3)
        let resumed = Array(loader.batches(epoch: 1, from: 2))
        XCTAssertEqual(resumed.map(\.index), Array(2..<all.count))
        XCTAssertEqual(resumed.map(\.items), all.dropFirst(2).map(\.items))
    }

    func testSamplesThatFailLateAreSkippedReportedAndTheEpochContinues() throws {
        let reportPath = try temporaryDirectory() + "/skipped.jsonl"
        let report = try SkipReport(path: reportPath)
        // Header-only indexing lets the NaN row (valid float WAV header) through to the loader.
        let data = try index(["parquet_corrupt"], verify: false, report: report)
        let indexed = report.count
        let loader = DataLoader(index: data, options: LoaderOptions(batchSize: 2, shuffle: false)) { sample -> String in
            if sample.text == "good two" { throw SpeechDataError.audio(source: "transform", reason: "refused") }
            return sample.text
        }
        let batches = Array(loader.batches(epoch: 0))
        let items = batches.flatMap(\.items)
        let failures = batches.flatMap(\.failures)
        XCTAssertEqual(items, ["good"])
        XCTAssertTrue(failures.contains { $0.reason == .nonFiniteSamples }, "\(failures)")
        XCTAssertTrue(failures.contains { $0.detail.contains("refused") }, "\(failures)")
        XCTAssertEqual(report.count, indexed + failures.count)
        let text = try String(contentsOfFile: reportPath, encoding: .utf8)
        XCTAssertTrue(text.contains("\"reason\":\"non_finite_samples\",\"row\":3"), text)
    }

    func testCancelStopsEarly() throws {
        let data = try index(["parquet_nested", "hf_disk"])
        let iterator = DataLoader(index: data, options: LoaderOptions(batchSize: 1)) { $0.row }.batches(epoch: 0)
        XCTAssertNotNil(iterator.next())
        iterator.cancel()
        XCTAssertNil(iterator.next())
    }
}

final class ChunkCacheTests: XCTestCase {
    private final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var loads: [Int32: Int] = [:]
        func bump(_ key: Int32) { lock.withLock { loads[key, default: 0] += 1 } }
    }

    private static func load(_ cache: ChunkCache, _ chunk: Int32, _ counter: Counter, delay: Double = 0) -> Int? {
        let rows = try? cache.rows(ChunkCache.Key(file: 0, chunk: chunk)) {
            counter.bump(chunk)
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            return [RawRow(file: "f", row: Int(chunk), audio: .none)]
        }
        return rows?.first?.row
    }

    func testConcurrentRequestsForAChunkLoadItOnce() {
        let cache = ChunkCache(capacity: 3)
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            XCTAssertEqual(Self.load(cache, Int32(i % 2), counter, delay: 0.02), i % 2)
        }
        XCTAssertEqual(counter.loads, [0: 1, 1: 1])
    }

    func testLeastRecentlyUsedChunkIsEvictedAtCapacity() {
        let cache = ChunkCache(capacity: 3)
        let counter = Counter()
        for chunk in Int32(0)..<3 { _ = Self.load(cache, chunk, counter) }
        _ = Self.load(cache, 0, counter)  // 0 becomes most recent: 1 is now the oldest
        _ = Self.load(cache, 3, counter)  // evicts 1
        XCTAssertEqual(cache.heldCount, 3)
        _ = Self.load(cache, 0, counter)
        _ = Self.load(cache, 1, counter)
        XCTAssertEqual(counter.loads, [0: 1, 1: 2, 2: 1, 3: 1])
    }

    func testLoadFailureBecomesARowFailure() {
        let cache = ChunkCache(capacity: 2)
        struct Broken: Error {}
        XCTAssertThrowsError(try cache.rows(ChunkCache.Key(file: 1, chunk: 1)) { throw Broken() }) { error in
            XCTAssertEqual((error as? RowFailure)?.reason, .unreadableChunk)
        }
    }
}
