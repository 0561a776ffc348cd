import CAudio
#if canImport(Glibc)
import Glibc
#endif

/// Header facts of an encoded stream.
public struct AudioInfo: Sendable, Equatable {
    public var frames: Int
    public var sampleRate: Int
    public var channels: Int
    /// libsndfile SF_FORMAT_* code (major | subtype).
    public var format: Int32
    public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }
}

/// Mono samples at the stream's own rate, with the header facts.
public struct DecodedAudio: Sendable {
    public var samples: [Float]
    public var sampleRate: Int
    public var info: AudioInfo
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

/// Audio decoding (libsndfile), resampling (soxr) and encoding. Decoding mixes channels to mono
/// by their mean, matching `soundfile.read(...).mean(axis=1)`.
public enum Audio {
    /// The rate every model input uses.
    public static let targetSampleRate = 16_000

    public static var sndfileVersion: String { String(cString: caudio_sndfile_version()) }
    /// Whether the linked libsndfile decodes MP3 (1.1+ built with mpg123).
    public static var supportsMP3: Bool { caudio_supports_mp3() != 0 }

    /// Reads only the header of an encoded stream in memory.
    public static func probe(_ bytes: UnsafeRawBufferPointer, source: String) throws -> AudioInfo {
        var info = caudio_info()
        if let error = takeCError(caudio_probe_memory(bytes.baseAddress, bytes.count, &info)) {
            throw SpeechDataError.audio(source: source, reason: error)
        }
        return AudioInfo(info)
    }

    /// Reads only the header of a file on disk.
    public static func probe(file path: String) throws -> AudioInfo {
        var info = caudio_info()
        if let error = takeCError(caudio_probe_file(path, &info)) {
            throw SpeechDataError.audio(source: path, reason: error)
        }
        return AudioInfo(info)
    }

    /// Decodes an encoded stream held in memory (WAV, FLAC, OGG, MP3, ...).
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> DecodedAudio {
        try withDecoded(bytes, source: source) { DecodedAudio(samples: Array($0), sampleRate: $1.sampleRate, info: $1) }
    }

    public static func decode(_ bytes: [UInt8], source: String) throws -> DecodedAudio {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Decodes a file on disk.
    public static func decode(file path: String) throws -> DecodedAudio {
        try withDecoded(file: path) { DecodedAudio(samples: Array($0), sampleRate: $1.sampleRate, info: $1) }
    }

    /// Decodes and resamples to 16 kHz mono; the resampler reads the decoder's own buffer.
    public static func load16k(_ bytes: UnsafeRawBufferPointer, source: String) throws -> [Float] {
        try withDecoded(bytes, source: source) { try resample($0, from: $1.sampleRate, to: targetSampleRate, source: source) }
    }

    public static func load16k(file path: String) throws -> [Float] {
        try withDecoded(file: path) { try resample($0, from: $1.sampleRate, to: targetSampleRate, source: path) }
    }

    private static func withDecoded<T>(_ bytes: UnsafeRawBufferPointer, source: String,
                                       _ body: (UnsafeBufferPointer<Float>, AudioInfo) throws -> T) throws -> T {
        if bytes.isEmpty { throw SpeechDataError.audio(source: source, reason: "empty audio bytes") }
        return try withDecoded(source: source, body) { caudio_decode_memory(bytes.baseAddress, bytes.count, &$0, &$1, &$2) }
    }

    private static func withDecoded<T>(file path: String, _ body: (UnsafeBufferPointer<Float>, AudioInfo) throws -> T) throws -> T {
        try withDecoded(source: path, body) { caudio_decode_file(path, &$0, &$1, &$2) }
    }

    /// Runs a C decoder and lends its buffer to `body`, freeing it afterwards.
    private static func withDecoded<T>(
        source: String, _ body: (UnsafeBufferPointer<Float>, AudioInfo) throws -> T,
        decoder: (inout UnsafeMutablePointer<Float>?, inout Int64, inout caudio_info) -> UnsafeMutablePointer<CChar>?
    ) throws -> T {
        var pointer: UnsafeMutablePointer<Float>?
        var count: Int64 = 0
        var info = caudio_info()
        if let error = takeCError(decoder(&pointer, &count, &info)) { throw SpeechDataError.audio(source: source, reason: error) }
        guard let pointer else { throw SpeechDataError.audio(source: source, reason: "decoder returned no buffer") }
        defer { free(pointer) }
        // Zero samples is valid here (an empty but well-formed file); the pipeline counts it as empty.
        return try body(UnsafeBufferPointer(start: pointer, count: Int(count)), AudioInfo(info))
    }
}

extension AudioInfo {
    init(_ c: caudio_info) {
        self.init(frames: Int(c.frames), sampleRate: Int(c.sample_rate), channels: Int(c.channels), format: c.format)
    }
}
