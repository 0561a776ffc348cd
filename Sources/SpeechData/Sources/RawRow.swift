/// Audio of one row as stored, before decoding.
enum AudioPayload: Sendable {
    /// Bytes of an encoded file (WAV, FLAC, OGG, MP3, ...).
    case encoded([UInt8])
    /// A file on disk (path already resolved against the source's folder).
    case file(String)
    /// Samples stored directly (list<float> column) at their own rate.
    case waveform([Float], sampleRate: Int)
    /// No audio column: the row carries precomputed `input_features`.
    case none
    /// The row's audio cannot be found at all (e.g. null bytes and null path).
    case unavailable(SkipReason, String)
}

/// One row as read from a data file: cheap to produce, decoded later (in loader workers).
struct RawRow: Sendable {
    var file: String
    /// Row number inside the file, counting from 0 across row groups (JSONL: line number - 1).
    var row: Int
    /// Set when the row as a whole is unusable (manifest line not UTF-8 / not JSON); checked first.
    var rowProblem: RowFailure?
    var audio: AudioPayload
    /// nil with `textProblem` set when the text is unusable (null, not UTF-8).
    var text: String?
    var textProblem: String?
    var inputFeatures: FloatMatrix?
    var inputIds: [Int64]?
    var labels: [Int64]?
}
