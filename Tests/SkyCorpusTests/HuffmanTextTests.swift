import XCTest
@testable import SkyCorpus

final class HuffmanTextTests: XCTestCase {
    func testTreeIsAFullBinaryTreeWith123Leaves() {
        XCTAssertEqual(huffTree00372.count, 245)
        var references = [Int](repeating: 0, count: huffTree00372.count)
        for (i, node) in huffTree00372.enumerated() where node.left != 0 || node.right != 0 {
            XCTAssertGreaterThan(Int(node.left), i)
            XCTAssertGreaterThan(Int(node.right), i)
            references[Int(node.left)] += 1
            references[Int(node.right)] += 1
        }
        XCTAssertEqual(references[0], 0, "root is nobody's child")
        XCTAssertEqual(Set(references.dropFirst()), [1], "every other node has exactly one parent")
        XCTAssertEqual(huffTree00372.filter { $0.left == 0 && $0.right == 0 }.count, 123)
    }

    func testSectionSevenMessagesMatchIndependentDecoder() throws {
        let section = try HuffmanTextSection(bytes: Fixture.bytes("text_section7.bin"))
        let expected = try Fixture.expected()["text_section7"] as! [String: Any]
        XCTAssertEqual(section.messageCount, expected["messageCount"] as? Int)
        let messages = expected["messages"] as! [String: String]
        XCTAssertEqual(messages.count, 8)
        for (index, text) in messages {
            XCTAssertEqual(try section.message(Int(index)!), text, "message \(index)")
        }
        XCTAssertEqual(try section.message(1), "Exit")
    }

    func testOutOfRangeAndTruncatedSections() throws {
        let bytes = try Fixture.bytes("text_section7.bin")
        let section = try HuffmanTextSection(bytes: bytes)
        XCTAssertThrowsError(try section.message(section.messageCount)) { error in
            XCTAssertEqual(error as? HuffmanTextError, .messageOutOfRange(index: 97, count: 97))
        }
        XCTAssertThrowsError(try HuffmanTextSection(bytes: [10, 0, 5, 0, 0, 0]))
        let cut = try HuffmanTextSection(bytes: Array(bytes.prefix(120)))
        XCTAssertThrowsError(try cut.message(96)) { XCTAssertEqual($0 as? HuffmanTextError, .bitstreamOverrun(message: 96)) }
    }
}
