import Foundation
import SpeechData

/// Anything that turns a batch of loader items (log-mel features) into texts: a SteerMoE model
/// (`Evaluator`) or Whisper with its own decoder (`WhisperTranscriber`). `Evaluator.run` scores
/// either the same way.
public protocol BatchTranscriber {
    func transcribe(_ items: [SpeechItem]) throws -> [String]
}

extension Evaluator: BatchTranscriber {}

/// Anything that transcribes 16 kHz mono clips; reading audio files is shared.
public protocol ClipTranscriber {
    func transcribe(clips: [[Float]]) throws -> [String]
    /// How this model's long recordings are best cut (PauseSegmenter.utterances or .windows).
    var segmenter: PauseSegmenter { get }
}

/// One file's transcript: the joined text and, for a recording cut at pauses, each segment.
public struct FileTranscript: Sendable {
    public let audio: String
    public let text: String
    /// Start and end (seconds) and text of each segment the file was cut into (one for a short file;
    /// none for a silent one).
    public let segments: [TranscribedSegment]
    /// Why the file could not be read (not audio, unreadable, missing); nil when it was transcribed.
    public var error: (any Error)? = nil
}

/// A stretch of a recording (seconds) and its text.
public struct TranscribedSegment: Sendable, Equatable {
    public let start: Double
    public let end: Double
    public let text: String
}

extension ClipTranscriber {
    /// Transcribes audio files (any format libsndfile reads, any sample rate) of any length: a file
    /// longer than `segmenter.maxSeconds` (default: the model's own) is cut at pauses
    /// (PauseSegmenter) and its segments' texts are joined with spaces; shorter files are read
    /// whole. Segments of consecutive files are transcribed `batchSize` at a time; `progress` is
    /// told after each batch: files read so far, segments transcribed, their seconds of audio;
    /// `finished` gets each file's transcript, in order, as soon as all its segments are done (so a
    /// caller can write it out before the next files are read). A file that cannot be read is
    /// handed over in its place with `error` set, and the files after it are still transcribed.
    @discardableResult
    public func transcribe(files: [String], batchSize: Int = 4, segmenter: PauseSegmenter? = nil,
                           progress: ((_ filesRead: Int, _ segments: Int, _ seconds: Double) -> Void)? = nil,
                           finished: ((FileTranscript) throws -> Void)? = nil) throws -> [FileTranscript] {
        let size = max(1, batchSize)
        let segmenter = segmenter ?? self.segmenter
        var spans: [[PauseSegmenter.Segment]] = []
        var texts: [[String]] = []
        var pending: [(file: Int, segment: Int, samples: [Float])] = []
        var segmentsDone = 0, secondsDone = 0.0
        var results: [FileTranscript] = []
        var unreadable: [Int: any Error] = [:]
        func transcript(_ i: Int) -> FileTranscript {
            if let error = unreadable[i] { return FileTranscript(audio: files[i], text: "", segments: [], error: error) }
            let parts = zip(spans[i], texts[i]).map { TranscribedSegment(start: $0.seconds.start, end: $0.seconds.end, text: $1) }
            return FileTranscript(audio: files[i], text: parts.map(\.text).filter { !$0.isEmpty }.joined(separator: " "),
                                  segments: parts)
        }
        // Hands over every file read so far whose segments are all transcribed (none pending).
        func handOver() throws {
            let waiting = Set(pending.map(\.file))
            while results.count < spans.count && !waiting.contains(results.count) {
                results.append(transcript(results.count))
                try finished?(results[results.count - 1])
            }
        }
        func flush() throws {
            let out = try transcribe(clips: pending.map(\.samples))
            for (p, text) in zip(pending, out) { texts[p.file][p.segment] = text }
            segmentsDone += pending.count
            secondsDone += Double(pending.reduce(0) { $0 + $1.samples.count }) / Double(PauseSegmenter.sampleRate)
            progress?(spans.count, segmentsDone, secondsDone)
            pending.removeAll()
        }
        for (i, file) in files.enumerated() {
            let samples: [Float]
            do {
                samples = try Audio.load16k(file: file)
            } catch {
                unreadable[i] = error
                samples = []
            }
            let segments = segmenter.segments(samples)
            spans.append(segments)
            texts.append([String](repeating: "", count: segments.count))
            for (j, s) in segments.enumerated() {
                pending.append((i, j, Array(samples[s.start..<s.end])))
                if pending.count == size { try flush() }
            }
            try handOver()
        }
        if !pending.isEmpty { try flush() }
        try handOver()
        return results
    }

    /// Texts of `transcribe(files:batchSize:segmenter:)` with the model's own segmenter; throws the
    /// first unreadable file's error.
    public func transcribe(files: [String], batchSize: Int = 4) throws -> [String] {
        try transcribe(files: files, batchSize: batchSize, segmenter: nil).map { t in
            if let error = t.error { throw error }
            return t.text
        }
    }
}
