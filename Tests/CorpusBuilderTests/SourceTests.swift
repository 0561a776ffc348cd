import Foundation
import SkyCorpus
import SpeechData
import XCTest
@testable import CorpusBuilder

/// Prerequisite messages, the sentence pool, synthetic planning, and the real sources when
/// their data and programs are installed (XCTSkip otherwise).
final class SourceTests: XCTestCase {
    func testMissingPrerequisitesNameTheirInstallCommands() {
        let missing = [
            Prerequisite.program("no-such-tts-program", debianPackage: "some-tts"),
            Prerequisite.files(["/no/such/file"], what: "game data", debianPackage: "some-game"),
            Prerequisite.program("sh", debianPackage: "dash"),
        ]
        XCTAssertEqual(missing.map(\.isMet), [false, false, true])
        XCTAssertThrowsError(try Prerequisite.require(missing)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("apt-get install -y some-tts") && text.contains("apt-get install -y some-game"), text)
            XCTAssertFalse(text.contains("dash"), "met prerequisites are not listed")
            XCTAssertTrue(text.contains("scripts/bootstrap --corpus"))
        }
        if let python = pythonWithPyArrow() {
            let modules = Prerequisite.pythonModules(["no_such_module_xyz"], python: python, pipPackages: ["no-such-pkg"])
            XCTAssertFalse(modules.isMet)
            XCTAssertEqual(modules.installCommand, "\(python) -m pip install no-such-pkg")
            XCTAssertTrue(Prerequisite.pythonModules(["pyarrow"], python: python, pipPackages: ["pyarrow"]).isMet)
        }
    }

    func testSpokenTextExpandsNumbersAndKeepsClausePauses() throws {
        let n = TextNormalizer()
        let s = try XCTUnwrap(SpokenText.make("In 1953, the river rose 5% higher!", normalizer: n))
        XCTAssertEqual(s.text, "in one thousand nine hundred and fifty three the river rose five percent higher")
        XCTAssertEqual(s.spoken, "in one thousand nine hundred and fifty three, the river rose five percent higher!")
        XCTAssertEqual(n.normalize(s.spoken), s.text)
        XCTAssertEqual(SpokenText.make("Is it late", normalizer: n)?.spoken, "is it late.")
        // "1,250" split at its comma would be read "one, two hundred and fifty": dropped.
        XCTAssertNil(SpokenText.make("1,250 people came", normalizer: n))
    }

    func testExamplesAreTheQuotedPartsOfGlosses() {
        let data = """
              1 This software and database is being provided to you, the LICENSEE, by "Princeton"
            00001740 03 n 01 entity 0 003 | that which exists; "the entity was here"; "a (bracketed) one"; "they ran, then walked"
            00002137 03 n 01 thing 0 000 | a gloss with no example
            """
        XCTAssertEqual(SentencePool.examples(in: data), ["the entity was here", "they ran, then walked"])
    }

    func testSentencesWhoseNumbersWouldBeMisreadAreDropped() {
        XCTAssertTrue(SentencePool.readsNaturally("the Yankees scored 3 runs, 5% more"))
        XCTAssertFalse(SentencePool.readsNaturally("in the bottom of the 9th"))
        XCTAssertFalse(SentencePool.readsNaturally("the 1920s had a style of their own"))
        XCTAssertFalse(SentencePool.readsNaturally("the O2 supply"))
        XCTAssertFalse(SentencePool.readsNaturally("the paper clip was invented in 1900"))
        XCTAssertTrue(SentencePool.readsNaturally("a crowd of 5000 people"))
        let data = "00001 03 n 01 x 0 000 | g; \"tickets are $5 per head\"; \"in the 19th century\"; \"3 runs\"\n"
        XCTAssertEqual(SentencePool.examples(in: data), ["3 runs"])
    }

    func testInstalledWordNetPoolIsDeduplicatedAndSpeakable() throws {
        let dir = SentencePool.defaultDirectory
        guard SentencePool.prerequisite(directory: dir).isMet else { throw XCTSkip("wordnet-base not installed") }
        let pool = try SentencePool.load(directory: dir)
        XCTAssertGreaterThan(pool.count, 20_000)
        XCTAssertEqual(Set(pool.map(\.text)).count, pool.count, "deduplicated by transcript")
        let n = TextNormalizer()
        XCTAssertTrue(pool.allSatisfy { n.normalize($0.spoken) == $0.text && SentencePool.wordRange.contains($0.text.split(separator: " ").count) })
    }

    struct FakeSynthesizer: SpeechSynthesizer {
        let voices = ["a", "b", "c"]
        let charactersPerSecond = 10.0
        var description: SourceDescription { SourceDescription(summary: "", licence: "", isReal: false) }
        func synthesize(_ requests: [SynthesisRequest], ids: [String], seed: UInt64, scratch: URL) throws -> [RenderedAudio] {
            requests.map { _ in RenderedAudio(samples: [0.1, 0.2], sampleRate: 16_000) }
        }
    }

    func testSyntheticPlanIsBoundedSeededAndGrowsAsAPrefix() throws {
        let n = TextNormalizer()
        let pool = (0..<400).compactMap { SpokenText.make("sentence number \($0) is here", normalizer: n) }
        func plan(hours: Double, seed: UInt64) throws -> [Utterance] {
            try SyntheticSource(name: "fake", synthesizer: FakeSynthesizer(), pool: pool, hours: hours, seed: seed)
                .utterances(splitter: LineSplitter())
        }
        let small = try plan(hours: 0.05, seed: 1)
        let estimated = small.reduce(0.0) { total, u in
            guard case let .synthesis(r) = u.recipe else { return total }
            return total + Double(r.spokenText.count) / 10 * r.lengthScale
        }
        XCTAssertLessThanOrEqual(estimated, 0.05 * 3600)
        XCTAssertGreaterThan(estimated, 0.05 * 3600 - 10, "fills the budget up to one sentence")
        let large = try plan(hours: 0.1, seed: 1)
        XCTAssertEqual(Array(large.prefix(small.count)), small, "more hours keep the earlier clips unchanged")
        XCTAssertEqual(try plan(hours: 0.05, seed: 1), small)
        XCTAssertNotEqual(try plan(hours: 0.05, seed: 2).map(\.text), small.map(\.text))
        XCTAssertEqual(Set(large.map(\.speaker)), ["fake_a", "fake_b", "fake_c"])
        XCTAssertEqual(try plan(hours: 0, seed: 1).count, 0)
    }

    /// A handful of real game clips end to end: 11,025 Hz resampled to 16 kHz FLAC.
    func testInstalledGameClipsBuild() throws {
        let dir = DiskArchive.defaultGameDirectory
        guard SkySource.prerequisites(gameDirectory: dir).allSatisfy(\.isMet) else {
            throw XCTSkip("beneath-a-steel-sky not installed")
        }
        let folder = TempFolder.make("sky")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try SkySource(gameDirectory: dir, onlyTextNumbers: [7, 11, 15, 8385, 9494])
        var options = CorpusBuild.Options()
        options.clipsPerShard = 2
        let results = try CorpusBuild(output: folder, sources: [source], seed: 0, options: options).run { _ in }
        XCTAssertEqual(results[0].totals.values.map(\.clips).reduce(0, +), 5)
        var rows: [String: (text: String, raw: String, duration: Double, samples: Int)] = [:]
        for path in try treeContents(folder).keys where path.hasSuffix(".parquet") {
            let reader = try ParquetReader(path: folder.appendingPathComponent(path).path)
            for group in 0..<reader.rowGroupCount {
                let t = try reader.readRowGroup(group)
                for row in 0..<t.rowCount {
                    let audio = try Audio.decode(XCTUnwrap(t.column("audio").field("bytes").bytes(row)), source: path)
                    XCTAssertEqual(audio.sampleRate, 16_000)
                    rows[try XCTUnwrap(t.column("audio").field("path").string(row))] = (
                        try XCTUnwrap(t.column("text").string(row)), try XCTUnwrap(t.column("text_raw").string(row)),
                        try t.column("duration").double(row), audio.samples.count)
                }
            }
        }
        let inspect = try XCTUnwrap(rows["sky-s0-t00007.flac"])
        XCTAssertEqual(inspect.text, "i had to inspect it")
        XCTAssertEqual(inspect.raw, "I had to INSPECT it.")
        XCTAssertEqual(inspect.samples, Int((12_607.0 * 16_000 / 11_025).rounded()), accuracy: 1)
        XCTAssertEqual(inspect.duration, Double(inspect.samples) / 16_000)
        XCTAssertEqual(rows["sky-s2-t08385.flac"]?.text, "w d forty this stuff is always useful")
        XCTAssertEqual(rows["sky-s2-t09494.flac"]?.raw, "Mmf!")
    }

    /// Real synthesis of two sentences per engine when installed: audio comes out and a
    /// second render (fresh process, same seed) is sample-identical.
    func testInstalledSynthesizersAreDeterministic() throws {
        var engines: [SpeechSynthesizer] = []
        if FliteSynthesizer.prerequisites().allSatisfy(\.isMet) { engines.append(FliteSynthesizer()) }
        if EspeakSynthesizer.prerequisites().allSatisfy(\.isMet) { engines.append(EspeakSynthesizer()) }
        if let python = pythonWithPyArrow(), PiperSynthesizer.prerequisites(python: python).allSatisfy(\.isMet) {
            engines.append(PiperSynthesizer(python: python))
        }
        if let python = pythonWithPyArrow(), KokoroSynthesizer.prerequisites(python: python).allSatisfy(\.isMet) {
            engines.append(KokoroSynthesizer(python: python))  // its second voice is a blend of two packs
        }
        if engines.isEmpty { throw XCTSkip("none of flite, espeak-ng, piper and kokoro is installed") }
        for engine in engines {
            let requests = engine.voices.prefix(2).map {
                SynthesisRequest(voice: $0, spokenText: "the river was shored by trees.", lengthScaleMillis: 1050)
            } + [SynthesisRequest(voice: engine.voices[0], spokenText: "did not quite make it?", lengthScaleMillis: 900)]
            func render() throws -> [RenderedAudio] {
                let scratch = TempFolder.make("synth")
                defer { try? FileManager.default.removeItem(at: scratch) }
                return try engine.synthesize(requests, ids: requests.indices.map { "clip\($0)" }, seed: 42, scratch: scratch)
            }
            let first = try render(), second = try render()
            XCTAssertEqual(first.count, requests.count)
            for (a, b) in zip(first, second) {
                XCTAssertGreaterThan(Double(a.samples.count) / Double(a.sampleRate), 0.5, "\(engine.voices)")
                XCTAssertGreaterThan(a.samples.map { abs($0) }.max() ?? 0, 0.05, "speech, not silence")
                XCTAssertEqual(a.samples, b.samples, "\(engine.voices): same seed, same samples")
            }
        }
    }
}
