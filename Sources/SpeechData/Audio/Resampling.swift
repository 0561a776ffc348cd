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
        var output: UnsafeMutablePointer<Float>?
        var outCount = 0
        let error = samples.withUnsafeBufferPointer { input in
            takeCError(caudio_resample(input.baseAddress, input.count, Double(inRate), Double(outRate),
                                       UInt(SOXR_HQ), &output, &outCount))
        }
        if let error { throw SpeechDataError.audio(source: source, reason: error) }
        guard let output else { throw SpeechDataError.audio(source: source, reason: "resampler returned no buffer") }
        defer { free(output) }
        return Array(UnsafeBufferPointer(start: output, count: outCount))
    }
}
