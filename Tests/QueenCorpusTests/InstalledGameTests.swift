import Foundation
import XCTest
@testable import QueenCorpus

/// The real archive (Debian `flight-of-the-amazon-queen`; skipped when it is not installed).
final class InstalledGameTests: XCTestCase {
    func speech() throws -> QueenSpeech {
        guard FileManager.default.fileExists(atPath: QueenArchive.defaultPath.path) else {
            throw XCTSkip("Flight of the Amazon Queen is not installed (apt-get install flight-of-the-amazon-queen)")
        }
        return try QueenSpeech(archive: try QueenArchive(path: QueenArchive.defaultPath))
    }

    func testPairsTheGamesSpeech() throws {
        let speech = try speech()
        XCTAssertEqual(speech.archive.version, "CEM10")
        let (lines, excluded) = try speech.pairing()
        let texts = Dictionary(uniqueKeysWithValues: lines.map { ($0.clip, $0.textRaw) })
        // Counts and pairs checked by listening (Whisper base agreed on 80 random clips).
        XCTAssertEqual(lines.count + excluded.count, 6_587)
        XCTAssertEqual(texts["020006J1.SB"], "At least I don't look like I need to wear one.")
        XCTAssertEqual(texts["37SSSSJ1.SB"], "Hi I'm Joe King, pilot for hire.")
        XCTAssertEqual(texts["68XXXXJ1.SB"], "Hello Bob.")
        XCTAssertEqual(texts["JOE01822.SB"], "It looks like a rocket pack!")
        XCTAssertEqual(texts["41000AP2.SB"], "They have visited your people over time to study and educate them.")
        XCTAssertEqual(texts["CINTR241.SB"], "We have to get outta here before Big Hugh catches on!")
        XCTAssertEqual(texts["C41D_041.SB"], "Who are you?!")
        XCTAssertNotNil(texts["JOE00251.SB"])
        XCTAssertNotNil(texts["JOE00254.SB"])
        XCTAssertNil(texts["JOE00252.SB"])
        XCTAssertTrue(excluded.contains { $0.line.clip == "JOE00221.SB" })
        XCTAssertTrue(lines.allSatisfy { QueenSpeech.exclusion(for: $0.textRaw) == nil })
    }
}
