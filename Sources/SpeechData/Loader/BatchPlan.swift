/// Options of the batch loader.
public struct LoaderOptions: Sendable {
    public var batchSize: Int
    public var seed: UInt64
    public var shuffle: Bool
    /// Drop the epoch's final partial batch.
    public var dropLast: Bool
    /// Decoding threads.
    public var workers: Int
    /// Batches decoded ahead of the consumer (bounds memory together with chunkWindow).
    public var prefetchBatches: Int
    /// Chunks (row groups) whose rows are shuffled together. Rows come in chunk order: a larger
    /// window mixes more, and keeps about this many chunks of encoded audio in memory.
    public var chunkWindow: Int
    /// Sort each window by duration and batch neighbours together (less padding), then shuffle
    /// the batches of the window.
    public var lengthBucketing: Bool
    /// Data-parallel training: this process takes every `worldSize`-th batch starting at `rank`;
    /// every rank gets the same number of batches (the remainder is dropped).
    public var rank: Int
    public var worldSize: Int

    public init(batchSize: Int, seed: UInt64 = 0, shuffle: Bool = true, dropLast: Bool = false, workers: Int = 2,
                prefetchBatches: Int = 4, chunkWindow: Int = 8, lengthBucketing: Bool = false,
                rank: Int = 0, worldSize: Int = 1) {
        precondition(batchSize > 0 && workers > 0 && prefetchBatches > 0 && chunkWindow > 0, "loader options must be positive")
        precondition(worldSize > 0 && (0..<worldSize).contains(rank), "rank \(rank) outside world of \(worldSize)")
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.workers = workers
        self.prefetchBatches = prefetchBatches
        self.chunkWindow = chunkWindow
        self.lengthBucketing = lengthBucketing
        self.rank = rank
        self.worldSize = worldSize
    }
}

/// The epoch's batches as lists of index entry numbers: a pure function of (entries, options,
/// epoch), which is what makes the loader deterministic and resumable at any batch.
enum BatchPlan {
    static func make(entries: [IndexEntry], options: LoaderOptions, epoch: Int) -> [[Int]] {
        var rng = Xoshiro256(seed: options.seed, epoch: epoch)
        // Entries are stored in (file, chunk) order: cut them into their chunks.
        var chunks: [[Int]] = []
        for (i, entry) in entries.enumerated() {
            if i > 0, entries[i - 1].file == entry.file, entries[i - 1].chunk == entry.chunk {
                chunks[chunks.count - 1].append(i)
            } else {
                chunks.append([i])
            }
        }
        if options.shuffle { rng.shuffle(&chunks) }

        let size = options.batchSize
        var batches: [[Int]] = []
        var carry: [Int] = []  // rows left over from the previous window (fewer than a batch)
        for start in stride(from: 0, to: chunks.count, by: options.chunkWindow) {
            var pool = carry + chunks[start..<min(start + options.chunkWindow, chunks.count)].joined()
            if options.lengthBucketing {
                pool.sort { (entries[$0].duration, $0) < (entries[$1].duration, $1) }
            } else if options.shuffle {
                rng.shuffle(&pool)
            }
            let full = pool.count / size * size
            var window = stride(from: 0, to: full, by: size).map { Array(pool[$0..<$0 + size]) }
            carry = Array(pool[full...])
            if options.lengthBucketing && options.shuffle { rng.shuffle(&window) }
            batches += window
        }
        if !carry.isEmpty && !options.dropLast { batches.append(carry) }
        guard options.worldSize > 1 else { return batches }
        let perRank = batches.count / options.worldSize
        return (0..<perRank).map { batches[$0 * options.worldSize + options.rank] }
    }
}
