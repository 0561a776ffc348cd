/// One row of manifest.jsonl. Keys are written in a fixed order with fixed number
/// formatting so the file is byte-identical from run to run.
public struct ManifestLine: Equatable, Sendable {
    public let audio: String
    public let text: String
    public let textRaw: String
    /// Attributed speaker, or the "section<N>" pseudo-speaker (see `speakerFromScripts`).
    public let speaker: String
    /// True when `speaker` comes from the game scripts, false for the section fallback.
    public let speakerFromScripts: Bool
    public let sampleCount: Int
    public let sampleRate: Int
    public let split: CorpusSplit
    public let textNumber: Int
    public let section: Int

    public init(audio: String, text: String, textRaw: String, speaker: String, speakerFromScripts: Bool, sampleCount: Int,
                sampleRate: Int, split: CorpusSplit, textNumber: Int, section: Int) {
        self.audio = audio
        self.text = text
        self.textRaw = textRaw
        self.speaker = speaker
        self.speakerFromScripts = speakerFromScripts
        self.sampleCount = sampleCount
        self.sampleRate = sampleRate
        self.split = split
        self.textNumber = textNumber
        self.section = section
    }

    public var duration: Double { Double(sampleCount) / Double(sampleRate) }

    /// Seconds with 6 decimals, computed with integers (no locale, no float printing).
    var durationString: String {
        let micros = (sampleCount * 1_000_000 + sampleRate / 2) / sampleRate
        let frac = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }

    public var json: String {
        let fields = [
            "\"audio\": \(Self.quote(audio))",
            "\"text\": \(Self.quote(text))",
            "\"text_raw\": \(Self.quote(textRaw))",
            "\"speaker\": \(Self.quote(speaker))",
            "\"duration\": \(durationString)",
            "\"split\": \(Self.quote(split.rawValue))",
            "\"speaker_source\": \(Self.quote(speakerFromScripts ? "script" : "section"))",
            "\"sample_rate\": \(sampleRate)",
            "\"text_number\": \(textNumber)",
            "\"section\": \(section)",
        ]
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
