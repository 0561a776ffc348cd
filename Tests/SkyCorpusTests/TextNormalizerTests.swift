import XCTest
@testable import SkyCorpus

final class TextNormalizerTests: XCTestCase {
    let n = TextNormalizer()

    func testEmphasisCapitalsAndPunctuation() {
        XCTAssertEqual(n.normalize("I had to INSPECT it."), "i had to inspect it")
        XCTAssertEqual(n.normalize("Hey, wait..."), "hey wait")
        XCTAssertEqual(n.normalize("...TASTY!"), "tasty")
        XCTAssertEqual(n.normalize("I don't know - it's just a piece of metal."), "i don't know it's just a piece of metal")
    }

    func testStylisedSpellingIsKept() {
        XCTAssertEqual(n.normalize("You tryin' to KILL yerself?"), "you tryin' to kill yerself")
        XCTAssertEqual(n.normalize("Don't INTERRUPT, dah-ling..."), "don't interrupt dah ling")
        XCTAssertEqual(n.normalize("ROCK 'n ROLL?"), "rock 'n roll")
        XCTAssertEqual(n.normalize("Hey, wha'd'ya MEAN...?"), "hey wha'd'ya mean")
    }

    func testQuotationMarksAreRemoved() {
        XCTAssertEqual(n.normalize("It's titled `PUSSIES ON PARADE'!"), "it's titled pussies on parade")
        XCTAssertEqual(n.normalize("`LOVECRAFT'S locker.'"), "lovecraft's locker")
        XCTAssertEqual(n.normalize("Know anyone called 'OVERMANN'?"), "know anyone called overmann")
        XCTAssertEqual(n.normalize("It's STEVEN, with a `V'..."), "it's steven with a v")
        XCTAssertEqual(n.normalize("' ' '"), "")
    }

    func testNumbersAndAlphanumericTokens() {
        XCTAssertEqual(n.normalize("It's a 30 millimetre wrench..."), "it's a thirty millimetre wrench")
        XCTAssertEqual(n.normalize("Is that a can of WD40?"), "is that a can of w d forty")
        XCTAssertEqual(n.normalize("`...requisition form SOS23.'"), "requisition form s o s twenty three")
        XCTAssertEqual(n.normalize("1,250 credits, 3.75 each"), "one thousand two hundred and fifty credits three point seven five each")
        XCTAssertEqual(n.normalize("Agent 007"), "agent zero zero seven")
    }

    func testSymbolsAreSpoken() {
        XCTAssertEqual(n.normalize("Fish & chips: 100% + tax = 5$"),
                       "fish and chips one hundred percent plus tax equals five dollars")
        XCTAssertEqual(n.normalize("Did the saxophonist O.D. on DRUGS?"), "did the saxophonist o d on drugs")
    }

    func testNumberWords() {
        XCTAssertEqual(NumberWords.cardinal(0), "zero")
        XCTAssertEqual(NumberWords.cardinal(13), "thirteen")
        XCTAssertEqual(NumberWords.cardinal(40), "forty")
        XCTAssertEqual(NumberWords.cardinal(105), "one hundred and five")
        XCTAssertEqual(NumberWords.cardinal(2023), "two thousand and twenty three")
        XCTAssertEqual(NumberWords.cardinal(1_000_001), "one million and one")
        XCTAssertEqual(NumberWords.cardinal(712_345), "seven hundred and twelve thousand three hundred and forty five")
        XCTAssertEqual(NumberWords.read(digits: "0451"), "zero four five one")
    }
}
