import CorpusBuilder
import Foundation
import SkyCorpus

/// A source that needs nothing installed: each sentence becomes a tone at 8 kHz (so the
/// builder's resampling to 16 kHz is exercised), its pitch and length fixed by the text.
struct ToneSource: CorpusSource {
    let name: String
    let sentences: [String]

    var description: SourceDescription {
        SourceDescription(summary: "Test tones.", licence: "Test data.", isReal: false)
    }

    func utterances(splitter: LineSplitter) throws -> [Utterance] {
        let normalizer = TextNormalizer()
        return sentences.enumerated().map { i, raw in
            let text = normalizer.normalize(raw)
            return Utterance(id: "\(name)-\(i)", text: text, textRaw: raw, speaker: "\(name)_tone",
                             split: splitter.split(text),
                             recipe: .synthesis(SynthesisRequest(voice: "tone", spokenText: text, lengthScaleMillis: 1000)))
        }
    }

    func render(_ batch: [Utterance], shardSeed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        batch.map { u in
            let words = u.text.split(separator: " ").count
            let hz = 200 + Double(u.text.utf8.reduce(0) { $0 + Int($1) } % 400)
            let samples = (0..<(words * 2400)).map { Float(0.3 * sin(2 * Double.pi * hz * Double($0) / 8000)) }
            return RenderedAudio(samples: samples, sampleRate: 8000)
        }
    }
}

enum TempFolder {
    static func make(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Relative path -> bytes of every file under `root`, hidden ones included.
func treeContents(_ root: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
    for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
        result[String(url.path.dropFirst(root.path.count + 1))] = try Data(contentsOf: url)
    }
    return result
}

/// A Python with pyarrow, or nil (tests that need it skip).
func pythonWithPyArrow() -> String? {
    let candidates = [SourceSettings.defaultPython(), URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".venv/bin/python").path]
    for python in candidates {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, "-c", "import pyarrow"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        if (try? p.run()) != nil {
            p.waitUntilExit()
            if p.terminationStatus == 0 { return python }
        }
    }
    return nil
}

let sampleSentences = [
    "Hello there.", "The river was shored by trees.", "I had to INSPECT it.", "They traveled westward.",
    "WD40! This stuff is ALWAYS useful!", "A little oldish woman.", "Did not quite make it.", "Hey!",
    "You nicked me KNACKWURST!", "Reaching the crest was a real clamber.", "Fighter planes are screaming.",
    "She disparaged her student's efforts.", "A city and its satellite communities.", "Just who are you anyway?",
]
