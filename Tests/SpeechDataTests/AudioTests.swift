import Foundation
import XCTest
@testable import SpeechData

/// Decode and resample against the Python reference (soundfile + soxr 'HQ') on the fixtures.
final class AudioTests: XCTestCase {
    /// Lossy codecs (Vorbis, MP3) may round differently between libsndfile 1.2.0 (system) and 1.2.2
    /// (soundfile's wheel) and their codec libraries: observed max 1.2e-7. PCM and FLAC are exact.
    let lossyTolerance: Float = 1e-5
    /// Same soxr recipe on both sides; only FFT/SIMD rounding could differ (observed: bit-exact).
    let resampleTolerance: Float = 1e-6

    private func tolerance(_ name: String) -> Float {
        [".ogg", ".mp3", ".opus"].contains { name.hasSuffix($0) } ? lossyTolerance : 0
    }

    func testEveryContainerDecodesLikeSoundfile() throws {
        let meta = try XCTUnwrap(Fixture.json("expected/audio.json") as? [String: [String: Int]])
        var names = ["stereo_44k.wav", "mono_22k.flac", "mono_48k.ogg", "mono_48k.opus", "mono_16k_float.wav"]
        if Audio.supportsMP3 { names.append("mono_24k.mp3") }
        for name in names {
            let decoded = try Audio.decode(Fixture.bytes("audio/\(name)"), source: name)
            let expected = try Fixture.floats("expected/\(name).native.f32")
            XCTAssertEqual(decoded.sampleRate, meta[name]?["sample_rate"], name)
            XCTAssertEqual(decoded.samples.count, expected.count, name)
            XCTAssertLessThanOrEqual(maxAbsDifference(decoded.samples, expected), tolerance(name), name)
        }
    }

    func testDecodedAndResampledMatchesSoxrHQ() throws {
        var names = ["stereo_44k.wav", "mono_22k.flac", "mono_48k.ogg", "mono_48k.opus", "mono_16k_float.wav"]
        if Audio.supportsMP3 { names.append("mono_24k.mp3") }
        for name in names {
            let at16k = try Fixture.bytes("audio/\(name)").withUnsafeBytes { try Audio.load16k($0, source: name) }
            let expected = try Fixture.floats("expected/\(name).16k.f32")
            XCTAssertEqual(at16k.count, expected.count, name)
            XCTAssertLessThanOrEqual(maxAbsDifference(at16k, expected), tolerance(name) + resampleTolerance, name)
        }
    }

    func testResamplerAloneMatchesPythonSoxr() throws {
        let input = try Fixture.floats("expected/resample_input_44k.f32")
        let expected = try Fixture.floats("expected/resample_output_16k.f32")
        let output = try Audio.resample(input, from: 44_100, to: 16_000)
        XCTAssertEqual(output.count, expected.count)
        XCTAssertLessThanOrEqual(maxAbsDifference(output, expected), resampleTolerance)
    }

    func testFileDecodeEqualsMemoryDecode() throws {
        let fromFile = try Audio.decode(file: Fixture.path("audio/mono_22k.flac"))
        let fromMemory = try Audio.decode(Fixture.bytes("audio/mono_22k.flac"), source: "flac")
        XCTAssertEqual(fromFile.samples, fromMemory.samples)
        XCTAssertEqual(fromFile.info.channels, 1)
    }

    func testProbeReadsHeaderOnly() throws {
        let info = try Fixture.bytes("audio/stereo_44k.wav").withUnsafeBytes { try Audio.probe($0, source: "wav") }
        XCTAssertEqual(info.channels, 2)
        XCTAssertEqual(info.sampleRate, 44_100)
        XCTAssertEqual(info.frames, 13_230)
        XCTAssertEqual(info.duration, 0.3, accuracy: 1e-9)
    }

    func testGarbageBytesFailNamingTheSource() {
        let garbage = [UInt8]("definitely not a sound file".utf8)
        XCTAssertThrowsError(try Audio.decode(garbage, source: "shard.parquet row 3")) { error in
            XCTAssertTrue("\(error)".contains("shard.parquet row 3"), "\(error)")
        }
        XCTAssertThrowsError(try Audio.decode(file: "/nonexistent/clip.flac")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/clip.flac"), "\(error)")
        }
    }

    /// A file that cannot be opened says why in the user's terms (libsndfile alone calls a damaged
    /// MP3 that exists "File does not exist or is not a regular file").
    func testUnopenableFilesSayWhy() throws {
        let folder = NSTemporaryDirectory() + "audio-errors-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/a-folder.wav", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data().write(to: URL(fileURLWithPath: folder + "/empty.wav"))
        try Data("definitely not a sound file".utf8).write(to: URL(fileURLWithPath: folder + "/text.wav"))
        try Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }).write(to: URL(fileURLWithPath: folder + "/damaged.mp3"))
        let expected = ["missing.flac": "No such file or directory", "a-folder.wav": "it is a folder", "empty.wav": "the file is empty",
                        "text.wav": "not a readable audio file", "damaged.mp3": "not a readable audio file"]
        for (name, reason) in expected {
            XCTAssertThrowsError(try Audio.load16k(file: folder + "/" + name)) { error in
                XCTAssertTrue("\(error)".contains(folder + "/" + name) && "\(error)".contains(reason), "\(name): \(error)")
                XCTAssertFalse("\(error)".contains("does not exist or is not a regular file"), "\(name): \(error)")
            }
        }
    }

    func testEncodeRoundTripsThrough16BitPCM() throws {
        let samples = (0..<8000).map { Float(sin(Double($0) * 0.05) * 0.5) }
        for container in [AudioContainer.flac, .wav] {
            let bytes = try Audio.encode(samples, sampleRate: 16_000, as: container)
            let back = try Audio.decode(bytes, source: "\(container)")
            XCTAssertEqual(back.sampleRate, 16_000)
            XCTAssertEqual(back.samples.count, samples.count)
            // 16-bit quantisation: half a step is 1/65536.
            XCTAssertLessThanOrEqual(maxAbsDifference(back.samples, samples), 1.0 / 32768)
            let magic = String(decoding: bytes.prefix(4), as: UTF8.self)
            XCTAssertEqual(magic, container == .flac ? "fLaC" : "RIFF")
        }
    }

    func testEncodeClipsOutOfRangeSamples() throws {
        let bytes = try Audio.encode([2.0, -2.0, 0.25], sampleRate: 16_000, as: .wav)
        let back = try Audio.decode(bytes, source: "clip").samples
        XCTAssertEqual(back[0], 32767.0 / 32768.0, accuracy: 1e-6)
        XCTAssertEqual(back[1], -1.0, accuracy: 1e-6)
        XCTAssertEqual(back[2], 0.25, accuracy: 1e-4)
    }
}
