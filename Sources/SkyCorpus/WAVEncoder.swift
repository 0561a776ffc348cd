/// Minimal RIFF/WAVE writer: mono, 16-bit signed little-endian PCM.
public enum WAVEncoder {
    public static let headerSize = 44

    /// Floats in [-1, 1] scaled by 32768 and clamped; the game's 8-bit samples
    /// ((b - 128) / 128) land exactly on multiples of 256, so nothing is rounded.
    public static func pcm16Mono(_ samples: [Float], sampleRate: Int) -> [UInt8] {
        let dataBytes = samples.count * 2
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + dataBytes)
        func u32(_ v: Int) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        func u16(_ v: Int) { for i in 0..<2 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        out.append(contentsOf: Array("RIFF".utf8)); u32(36 + dataBytes)
        out.append(contentsOf: Array("WAVE".utf8))
        out.append(contentsOf: Array("fmt ".utf8)); u32(16)
        u16(1)                   // PCM
        u16(1)                   // channels
        u32(sampleRate)
        u32(sampleRate * 2)      // byte rate
        u16(2)                   // block align
        u16(16)                  // bits per sample
        out.append(contentsOf: Array("data".utf8)); u32(dataBytes)
        for s in samples {
            let v = Int16(clamping: Int((Double(s) * 32768).rounded()))
            u16(Int(v))
        }
        return out
    }

    public static func fileSize(sampleCount: Int) -> Int { headerSize + 2 * sampleCount }
}
