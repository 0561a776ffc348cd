import Foundation

/// One batch of transformed samples.
public struct Batch<Item: Sendable>: Sendable {
    public var epoch: Int
    /// Position in the epoch (resume with `batches(epoch:from: index + 1)`).
    public var index: Int
    public var items: [Item]
    /// Rows planned for this batch but dropped because decoding or the transform failed (each is
    /// in the skip report); only happens when the index was built without `verifyAudio`.
    public var failures: [RowFailure]
}

/// Decodes batches ahead of the consumer on worker threads. Batch contents and order depend only
/// on (index, options, epoch); `transform` (e.g. log-mel features) runs in the workers.
public final class DataLoader<Item: Sendable>: Sendable {
    public let index: DatasetIndex
    public let options: LoaderOptions
    /// Sample and epoch → item (the epoch lets training augmentation differ from epoch to epoch).
    let transform: @Sendable (Sample, Int) throws -> Item

    public convenience init(index: DatasetIndex, options: LoaderOptions, transform: @escaping @Sendable (Sample) throws -> Item) {
        self.init(index: index, options: options, epochTransform: { sample, _ in try transform(sample) })
    }

    public init(index: DatasetIndex, options: LoaderOptions, epochTransform: @escaping @Sendable (Sample, Int) throws -> Item) {
        self.index = index
        self.options = options
        self.transform = epochTransform
    }

    /// Entry numbers (into `index.entries`) of each batch of the epoch.
    public func plan(epoch: Int) -> [[Int]] {
        BatchPlan.make(entries: index.entries, options: options, epoch: epoch)
    }

    public func batchCount(epoch: Int) -> Int { plan(epoch: epoch).count }

    /// Batches of `epoch` starting at batch `start` (to resume after `start` batches were consumed).
    public func batches(epoch: Int, from start: Int = 0) -> LoaderIterator<Item> {
        LoaderIterator(pipeline: Pipeline(loader: self, epoch: epoch, plan: plan(epoch: epoch), start: start))
    }

    /// Decodes and transforms the rows of one batch, skipping (and reporting) rows that fail.
    func assemble(_ entries: [Int], epoch: Int, cache: ChunkCache) -> (items: [Item], failures: [RowFailure]) {
        var items: [Item] = []
        var failures: [RowFailure] = []
        for entryNumber in entries {
            let entry = index.entries[entryNumber]
            let shard = index.shards[Int(entry.file)]
            var source = shard.file.path
            var row = shard.chunkStarts[Int(entry.chunk)] + Int(entry.rowInChunk)
            do {
                let rows = try cache.rows(ChunkCache.Key(file: entry.file, chunk: entry.chunk)) {
                    try shard.rows(chunk: Int(entry.chunk))
                }
                let raw = rows[Int(entry.rowInChunk)]
                (source, row) = (raw.file, raw.row)
                var sample = try SampleDecoding.decode(raw)
                sample.copy = index.copyNumbers[Int(entry.file)]
                items.append(try transform(sample, epoch))
            } catch {
                let failure = error as? RowFailure ?? RowFailure(.undecodable, "transform: \(error)")
                failures.append(failure)
                index.skipReport?.record(source: source, row: row, failure: failure)
            }
        }
        return (items, failures)
    }
}

/// Iterates the batches of one epoch in plan order. Workers stop when it is released or `cancel()`ed.
public final class LoaderIterator<Item: Sendable>: IteratorProtocol, Sequence {
    private let pipeline: Pipeline<Item>

    init(pipeline: Pipeline<Item>) {
        self.pipeline = pipeline
        pipeline.startWorkers()
    }

    deinit { pipeline.cancel() }

    public func next() -> Batch<Item>? { pipeline.next() }
    public func cancel() { pipeline.cancel() }
}

/// Shared state between the consumer and the worker threads: workers claim batch numbers in
/// order, at most `prefetchBatches` ahead of the consumer; finished batches wait in `ready`
/// until the consumer reaches them, so output order never depends on thread timing.
final class Pipeline<Item: Sendable>: @unchecked Sendable {
    private let loader: DataLoader<Item>
    private let epoch: Int
    private let plan: [[Int]]
    private let cache: ChunkCache
    private let condition = NSCondition()
    private var nextToClaim: Int
    private var nextToYield: Int
    private var ready: [Int: Batch<Item>] = [:]
    private var cancelled = false

    init(loader: DataLoader<Item>, epoch: Int, plan: [[Int]], start: Int) {
        self.loader = loader
        self.epoch = epoch
        self.plan = plan
        nextToClaim = max(0, start)
        nextToYield = max(0, start)
        let options = loader.options
        // Chunks in flight: the current window plus what each worker may be starting on.
        cache = ChunkCache(capacity: options.chunkWindow + options.workers + 1)
    }

    func startWorkers() {
        for n in 0..<loader.options.workers {
            let thread = Thread { [self] in work() }
            thread.name = "speechdata-loader-\(n)"
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while !cancelled && nextToClaim < plan.count && nextToClaim >= nextToYield + loader.options.prefetchBatches {
                condition.wait()
            }
            if cancelled || nextToClaim >= plan.count {
                condition.unlock()
                return
            }
            let number = nextToClaim
            nextToClaim += 1
            condition.unlock()

            let (items, failures) = loader.assemble(plan[number], epoch: epoch, cache: cache)
            condition.lock()
            ready[number] = Batch(epoch: epoch, index: number, items: items, failures: failures)
            condition.broadcast()
            condition.unlock()
        }
    }

    func next() -> Batch<Item>? {
        condition.lock()
        defer { condition.unlock() }
        guard !cancelled, nextToYield < plan.count else { return nil }
        while ready[nextToYield] == nil && !cancelled { condition.wait() }
        if cancelled { return nil }
        let batch = ready.removeValue(forKey: nextToYield)
        nextToYield += 1
        condition.broadcast()
        return batch
    }

    func cancel() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
