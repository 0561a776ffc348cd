import XCTest
@testable import QueenCorpus

final class SegmentsTests: XCTestCase {
    func testEmptySegmentsKeepTheirNumbers() {
        // Joe's response 25: the game has JOE00251 and JOE00254, nothing in between.
        let segments = QueenSpeech.segments("Hello there...*16*03*WTI don't think it's gonna talk to me*24")
        XCTAssertEqual(segments.map(\.number), [1, 2, 3, 4])
        XCTAssertEqual(segments.map(\.text), ["Hello there...", "", "", "I don't think it's gonna talk to me"])
    }

    func testGrabCommandsDropTheirSegmentAndXYSkipsItsCoordinates() {
        let segments = QueenSpeech.segments("Take it*XY00(237,112)Now*GDgone")
        XCTAssertEqual(segments.map(\.number), [1, 3])
        XCTAssertEqual(segments.map(\.text), ["Take it", "gone"])
    }

    func testASentenceWithoutCommandsIsOneSegment() {
        XCTAssertEqual(QueenSpeech.segments("Who are you?!").map(\.text), ["Who are you?!"])
        XCTAssertTrue(QueenSpeech.segments("").isEmpty)
    }

    func testCleaningAndExclusions() {
        XCTAssertEqual(QueenSpeech.clean("  Super Soldier Treatment^_ is  here "), "Super Soldier Treatment is here")
        XCTAssertEqual(QueenSpeech.clean("@@ I think I'm in love @@"), "I think I'm in love")
        XCTAssertNil(QueenSpeech.exclusion(for: "I think I'm in love"))
        XCTAssertEqual(QueenSpeech.exclusion(for: "<koff> Excuse me"), "sound tag or symbols")
        XCTAssertEqual(QueenSpeech.exclusion(for: "(sigh)"), "sound tag or symbols")
        XCTAssertEqual(QueenSpeech.exclusion(for: "&#($!!, he got away!"), "sound tag or symbols")
    }

    func testStringsRoundUpExceptAfterAnEmptyOne() throws {
        // Bank header (20 bytes), then: "" at 0 (next 1), "ab" at 1 (next 4 with align 2: 1+1+2=4), "c" at 4 (next 8 with align 4).
        let body: [UInt8] = [0, 2, 0x61, 0x62, 1, 0x63, 0, 0, 9]
        let reader = try ResourceReader(name: "T.DOG", bankResource: [UInt8](repeating: 0, count: 20) + body)
        XCTAssertEqual(try reader.string(0, align: 2).next, 1)
        XCTAssertEqual(try reader.string(1, align: 2).text, "ab")
        XCTAssertEqual(try reader.string(1, align: 2).next, 4)
        XCTAssertEqual(try reader.string(4, align: 4).next, 8)
        XCTAssertThrowsError(try reader.string(8, align: 2)) { error in
            XCTAssertTrue("\(error)".contains("T.DOG"), "\(error)")
        }
    }

    func testLinesSplitOnAnyNewline() {
        XCTAssertEqual(QueenTextTables.lines(Array("a\r\nb\rc\nd".utf8)), ["a", "b", "c", "d"])
    }
}
