import Foundation

/// Slaney-style mel filter bank (librosa / transformers `mel_filter_bank(norm="slaney",
/// mel_scale="slaney")`), computed in Double: shape (frequency bins, mel bins), row-major.
public enum MelFilterBank {
    static let minLogHertz = 1000.0, minLogMel = 15.0
    static let logStep = 27.0 / Foundation.log(6.4)

    static func hertzToMel(_ f: Double) -> Double {
        f >= minLogHertz ? minLogMel + Foundation.log(f / minLogHertz) * logStep : 3.0 * f / 200.0
    }
    static func melToHertz(_ m: Double) -> Double {
        m >= minLogMel ? minLogHertz * Foundation.exp((m - minLogMel) / logStep) : 200.0 * m / 3.0
    }

    public static func slaney(frequencyBins: Int, melBins: Int, sampleRate: Int,
                              minFrequency: Double = 0, maxFrequency: Double? = nil) -> [Double] {
        let maxF = maxFrequency ?? Double(sampleRate) / 2
        let fftFreqs = (0..<frequencyBins).map { Double($0) * (Double(sampleRate) / 2) / Double(frequencyBins - 1) }
        let melMin = hertzToMel(minFrequency), melMax = hertzToMel(maxF)
        let filterFreqs = (0..<(melBins + 2)).map {
            melToHertz(melMin + Double($0) * (melMax - melMin) / Double(melBins + 1))
        }
        var bank = [Double](repeating: 0, count: frequencyBins * melBins)
        for m in 0..<melBins {
            let lower = filterFreqs[m], center = filterFreqs[m + 1], upper = filterFreqs[m + 2]
            let norm = 2.0 / (upper - lower)  // slaney: constant energy per filter
            for f in 0..<frequencyBins {
                let down = (fftFreqs[f] - lower) / (center - lower)
                let up = (upper - fftFreqs[f]) / (upper - center)
                bank[f * melBins + m] = Swift.max(0, Swift.min(down, up)) * norm
            }
        }
        return bank
    }
}
