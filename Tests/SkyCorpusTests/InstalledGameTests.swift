import Foundation
import XCTest
@testable import SkyCorpus

/// Checks against the real game files; skipped (with a message) where they are not installed.
final class InstalledGameTests: XCTestCase {
    func testLinesPairTextWithSpeech() throws {
        let game = try SkySpeech(archive: DiskArchive(directory: InstalledGame.require()))
        let lines = try game.lines()
        XCTAssertEqual(lines.count, 3491, "3,650 speech files minus the 159 intro/ending files without subtitles")
        let byNumber = Dictionary(uniqueKeysWithValues: lines.map { ($0.textNumber, $0) })
        XCTAssertEqual(byNumber[7]?.textRaw, "I had to INSPECT it.")
        XCTAssertEqual(byNumber[7]?.speechFile, 50007)
        XCTAssertEqual(byNumber[15]?.textRaw, "You nicked me KNACKWURST!")
        XCTAssertEqual(byNumber[8385]?.textRaw, "WD40! This stuff is ALWAYS useful!")
        XCTAssertEqual(byNumber[9494]?.speechFile, 52402)
        XCTAssertTrue(lines.allSatisfy { $0.speechFile < 59_400 }, "no intro/ending file is reachable from a text number")
    }

    func testClipsHaveTheirPCMAndDuration() throws {
        let game = try SkySpeech(archive: DiskArchive(directory: InstalledGame.require()))
        let lines = Dictionary(uniqueKeysWithValues: try game.lines().map { ($0.textNumber, $0) })
        // Text 9494 is speech file 52402, whose decoded bytes are the rnc_52402 fixture.
        let mmf = try game.clip(for: XCTUnwrap(lines[9494]))
        XCTAssertEqual(mmf.line.textRaw, "Mmf!")
        XCTAssertEqual(mmf.samples, try Fixture.bytes("rnc_52402.raw").map { (Float($0) - 128) / 128 })
        XCTAssertEqual(mmf.duration, 3384.0 / 11_025, accuracy: 1e-9)
        let inspect = try game.clip(for: XCTUnwrap(lines[7]))
        XCTAssertEqual(inspect.samples.count, 12_607)
        XCTAssertEqual(try game.sampleCount(for: XCTUnwrap(lines[7])), 12_607)
        XCTAssertTrue(inspect.samples.allSatisfy { $0 >= -1 && $0 < 1 })
        XCTAssertGreaterThan(inspect.samples.map { abs($0) }.max()!, 0.1, "speech, not silence")
    }

    func testNoSentenceCrossesSplitsAndExportIsRepeatable() throws {
        let game = try SkySpeech(archive: DiskArchive(directory: InstalledGame.require()))
        let exporter = CorpusExporter(game: game)
        let rows = try exporter.manifest().map(\.row)
        var splitOfText: [String: CorpusSplit] = [:]
        for r in rows {
            XCTAssertEqual(splitOfText[r.text, default: r.split], r.split, "\"\(r.text)\" is in two splits")
            splitOfText[r.text] = r.split
        }
        XCTAssertEqual(Set(rows.map(\.split)), Set(CorpusSplit.allCases))
        let hours = Double(rows.map(\.sampleCount).reduce(0, +)) / 11_025 / 3600
        XCTAssertEqual(hours, 1.93, accuracy: 0.01)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sky-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let few: Set<Int> = [7, 11, 9494]
        let first = try exporter.export(to: folder, only: few)
        XCTAssertEqual(first.written, 3)
        let manifest = try Data(contentsOf: folder.appendingPathComponent(CorpusExporter.manifestName))
        let wav = try Data(contentsOf: folder.appendingPathComponent("audio/s2/t09494.wav"))
        XCTAssertEqual(wav.count, WAVEncoder.fileSize(sampleCount: 3384))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("audio/s0/t00011.wav"))
        let second = try exporter.export(to: folder, only: few)
        XCTAssertEqual(second.written, 1, "only the missing file is rewritten")
        XCTAssertEqual(second.keptExisting, 2)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent(CorpusExporter.manifestName)), manifest)
        XCTAssertEqual(String(decoding: manifest, as: UTF8.self).split(separator: "\n").count, 3)
    }
}
