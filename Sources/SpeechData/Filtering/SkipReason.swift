/// Why a row was left out. Raw values appear in skipped.jsonl and in the printed counts.
public enum SkipReason: String, Sendable, CaseIterable, Codable {
    case tooLong = "too_long"              // duration > max_audio_length
    case textTooLong = "text_too_long"     // textLength(text) >= max_text_length
    case emptyAudio = "empty_audio"        // zero samples
    case emptyText = "empty_text"          // text empty or whitespace
    case invalidText = "invalid_text"      // null or not UTF-8
    case undecodable = "undecodable"       // corrupt or truncated audio bytes/file
    case missingAudio = "missing_audio"    // no bytes and no path
    case missingFile = "missing_file"      // audio path does not exist
    case nonFiniteSamples = "non_finite_samples"  // NaN/inf in the waveform
    case malformed = "malformed"           // manifest line that is not a JSON object
    case unreadableChunk = "unreadable_chunk"     // a row group / batch that failed to read
}

/// A row that could not become a sample.
public struct RowFailure: Error, Sendable, CustomStringConvertible {
    public var reason: SkipReason
    public var detail: String
    public var description: String { "\(reason.rawValue): \(detail)" }

    public init(_ reason: SkipReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// Audio that would not decode; the row is named beside the failure, so the detail is the reason alone.
    static func undecodable(_ error: Error) -> RowFailure {
        if case let SpeechDataError.audio(_, reason) = error { return RowFailure(.undecodable, reason) }
        return RowFailure(.undecodable, "\(error)")
    }
}
