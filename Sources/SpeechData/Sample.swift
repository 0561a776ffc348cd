/// One utterance ready for a featuriser: 16 kHz mono waveform plus its transcript and origin.
public struct Sample: Sendable {
    /// Mono samples at 16 kHz; empty for rows that only carry precomputed `input_features`.
    public var waveform: [Float]
    public var text: String
    /// Data file the row came from, and its row number there (from 0; JSONL: line - 1).
    public var source: String
    public var row: Int
    /// Which listing of its data file this row came from: 0 for the first, 1 for the second, ...
    /// (a source listed twice in `parquet_dirs` weighs twice: augmentation draws per copy).
    public var copy = 0
    /// Seconds of audio (precomputed-only rows: feature frames x 10 ms).
    public var duration: Double
    /// Precomputed columns, passed through unchanged when the file has them.
    public var inputFeatures: FloatMatrix?
    public var inputIds: [Int64]?
    public var labels: [Int64]?

    public init(waveform: [Float], text: String, source: String, row: Int, duration: Double,
                inputFeatures: FloatMatrix? = nil, inputIds: [Int64]? = nil, labels: [Int64]? = nil) {
        self.waveform = waveform
        self.text = text
        self.source = source
        self.row = row
        self.duration = duration
        self.inputFeatures = inputFeatures
        self.inputIds = inputIds
        self.labels = labels
    }
}

/// A row's transcript as stored: its text and, where the file has them, precomputed token ids.
public struct Transcript: Sendable, Equatable {
    public var text: String?
    public var inputIds: [Int64]?
    public init(text: String?, inputIds: [Int64]? = nil) {
        self.text = text
        self.inputIds = inputIds
    }
}

/// Hop of Whisper-style log-mel features (160 samples at 16 kHz): converts frames to seconds.
let featureFrameSeconds = 0.01
