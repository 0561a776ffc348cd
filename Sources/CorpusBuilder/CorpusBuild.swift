import Foundation
import SkyCorpus

/// Builds `output/<source>/<split>/*.parquet` for the given sources plus `output/README.md`.
/// Re-running keeps every shard whose done-marker matches its plan; an interrupted run leaves
/// only hidden temporaries, which the next run removes before it redoes the unfinished shards.
public struct CorpusBuild: Sendable {
    public struct Options: Sendable {
        public var clipsPerShard = 500
        public var jobs = 1
        /// The command line recorded in the dataset card.
        public var commandLine = "steermoe corpus build"
        public init() {}
    }

    public struct SourceResult: Sendable {
        public let name: String
        public let description: SourceDescription
        public let totals: [CorpusSplit: ShardTotals]
        public let shardsBuilt: Int
        public let shardsKept: Int
    }

    public let output: URL
    public let sources: [CorpusSource]
    public let splitter: LineSplitter
    public let seed: UInt64
    public let options: Options

    public init(output: URL, sources: [CorpusSource], splitter: LineSplitter = LineSplitter(), seed: UInt64,
                options: Options = Options()) {
        self.output = output
        self.sources = sources
        self.splitter = splitter
        self.seed = seed
        self.options = options
    }

    @discardableResult
    public func run(progress: @escaping @Sendable (String) -> Void = { print($0) }) throws -> [SourceResult] {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let lock = try BuildLock(folder: output)
        defer { lock.release() }

        var planned: [(source: CorpusSource, shards: [PlannedShard])] = []
        for source in sources {
            let utterances = try source.utterances(splitter: splitter)
            let shards = ShardPlan.shards(source: source.name, utterances: utterances,
                                          clipsPerShard: options.clipsPerShard, seed: seed)
            try removeStaleFiles(source: source.name, keeping: shards)
            progress("\(source.name): \(utterances.count) clips in \(shards.count) shards")
            planned.append((source, shards))
        }

        let tasks = planned.flatMap { entry in entry.shards.map { (entry.source, $0) } }
        let outcomes = try WorkerPool.map(tasks.count, workers: options.jobs) { i -> (ShardTotals, Bool) in
            let (source, shard) = tasks[i]
            let start = Date()
            let (totals, built) = try ShardBuilder.build(shard, source: source, output: output)
            progress(String(format: "%@/%@: %@ %d clips, %.3f h (%@)", source.name, shard.split.rawValue,
                            shard.fileName, totals.clips, totals.hours,
                            built ? String(format: "built in %.1f s", Date().timeIntervalSince(start)) : "kept"))
            return (totals, built)
        }
        try? FileManager.default.removeItem(at: output.appendingPathComponent(".scratch"))

        var results: [SourceResult] = []
        var offset = 0
        for (source, shards) in planned {
            var totals: [CorpusSplit: ShardTotals] = [:]
            var built = 0
            for (shard, outcome) in zip(shards, outcomes[offset..<(offset + shards.count)]) {
                totals[shard.split, default: ShardTotals()] = totals[shard.split, default: ShardTotals()] + outcome.0
                if outcome.1 { built += 1 }
            }
            offset += shards.count
            results.append(SourceResult(name: source.name, description: source.description, totals: totals,
                                        shardsBuilt: built, shardsKept: shards.count - built))
        }
        let card = DatasetCard(results: results, seed: seed, splitter: splitter, commandLine: options.commandLine)
        try AtomicFile.write(Data(card.markdown.utf8), to: output.appendingPathComponent("README.md"))
        return results
    }

    /// Deletes what a previous plan or an interrupted run left in this source's split folders:
    /// shards and markers not in the current plan, and hidden temporaries.
    func removeStaleFiles(source: String, keeping shards: [PlannedShard]) throws {
        let fm = FileManager.default
        let keep = Set(shards.flatMap { ["\($0.folder)/\($0.fileName)", "\($0.folder)/\($0.markerName)"] })
        for split in CorpusSplit.allCases {
            let folder = "\(source)/\(split.rawValue)"
            let url = output.appendingPathComponent(folder)
            guard let names = try? fm.contentsOfDirectory(atPath: url.path) else { continue }
            for name in names where !keep.contains("\(folder)/\(name)") {
                let isOurs = name.hasSuffix(".parquet") || name.hasSuffix(".done") || name.hasSuffix(".partial")
                    || name.contains(".parquet.tmp-")
                if isOurs { try fm.removeItem(at: url.appendingPathComponent(name)) }
            }
            if (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true { try fm.removeItem(at: url) }
        }
    }
}

/// An exclusive lock on the output folder (flock), so two builds never write the same shards.
final class BuildLock {
    private let fd: Int32
    private let path: String

    init(folder: URL) throws {
        path = folder.appendingPathComponent(".build.lock").path
        fd = open(path, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw CorpusBuildError.fileSystem(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw CorpusBuildError.fileSystem(path: path, reason: "another corpus build is running in this folder")
        }
    }

    /// Removes the lock file (so finished outputs hold only data) and unlocks.
    func release() {
        unlink(path)
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Runs `count` tasks on `workers` threads; results in task order; the first error wins.
enum WorkerPool {
    static func map<T: Sendable>(_ count: Int, workers: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let state = WorkerPoolState<T>(count)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(workers, count)) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while true {
                    let i: Int? = state.lock.withLock {
                        guard state.error == nil, state.next < count else { return nil }
                        defer { state.next += 1 }
                        return state.next
                    }
                    guard let i else { return }
                    do {
                        let value = try body(i)
                        state.lock.withLock { state.results[i] = value }
                    } catch {
                        state.lock.withLock { if state.error == nil { state.error = error } }
                    }
                }
            }
        }
        group.wait()
        if let error = state.error { throw error }
        return state.results.map { $0! }
    }
}

private final class WorkerPoolState<T>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var results: [T?]
    var error: Error?
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}
