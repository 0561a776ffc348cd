/// Which columns hold what. Defaults follow the Hugging Face LibriSpeech layout.
public struct ColumnMapping: Sendable, Equatable {
    /// HF Audio `struct<bytes, path>`, a `list<float>` waveform (with `samplingRate`), or a path string.
    public var audio: String
    public var text: String
    /// Per-row sample rate, needed only when `audio` is a `list<float>` waveform.
    public var samplingRate: String
    /// Precomputed columns, used as they are when present.
    public var inputFeatures: String
    public var inputIds: String
    public var labels: String

    public init(audio: String = "audio", text: String = "text", samplingRate: String = "sampling_rate",
                inputFeatures: String = "input_features", inputIds: String = "input_ids", labels: String = "labels") {
        self.audio = audio
        self.text = text
        self.samplingRate = samplingRate
        self.inputFeatures = inputFeatures
        self.inputIds = inputIds
        self.labels = labels
    }
}
