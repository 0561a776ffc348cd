import Foundation
import SpeechData
import Tokenizers

/// Loads an evaluation set the way training does (same filters and features), in order.
public struct EvaluationData {
    public let config: TrainingConfig
    public let tokenizer: Tokenizer
    public let extractor: LogMelExtractor

    public init(config: TrainingConfig, tokenizer: Tokenizer, extractor: LogMelExtractor) {
        self.config = config
        self.tokenizer = tokenizer
        self.extractor = extractor
    }

    /// `skipReport`: a file that receives one line per row left out (file, row, reason).
    public func loader(paths: [String], batchSize: Int, skipReport: String? = nil,
                       log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        throws -> DataLoader<SpeechItem>
    {
        let index = try DatasetIndex.build(paths: paths, mapping: ColumnMapping(audio: config.audioColumn, text: config.textColumn),
                                           filter: FilterOptions(maxAudioLength: config.maxAudioLength, verifyAudio: true),
                                           skipReport: try skipReport.map { try SkipReport(path: $0) },
                                           workers: max(1, config.numWorkers), log: log)
        try index.requireRows(paths: paths)
        let featurizer = Featurizer(extractor: extractor, tokenizer: tokenizer, padding: config.model.audioPadding)
        return DataLoader(index: index, options: LoaderOptions(batchSize: batchSize, seed: config.seed, shuffle: false,
                                                               workers: max(1, config.numWorkers)),
                          transform: { try featurizer.item($0) })
    }
}
