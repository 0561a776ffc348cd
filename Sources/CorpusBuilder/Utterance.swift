import QueenCorpus
import SkyCorpus

/// How a clip's audio is produced: cut from the game, or synthesised from text.
public enum AudioRecipe: Sendable, Equatable {
    case gameLine(SkyLine)
    case queenLine(QueenLine)
    case synthesis(SynthesisRequest)

    /// Everything that decides the audio's bytes, as text (goes into the shard fingerprint,
    /// so changing a voice setting rebuilds the shards it touches).
    var fingerprint: String {
        switch self {
        case let .gameLine(line): "game:\(line.textNumber):\(line.speechFile)"
        case let .queenLine(line): "fotaq:\(line.clip)"
        case let .synthesis(request): "tts:\(request.voice):\(request.lengthScaleText):\(request.spokenText)"
        }
    }
}

/// A sentence for a TTS voice. `spokenText` is what the voice is given: the normalised
/// words (digits and symbols already expanded) with the sentence's commas and final
/// punctuation put back for prosody, so `TextNormalizer` maps it back onto `text` exactly.
public struct SynthesisRequest: Sendable, Equatable {
    public let voice: String
    public let spokenText: String
    /// Speaking-rate factor (>1 slower), stored in thousandths so it prints identically.
    public let lengthScaleMillis: Int

    public init(voice: String, spokenText: String, lengthScaleMillis: Int) {
        self.voice = voice
        self.spokenText = spokenText
        self.lengthScaleMillis = lengthScaleMillis
    }

    public var lengthScale: Double { Double(lengthScaleMillis) / 1000 }
    var lengthScaleText: String {
        let frac = String(lengthScaleMillis % 1000)
        return "\(lengthScaleMillis / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}

/// One row of the corpus before its audio exists.
public struct Utterance: Sendable, Equatable {
    /// Unique within its source; the parquet `audio.path` is `id + ".flac"`.
    public let id: String
    /// Normalised transcript (TextNormalizer): the `text` column and the split key.
    public let text: String
    public let textRaw: String
    public let speaker: String
    public let split: CorpusSplit
    public let recipe: AudioRecipe

    public init(id: String, text: String, textRaw: String, speaker: String, split: CorpusSplit, recipe: AudioRecipe) {
        self.id = id
        self.text = text
        self.textRaw = textRaw
        self.speaker = speaker
        self.split = split
        self.recipe = recipe
    }
}

/// Audio a source produced for one utterance, at the source's own rate.
public struct RenderedAudio: Sendable {
    public let samples: [Float]
    public let sampleRate: Int
    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }
}
