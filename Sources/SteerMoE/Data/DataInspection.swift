import Foundation
import SpeechData

/// What `steermoe data inspect` prints: the sources' report (schema, counts, histograms,
/// examples) and, when rows were timed, the feature-extraction throughput of one loader worker.
public struct DataInspection: Sendable, CustomStringConvertible {
    public var report: InspectReport
    public var throughput: FeatureThroughput?

    public init(report: InspectReport, throughput: FeatureThroughput?) {
        self.report = report
        self.throughput = throughput
    }

    public var description: String {
        [report.description, throughput?.description].compactMap { $0 }.joined(separator: "\n")
    }

    /// Indexes `paths` once (headers only unless `filter.verifyAudio`), summarises them and times
    /// the log-mel pipeline on `timingRows` kept rows (0: no timing).
    public static func run(paths: [String], mapping: ColumnMapping = ColumnMapping(),
                           filter: FilterOptions = FilterOptions(maxAudioLength: .infinity, verifyAudio: false),
                           examples: Int = 3, timingRows: Int = 8, melBins: Int = 80, workers: Int = 2) throws -> DataInspection {
        let index = try DatasetIndex.build(paths: paths, mapping: mapping, filter: filter, workers: workers, log: { _ in })
        let report = try inspect(index: index, examples: examples)
        let throughput = timingRows > 0 && !index.entries.isEmpty
            ? try FeatureThroughput.measure(index: index, rows: timingRows, extractor: LogMelExtractor(melBins: melBins))
            : nil
        return DataInspection(report: report, throughput: throughput)
    }
}
