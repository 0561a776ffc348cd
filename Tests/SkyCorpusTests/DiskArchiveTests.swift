import Foundation
import XCTest
@testable import SkyCorpus

final class DiskArchiveTests: XCTestCase {
    func testIndexRecordsDecodeOffsetsSizesAndFlags() throws {
        let entries = try DiskArchive.parseIndex(Fixture.data("dnr_snippet.bin"))
        let expected = try Fixture.expected()["dnr_snippet"] as! [[String: Any]]
        XCTAssertEqual(entries.count, expected.count)
        for (e, x) in zip(entries, expected) {
            XCTAssertEqual(Int(e.fileNumber), x["file"] as? Int)
            XCTAssertEqual(e.offset, x["offset"] as? Int, "file \(e.fileNumber)")
            XCTAssertEqual(e.size, x["size"] as? Int, "file \(e.fileNumber)")
            XCTAssertEqual(e.omitsHeader, x["omitsHeader"] as? Bool, "file \(e.fileNumber)")
            XCTAssertEqual(e.storedUncompressed, x["storedUncompressed"] as? Bool, "file \(e.fileNumber)")
        }
        // The snippet includes an offset stored in 16-byte paragraphs (bit 23 of the field).
        XCTAssertTrue(entries.contains { $0.offset >= 1 << 23 })
    }

    func testTruncatedIndexIsRejected() throws {
        let data = try Fixture.data("dnr_snippet.bin")
        XCTAssertThrowsError(try DiskArchive.parseIndex(data.prefix(data.count - 1))) { error in
            XCTAssertEqual(error as? DiskArchiveError, .truncatedIndex(expectedBytes: data.count, actualBytes: data.count - 1))
        }
    }

    func testLoadFileDecompressesAndKeepsHeader() throws {
        let archive = try DiskArchive(index: Fixture.data("mini.dnr"), data: Fixture.data("mini.dsk"))
        let mini = try Fixture.expected()["mini"] as! [String: Any]
        let speech = try archive.loadFile(52402)
        XCTAssertEqual(speech.count, mini["52402_loaded"] as? Int)
        let stored = try archive.storedBytes(52402)
        XCTAssertEqual(Array(speech[0..<22]), Array(stored[0..<22]), "header returned as stored")
        XCTAssertEqual(Array(speech[1022..<1030]), mini["52402_pcm_1000"] as? [UInt8])
        XCTAssertEqual(speech.count, DataFileHeader(bytes: stored[0..<22]).totalSize)
        XCTAssertEqual(Array(speech[22...]), try Fixture.bytes("rnc_52402.raw"))
    }

    func testStoredUncompressedFileIsReturnedAsIs() throws {
        let archive = try DiskArchive(index: Fixture.data("mini.dnr"), data: Fixture.data("mini.dsk"))
        let entry = try XCTUnwrap(archive.entry(59501))
        XCTAssertTrue(entry.storedUncompressed)
        XCTAssertEqual(entry.offset % 16, 0)
        let loaded = try archive.loadFile(59501)
        XCTAssertEqual(loaded.count, (try Fixture.expected()["mini"] as! [String: Any])["59501_loaded"] as? Int)
        XCTAssertEqual(loaded, try archive.storedBytes(59501))
    }

    func testMissingFileAndOutOfBoundsEntryThrow() throws {
        let index = try Fixture.data("mini.dnr")
        let archive = try DiskArchive(index: index, data: Fixture.data("mini.dsk"))
        XCTAssertThrowsError(try archive.loadFile(1234)) { XCTAssertEqual($0 as? DiskArchiveError, .fileNotFound(1234)) }
        let short = try DiskArchive(index: index, data: Fixture.data("mini.dsk").prefix(100))
        XCTAssertThrowsError(try short.loadFile(52402)) { error in
            guard case .entryOutOfBounds(file: 52402, _, archiveSize: 100)? = error as? DiskArchiveError else {
                return XCTFail("unexpected \(error)")
            }
        }
    }
}
