import Foundation

/// A kept row: where it lives and how long it is. The loader plans batches from these alone.
public struct IndexEntry: Sendable, Equatable {
    public var file: Int32
    public var chunk: Int32
    public var rowInChunk: Int32
    public var duration: Float
    /// Characters of the transcript (for inspect's histogram).
    public var textCharacters: Int32
}

/// The filtered rows of all configured sources, in source order. Building it reads every row
/// once (headers, or full decodes with `verifyAudio`), in parallel over chunks.
public final class DatasetIndex: Sendable {
    public let files: [DataFile]
    let shards: [ShardAccess]
    public let entries: [IndexEntry]
    public let counts: FilterCounts
    /// Where rejected rows were reported, if anywhere.
    public let skipReport: SkipReport?

    public var totalDuration: Double { entries.reduce(0) { $0 + Double($1.duration) } }

    /// - Parameters:
    ///   - paths: the `parquet_dirs` list (folders, .parquet/.arrow files, .jsonl manifests).
    ///   - textLength: measure for `filter.maxTextLength` (e.g. token count); nil disables that filter.
    ///   - skipReport: receives one line per rejected row (source file, row, reason).
    ///   - log: receives the kept/skipped summary line.
    public static func build(paths: [String], mapping: ColumnMapping = ColumnMapping(),
                             filter: FilterOptions = FilterOptions(),
                             textLength: (@Sendable (String) -> Int)? = nil,
                             skipReport: SkipReport? = nil, workers: Int = 2,
                             log: (String) -> Void = { print($0) }) throws -> DatasetIndex {
        let files = try SourceResolver.resolve(paths)
        let shards = try files.map { try ShardAccess(file: $0, mapping: mapping) }
        let tasks = shards.indices.flatMap { file in shards[file].chunkSizes.indices.map { (file, $0) } }

        let results = parallelMap(count: tasks.count, workers: workers) { task -> [Result<IndexEntry, RowFailureAt>] in
            let (file, chunk) = tasks[task]
            return indexChunk(shards[file], file: file, chunk: chunk, filter: filter, textLength: textLength)
        }

        // Merged in task order: entries, counts and the report are identical for any worker count.
        var entries: [IndexEntry] = []
        var counts = FilterCounts()
        for chunkResults in results {
            for result in chunkResults {
                switch result {
                case .success(let entry):
                    entries.append(entry)
                    counts.kept += 1
                case .failure(let failed):
                    counts.add(failed.failure.reason)
                    skipReport?.record(source: failed.source, row: failed.row, failure: failed.failure)
                }
            }
        }
        let hours = entries.reduce(0) { $0 + Double($1.duration) } / 3600
        log("data: \(files.count) files, \(counts), \(String(format: "%.2f", hours)) h kept"
            + (skipReport.map { " (skipped rows in \($0.path))" } ?? ""))
        return DatasetIndex(files: files, shards: shards, entries: entries, counts: counts, skipReport: skipReport)
    }

    init(files: [DataFile], shards: [ShardAccess], entries: [IndexEntry], counts: FilterCounts, skipReport: SkipReport?) {
        self.files = files
        self.shards = shards
        self.entries = entries
        self.counts = counts
        self.skipReport = skipReport
    }

    /// Schemas of the files, in order.
    public var schemas: [TableSchema] { shards.map(\.schema) }

    /// Decodes one kept row (reads its whole chunk: for inspection and tests, not training loops).
    public func sample(at index: Int) throws -> Sample {
        let entry = entries[index]
        let rows = try shards[Int(entry.file)].rows(chunk: Int(entry.chunk))
        do {
            return try SampleDecoding.decode(rows[Int(entry.rowInChunk)])
        } catch {
            throw SpeechDataError.audio(source: "\(files[Int(entry.file)]) row \(rows[Int(entry.rowInChunk)].row)",
                                        reason: error.description)
        }
    }

    private static func indexChunk(_ shard: ShardAccess, file: Int, chunk: Int, filter: FilterOptions,
                                   textLength: (@Sendable (String) -> Int)?) -> [Result<IndexEntry, RowFailureAt>] {
        let rows: [RawRow]
        do {
            rows = try shard.rows(chunk: chunk)
        } catch {
            let start = shard.chunkStarts[chunk]
            return (start..<start + shard.chunkSizes[chunk]).map {
                .failure(RowFailureAt(source: shard.file.path, row: $0, failure: RowFailure(.unreadableChunk, "\(error)")))
            }
        }
        return rows.enumerated().map { offset, raw in
            do throws(RowFailure) {
                let duration: Double
                let text: String
                if filter.verifyAudio {
                    let sample = try SampleDecoding.decode(raw)
                    (duration, text) = (sample.duration, sample.text)
                } else {
                    duration = try SampleDecoding.probeDuration(raw)
                    text = try SampleDecoding.checkText(raw)
                }
                if duration <= 0 { throw RowFailure(.emptyAudio, "duration \(duration) s") }
                if duration > filter.maxAudioLength {
                    throw RowFailure(.tooLong, String(format: "%.2f s > %.2f s", duration, filter.maxAudioLength))
                }
                if let limit = filter.maxTextLength, let textLength {
                    let length = textLength(text)
                    if length >= limit { throw RowFailure(.textTooLong, "text length \(length) >= \(limit)") }
                }
                return .success(IndexEntry(file: Int32(file), chunk: Int32(chunk), rowInChunk: Int32(offset),
                                           duration: Float(duration), textCharacters: Int32(text.count)))
            } catch {
                return .failure(RowFailureAt(source: raw.file, row: raw.row, failure: error))
            }
        }
    }
}

/// A failure with the row it happened on.
struct RowFailureAt: Error, Sendable {
    var source: String
    var row: Int
    var failure: RowFailure
}

/// Results slots shared by parallelMap's workers.
private final class ParallelResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var results: [T?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
}

/// Runs body for 0..<count on `workers` threads; results in index order.
func parallelMap<T: Sendable>(count: Int, workers: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let shared = ParallelResults<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
        while true {
            let task: Int = shared.lock.withLock {
                defer { shared.next += 1 }
                return shared.next
            }
            if task >= count { return }
            let result = body(task)
            shared.lock.withLock { shared.results[task] = result }
        }
    }
    return shared.results.map { $0! }
}
