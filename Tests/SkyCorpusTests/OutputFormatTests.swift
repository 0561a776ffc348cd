import Foundation
import XCTest
@testable import SkyCorpus

final class OutputFormatTests: XCTestCase {
    func testWAVHeaderAndExactSampleMapping() {
        let gameBytes: [UInt8] = [0, 64, 128, 192, 255]
        let samples = gameBytes.map { (Float($0) - 128) / 128 }
        let wav = WAVEncoder.pcm16Mono(samples, sampleRate: 11_025)
        XCTAssertEqual(wav.count, WAVEncoder.fileSize(sampleCount: 5))
        XCTAssertEqual(String(decoding: wav[0..<4], as: UTF8.self), "RIFF")
        XCTAssertEqual(String(decoding: wav[8..<16], as: UTF8.self), "WAVEfmt ")
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(wav[at + $1]) << (8 * $1) } }
        func i16(_ at: Int) -> Int16 { Int16(bitPattern: UInt16(wav[at]) | UInt16(wav[at + 1]) << 8) }
        XCTAssertEqual(u32(4), wav.count - 8)
        XCTAssertEqual(u32(24), 11_025)
        XCTAssertEqual(u32(28), 22_050)
        XCTAssertEqual(u32(40), 10)
        // Unsigned 8-bit b becomes (b - 128) * 256: no rounding anywhere.
        XCTAssertEqual((0..<5).map { i16(44 + 2 * $0) }, gameBytes.map { (Int16($0) - 128) * 256 })
        XCTAssertEqual(i16(44 + 8), 32_512)
        XCTAssertEqual(WAVEncoder.pcm16Mono([1.5, -2], sampleRate: 8000).suffix(4), [0xFF, 0x7F, 0x00, 0x80])
    }

    func testManifestLineIsValidJSONWithFixedKeyOrder() throws {
        let line = ManifestLine(audio: "audio/s0/t00007.wav", text: "say \"hi\"", textRaw: "Say \"HI\"\\\t!",
                                speaker: "section0", speakerFromScripts: false, sampleCount: 12_607, sampleRate: 11_025, split: .dev,
                                textNumber: 7, section: 0)
        let json = line.json
        XCTAssertTrue(json.hasPrefix("{\"audio\": \"audio/s0/t00007.wav\", \"text\": "))
        XCTAssertTrue(json.contains("\"duration\": 1.143492,"))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(parsed["text_raw"] as? String, "Say \"HI\"\\\t!")
        XCTAssertEqual(parsed["speaker"] as? String, "section0")
        XCTAssertEqual(parsed["speaker_source"] as? String, "section")
        XCTAssertEqual(parsed["split"] as? String, "dev")
        XCTAssertEqual(parsed["duration"] as? Double ?? 0, 12_607.0 / 11_025, accuracy: 1e-6)
        let named = ManifestLine(audio: "a.wav", text: "x", textRaw: "x", speaker: "joey", speakerFromScripts: true, sampleCount: 11_025,
                                 sampleRate: 11_025, split: .train, textNumber: 1, section: 0)
        XCTAssertTrue(named.json.contains("\"speaker\": \"joey\", \"duration\": 1.000000,"))
    }
}
