import CAudio
#if canImport(Glibc)
import Glibc
#endif

extension Audio {
    /// Resamples mono audio with soxr's high-quality recipe (SOXR_HQ), the same recipe as
    /// `soxr.resample(x, from, to, 'HQ')` in Python. Equal rates return the input unchanged.
    public static func resample(_ samples: [Float], from inRate: Int, to outRate: Int = targetSampleRate,
                                source: String = "samples") throws -> [Float] {
        if inRate == outRate || samples.isEmpty { return samples }
        return try samples.withUnsafeBufferPointer { try resample($0, from: inRate, to: outRate, source: source) }
    }

    /// Resamples straight from a buffer (e.g. the decoder's) into the returned array: no
    /// intermediate copies of a clip that the loader decodes once per sample.
    static func resample(_ input: UnsafeBufferPointer<Float>, from inRate: Int, to outRate: Int,
                         source: String) throws -> [Float] {
        if inRate == outRate || input.isEmpty { return Array(input) }
        let capacity = caudio_resampled_length(input.count, Double(inRate), Double(outRate))
        var error: String?
        let output = [Float](unsafeUninitializedCapacity: max(capacity, 1)) { buffer, initialized in
            var done = 0
            error = takeCError(caudio_resample_into(input.baseAddress, input.count, Double(inRate), Double(outRate),
                                                    UInt(SOXR_HQ), buffer.baseAddress, capacity, &done))
            initialized = error == nil ? done : 0
        }
        if let error { throw SpeechDataError.audio(source: source, reason: error) }
        return output
    }
}
