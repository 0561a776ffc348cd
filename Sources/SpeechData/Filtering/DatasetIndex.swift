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
    /// The first few rejected rows, "FILE row N: reason: detail" (for messages without a report file).
    public let skippedExamples: [String]
    /// For each file, how many earlier files of the list have the same path: a source listed more
    /// than once contributes its rows once per listing (HF `concatenate_datasets` semantics), which
    /// is how a mixture weights one source up.
    public let copyNumbers: [Int]
    /// The `paths` list the index was built from, and for each file the entry of it that named the file.
    let sourcePaths: [String]
    let listing: [Int]

    public var totalDuration: Double { entries.reduce(0) { $0 + Double($1.duration) } }

    /// - Parameters:
    ///   - paths: the `parquet_dirs` list (folders, .parquet/.arrow files, .jsonl manifests).
    ///   - textLength: measure for `filter.maxTextLength` (e.g. token count); nil disables that filter.
    ///   - skipReport: receives one line per rejected row (source file, row, reason).
    ///   - cacheDirectory: keeps per-file measurements (durations, texts, failures) keyed by the
    ///     file's path, size, modification time, the column mapping and `verifyAudio`; unchanged
    ///     files are not read again. Length limits are applied after the cache, so they can change.
    ///   - log: receives the kept/skipped summary line.
    public static func build(paths: [String], mapping: ColumnMapping = ColumnMapping(),
                             filter: FilterOptions = FilterOptions(),
                             textLength: (@Sendable (String) -> Int)? = nil,
                             skipReport: SkipReport? = nil, cacheDirectory: String? = nil, workers: Int = 2,
                             log: (String) -> Void = { print($0) }) throws -> DatasetIndex {
        let perPath = try paths.map { try SourceResolver.resolve($0) }
        let files = perPath.flatMap { $0 }
        let listing = perPath.indices.flatMap { Array(repeating: $0, count: perPath[$0].count) }
        // A file listed again is opened, looked up and measured once: later listings share the first's.
        var firstListing: [String: Int] = [:]
        let first = files.indices.map { i -> Int in
            if let earlier = firstListing[files[i].path] { return earlier }
            firstListing[files[i].path] = i
            return i
        }
        var opened: [ShardAccess] = []
        for i in files.indices { opened.append(first[i] == i ? try ShardAccess(file: files[i], mapping: mapping) : opened[first[i]]) }
        let shards = opened
        let cache = try cacheDirectory.map { try IndexCache(directory: $0) }
        let keys = files.map { IndexCache.key(file: $0, mapping: mapping, verifyAudio: filter.verifyAudio) }
        var measures: [[RowMeasure]?] = files.indices.map { i in
            first[i] == i ? keys[i].flatMap { cache?.load(key: $0, expectedRows: shards[i].rowCount) } : nil
        }
        // Measure the chunks of files the cache did not have, in parallel.
        let tasks = shards.indices.filter { first[$0] == $0 && measures[$0] == nil }.flatMap { file in
            shards[file].chunkSizes.indices.map { (file, $0) }
        }
        let measured = parallelMap(count: tasks.count, workers: workers) { task in
            RowMeasure.measure(shards[tasks[task].0], chunk: tasks[task].1, verifyAudio: filter.verifyAudio)
        }
        var fresh: [Int: [RowMeasure]] = [:]
        for (task, rows) in zip(tasks, measured) { fresh[task.0, default: []].append(contentsOf: rows) }
        for (file, rows) in fresh { measures[file] = rows }
        let measuredFiles = Set(tasks.map(\.0))
        if let cache {
            for file in measuredFiles.sorted() {
                if let key = keys[file] { cache.store(key: key, measures: measures[file] ?? []) }
            }
        }
        let reusedFiles = files.count - measuredFiles.count
        for i in files.indices where first[i] != i { measures[i] = measures[first[i]] }

        // Merged in file order: entries, counts and the report are identical for any worker count.
        var entries: [IndexEntry] = []
        var counts = FilterCounts()
        var examples: [String] = []
        for (file, rows) in measures.enumerated() {
            for measure in rows ?? [] {
                switch measure.filtered(file: file, options: filter, textLength: textLength) {
                case .success(let entry):
                    entries.append(entry)
                    counts.kept += 1
                case .failure(let failure):
                    counts.add(failure.reason)
                    skipReport?.record(source: files[file].path, row: measure.row, failure: failure)
                    if examples.count < 3 { examples.append("\(files[file].path) row \(measure.row): \(failure)") }
                }
            }
        }
        let hours = entries.reduce(0) { $0 + Double($1.duration) } / 3600
        let repeated = files.count - Set(files.map(\.path)).count
        log("data: \(files.count) files, \(counts), \(String(format: "%.2f", hours)) h kept"
            + (cache != nil ? ", index cache reused for \(reusedFiles) of \(files.count) files" : "")
            + (repeated > 0 ? ", \(repeated) file(s) listed more than once (their rows count once per listing)" : "")
            + (skipReport.map { " (skipped rows in \($0.path))" } ?? ""))
        let index = DatasetIndex(files: files, shards: shards, entries: entries, counts: counts, skipReport: skipReport,
                                 skippedExamples: examples, sourcePaths: paths, listing: listing)
        if paths.count > 1 { log("mixture: " + index.mixture.map(\.description).joined(separator: "; ")) }
        return index
    }

    /// One listed source's share of the kept rows.
    public struct SourceShare: Sendable, CustomStringConvertible {
        public var path: String
        public var rows: Int
        public var hours: Double
        public var share: Double
        public var description: String {
            "\(path) \(rows) rows, \(String(format: "%.2f", hours)) h, \(String(format: "%.0f", share * 100))% of the rows"
        }
    }

    /// Kept rows and hours per entry of the `paths` list this index was built from, in order.
    public var mixture: [SourceShare] {
        var rows = Array(repeating: 0, count: sourcePaths.count), seconds = Array(repeating: 0.0, count: sourcePaths.count)
        for entry in entries {
            rows[listing[Int(entry.file)]] += 1
            seconds[listing[Int(entry.file)]] += Double(entry.duration)
        }
        let total = max(1, entries.count)
        return sourcePaths.indices.map {
            SourceShare(path: sourcePaths[$0], rows: rows[$0], hours: seconds[$0] / 3600, share: Double(rows[$0]) / Double(total))
        }
    }

    /// `sourcePaths`/`listing` default to each file being its own listed source.
    init(files: [DataFile], shards: [ShardAccess], entries: [IndexEntry], counts: FilterCounts, skipReport: SkipReport?,
         skippedExamples: [String] = [], sourcePaths: [String]? = nil, listing: [Int]? = nil) {
        self.files = files
        self.shards = shards
        self.entries = entries
        self.counts = counts
        self.skipReport = skipReport
        self.skippedExamples = skippedExamples
        self.sourcePaths = sourcePaths ?? files.map(\.path)
        self.listing = listing ?? Array(files.indices)
        var seen: [String: Int] = [:]
        self.copyNumbers = files.map { file in
            defer { seen[file.path, default: 0] += 1 }
            return seen[file.path, default: 0]
        }
    }

    /// Throws when the filters left no row: scoring or training on nothing would report
    /// WER 0% or stop at once instead of saying why. The message names the counts per
    /// reason, a few rejected rows and the skip report.
    public func requireRows(paths: [String]) throws {
        guard entries.isEmpty else { return }
        var summary = "\(counts)"
        if !skippedExamples.isEmpty { summary += "; e.g. " + skippedExamples.joined(separator: "; ") }
        if let skipReport { summary += " (every skipped row in \(skipReport.path))" }
        throw SpeechDataError.noUsableRows(paths: paths, summary: summary)
    }

    /// Schemas of the files, in order.
    public var schemas: [TableSchema] { shards.map(\.schema) }

    /// Decodes one kept row (reads its whole chunk: for inspection and tests, not training loops).
    public func sample(at index: Int) throws -> Sample {
        let entry = entries[index]
        return try decode(entry, in: shards[Int(entry.file)].rows(chunk: Int(entry.chunk)))
    }

    /// The transcript of every kept row, in entry order, without reading any audio (e.g. to
    /// collect the token set of a training split). Entries are in file and chunk order, so each
    /// chunk is read once and only the current one is held.
    public func transcripts() throws -> [Transcript] {
        var current: (file: Int32, chunk: Int32, rows: [Transcript])?
        return try entries.map { entry in
            if current?.file != entry.file || current?.chunk != entry.chunk {
                current = (entry.file, entry.chunk, try shards[Int(entry.file)].transcripts(chunk: Int(entry.chunk)))
            }
            return current!.rows[Int(entry.rowInChunk)]
        }
    }

    /// Decodes an entry's row out of its chunk's rows, naming the row when it fails.
    func decode(_ entry: IndexEntry, in rows: [RawRow]) throws -> Sample {
        let raw = rows[Int(entry.rowInChunk)]
        do {
            var sample = try SampleDecoding.decode(raw)
            sample.copy = copyNumbers[Int(entry.file)]
            return sample
        } catch {
            throw SpeechDataError.audio(source: "\(files[Int(entry.file)]) row \(raw.row)", reason: error.description)
        }
    }
}
