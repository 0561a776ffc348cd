import CAudio
#if canImport(Glibc)
import Glibc
#endif

/// Containers the encoder writes (16-bit PCM, mono).
public enum AudioContainer: Sendable {
    case wav
    case flac

    var cValue: caudio_container { self == .wav ? CAUDIO_WAV_PCM16 : CAUDIO_FLAC_PCM16 }
}

extension Audio {
    /// Encodes mono samples in [-1, 1] (clipped beyond) as 16-bit WAV or FLAC bytes, e.g. for the
    /// `audio.bytes` field of a parquet shard.
    public static func encode(_ samples: [Float], sampleRate: Int, as container: AudioContainer) throws -> [UInt8] {
        var bytes: UnsafeMutablePointer<UInt8>?
        var size = 0
        let error = samples.withUnsafeBufferPointer { input in
            takeCError(caudio_encode_memory(input.baseAddress, input.count, Int32(sampleRate), container.cValue,
                                            &bytes, &size))
        }
        if let error { throw SpeechDataError.audio(source: "encoder", reason: error) }
        guard let bytes else { throw SpeechDataError.audio(source: "encoder", reason: "encoder returned no buffer") }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }
}
