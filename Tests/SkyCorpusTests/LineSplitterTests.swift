import XCTest
@testable import SkyCorpus

final class LineSplitterTests: XCTestCase {
    func testSameTextAlwaysSameSplit() {
        let a = LineSplitter(), b = LineSplitter()
        for text in ["hey", "i had to inspect it", "what's it for", ""] {
            XCTAssertEqual(a.split(text), b.split(text))
            XCTAssertEqual(LineSplitter.hash(text, seed: 1), LineSplitter.hash(text, seed: 1))
        }
    }

    func testProportionsFollowPercentages() {
        let splitter = LineSplitter()
        var counts: [CorpusSplit: Int] = [:]
        let total = 20_000
        for i in 0..<total { counts[splitter.split("line number \(i)"), default: 0] += 1 }
        XCTAssertEqual(Double(counts[.test]!) / Double(total), 0.10, accuracy: 0.01)
        XCTAssertEqual(Double(counts[.dev]!) / Double(total), 0.10, accuracy: 0.01)
        XCTAssertEqual(Double(counts[.train]!) / Double(total), 0.80, accuracy: 0.01)
    }

    func testSeedAndPercentagesChangeAssignment() {
        let texts = (0..<500).map { "sentence \($0)" }
        let a = texts.map(LineSplitter(seed: 1).split)
        let b = texts.map(LineSplitter(seed: 2).split)
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(texts.allSatisfy { LineSplitter(devPercent: 0, testPercent: 0).split($0) == .train })
        XCTAssertTrue(texts.allSatisfy { LineSplitter(devPercent: 0, testPercent: 100).split($0) == .test })
    }
}
