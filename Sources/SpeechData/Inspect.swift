import Foundation

/// Counts of values per bin; bin i covers [edges[i], edges[i+1]), the last bin is open-ended.
public struct Histogram: Sendable, Equatable, CustomStringConvertible {
    public var edges: [Double]
    public var counts: [Int]
    public var unit: String

    public init(edges: [Double], values: [Double], unit: String) {
        precondition(!edges.isEmpty && edges == edges.sorted(), "edges must be sorted")
        self.edges = edges
        self.unit = unit
        var counts = Array(repeating: 0, count: edges.count)
        for value in values {
            // Last edge not above the value; values below the first edge count in bin 0.
            let bin = (edges.lastIndex { $0 <= value }) ?? 0
            counts[bin] += 1
        }
        self.counts = counts
    }

    public var description: String {
        let largest = max(1, counts.max() ?? 1)
        return edges.indices.map { i in
            let label = i + 1 < edges.count ? "\(format(edges[i]))-\(format(edges[i + 1])) \(unit)"
                                            : ">= \(format(edges[i])) \(unit)"
            let bar = String(repeating: "#", count: counts[i] * 40 / largest)
            return "  " + label.padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(counts[i]).leftPadded(8) + " " + bar
        }.joined(separator: "\n")
    }

    private func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

/// What `steermoe data inspect` prints: files with schema and row counts, filter counts,
/// duration / text-length histograms and a few examples.
public struct InspectReport: Sendable, CustomStringConvertible {
    public struct FileSummary: Sendable {
        public var file: DataFile
        public var schema: TableSchema
        public var rows: Int
        public var chunks: Int
    }

    public struct Example: Sendable {
        public var source: String
        public var row: Int
        public var duration: Double
        public var text: String
    }

    public var files: [FileSummary]
    public var counts: FilterCounts
    public var totalDuration: Double
    public var durations: Histogram
    public var textLengths: Histogram
    public var examples: [Example]
    /// The first few rows left out, "FILE row N: reason: detail".
    public var skippedExamples: [String] = []

    public var rowCount: Int { files.reduce(0) { $0 + $1.rows } }

    public var description: String {
        var lines: [String] = []
        for summary in files {
            lines.append("\(summary.file.path) [\(summary.file.kind.rawValue)]: \(summary.rows) rows in \(summary.chunks) chunks")
            lines += summary.schema.columns.map { "    \($0)" }
        }
        lines.append("rows: \(counts)")
        if !skippedExamples.isEmpty {
            lines.append("left out, first \(skippedExamples.count):")
            lines.append(contentsOf: skippedExamples.map { "  " + $0 })
        }
        lines.append(String(format: "audio kept: %.1f s (%.2f h)", totalDuration, totalDuration / 3600))
        lines.append("duration histogram (kept rows):\n\(durations)")
        lines.append("text length histogram (characters, kept rows):\n\(textLengths)")
        lines.append("examples:")
        for example in examples {
            lines.append(String(format: "  %@ row %d (%.2f s): %@", example.source, example.row, example.duration, example.text))
        }
        return lines.joined(separator: "\n")
    }
}

/// Reads the sources like training would (same resolver, columns and filter) and summarises them.
/// Defaults read headers only and apply no length limit, so it is quick and shows everything.
public func inspect(paths: [String], mapping: ColumnMapping = ColumnMapping(),
                    filter: FilterOptions = FilterOptions(maxAudioLength: .infinity, verifyAudio: false),
                    examples exampleCount: Int = 3, workers: Int = 2) throws -> InspectReport {
    let index = try DatasetIndex.build(paths: paths, mapping: mapping, filter: filter, workers: workers, log: { _ in })
    return try inspect(index: index, examples: exampleCount)
}

/// The report of an index already built (so callers can time features on the same index).
public func inspect(index: DatasetIndex, examples exampleCount: Int = 3) throws -> InspectReport {
    let files = index.shards.map {
        InspectReport.FileSummary(file: $0.file, schema: $0.schema, rows: $0.rowCount, chunks: $0.chunkSizes.count)
    }
    let count = index.entries.count
    let picks = count == 0 ? [] : Array(Set((0..<min(exampleCount, count)).map { $0 * count / min(exampleCount, count) })).sorted()
    let examples = try picks.map { i -> InspectReport.Example in
        let sample = try index.sample(at: i)
        return InspectReport.Example(source: sample.source, row: sample.row, duration: sample.duration, text: sample.text)
    }
    return InspectReport(
        files: files, counts: index.counts, totalDuration: index.totalDuration,
        durations: Histogram(edges: [0, 1, 2, 5, 10, 15, 20, 30, 60], values: index.entries.map { Double($0.duration) }, unit: "s"),
        textLengths: Histogram(edges: [0, 10, 25, 50, 100, 200, 400], values: index.entries.map { Double($0.textCharacters) }, unit: "chars"),
        examples: examples, skippedExamples: index.skippedExamples)
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
