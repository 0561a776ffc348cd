import Foundation
import XCTest
@testable import QueenCorpus

/// A small queen.1c written here, in the layout the game uses, so that the pairing rules are
/// checked without the game installed (InstalledGameTests checks the real archive).
final class SyntheticArchiveTests: XCTestCase {
    /// Resource data after a 20-byte bank header, with the engine's string alignment.
    struct Bank {
        var bytes: [UInt8] = []
        mutating func u16(_ value: Int) { bytes += [UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
        mutating func string(_ text: String, align: Int) {
            let utf8 = Array(text.utf8)
            bytes.append(UInt8(utf8.count))
            bytes += utf8
            if !utf8.isEmpty { while bytes.count % align != 0 { bytes.append(0) } }
        }
        mutating func pad(to size: Int) { bytes += [UInt8](repeating: 0, count: max(0, size - bytes.count)) }
        func set(_ value: Int, at offset: Int) -> Bank {
            var copy = self
            copy.bytes[offset] = UInt8((value >> 8) & 0xFF)
            copy.bytes[offset + 1] = UInt8(value & 0xFF)
            return copy
        }
        var resource: [UInt8] { Array("AmBk".utf8) + [UInt8](repeating: 0, count: 16) + bytes }
    }

    func dialogue() -> [UInt8] {
        var bank = Bank()
        bank.u16(1)      // levelMax: the tree is 96 bytes from 32, Joe's records at 128
        bank.u16(0)      // uniqueKey
        bank.u16(2)      // talkKey: names start "02"
        bank.u16(2)      // Joe records
        bank.u16(1)      // person records
        bank.pad(to: 128)
        bank.u16(0); bank.u16(0); bank.string("Hi, I'm Joe.", align: 4)              // greeting slot (id 0)
        bank.u16(0); bank.u16(6); bank.string("At least*03 I try.", align: 4)         // 020006J1, 020006J2 (no text names J3)
        let personOffset = bank.bytes.count
        bank.u16(0); bank.u16(0xFF); bank.string("You couldn't pilot a bag.", align: 4)  // 0200FFP1
        let greetingOffset = bank.bytes.count
        bank.string("0", align: 2)               // no person repeat greeting
        bank.string("Hello again.", align: 2)    // 02XXXXJ1
        return bank.set(personOffset, at: 22).set(greetingOffset, at: 26).resource
    }

    func cutaway() -> [UInt8] {
        var bank = Bank()
        bank.u16(0); bank.u16(3); bank.u16(0); bank.u16(0); bank.u16(12)  // 3 objects, sentences at 12
        bank.pad(to: 12)
        bank.string("*FL", align: 2)             // entry string, not spoken
        bank.string("Who are you?!", align: 2)   // C1A__011
        bank.string("", align: 2)                // object 2 says nothing
        bank.string("(sigh)", align: 2)          // C1A__031, left out: a sound tag
        return bank.resource
    }

    func textTables() -> (jas: [UInt8], text: [UInt8]) {
        var bank = Bank()
        bank.u16(1); bank.u16(1); bank.u16(0); bank.u16(2)   // 1 room, 1 name, 0 objects, 2 descriptions
        let responses = (1...40).map { $0 == 22 ? "Sound FX on" : "Response \($0)." }
        let lines = ["It looks like a rocket pack!", "c2c.CUT", "ROCKET", "JUNGLE"]
            + (1...12).map { "verb\($0)" } + responses
        return (bank.resource, Array(lines.joined(separator: "\r\n").utf8))
    }

    func writeArchive(_ resources: [(String, [UInt8])], compression: UInt8 = 1) throws -> URL {
        let sorted = resources.sorted { $0.0 < $1.0 }
        var header = Array("QTBL".utf8) + Array("CEM10".utf8) + [0, 0, 0, compression]
        header += [UInt8(sorted.count >> 8), UInt8(sorted.count & 0xFF)]
        var offset = header.count + 21 * sorted.count
        var table: [UInt8] = []
        for (name, bytes) in sorted {
            table += Array(name.utf8) + [UInt8](repeating: 0, count: 12 - name.utf8.count) + [1]
            for value in [offset, bytes.count] { table += (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }
            offset += bytes.count
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("queen-\(UUID().uuidString).1c")
        try Data(header + table + sorted.flatMap(\.1)).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testPairsEveryKindOfLineAndLeavesOutWhatIsNotSpeech() throws {
        let tables = textTables()
        let clips = ["020006J1.SB", "020006J2.SB", "020006J3.SB", "0200FFP1.SB", "02SSSSJ1.SB", "02XXXXJ1.SB",
                     "C1A__011.SB", "C1A__031.SB", "JOE00011.SB", "JOE00221.SB", "JOE00411.SB", "27SSSSSS.SB"]
        let url = try writeArchive([("QUEEN.JAS", tables.jas), ("QUEEN2.JAS", tables.text), ("AND1.DOG", dialogue()),
                                    ("C1A.CUT", cutaway())] + clips.map { ($0, [0xFF, 0xE3]) })
        let speech = try QueenSpeech(archive: try QueenArchive(path: url))
        let (lines, excluded) = try speech.pairing()
        let texts = Dictionary(uniqueKeysWithValues: lines.map { ($0.clip, $0.textRaw) })
        XCTAssertEqual(texts, [
            "JOE00011.SB": "Response 1.", "JOE00411.SB": "It looks like a rocket pack!",
            "020006J1.SB": "At least", "020006J2.SB": "I try.", "0200FFP1.SB": "You couldn't pilot a bag.",
            "02SSSSJ1.SB": "Hi, I'm Joe.", "02XXXXJ1.SB": "Hello again.", "C1A__011.SB": "Who are you?!",
        ])
        XCTAssertEqual(lines.first { $0.clip == "0200FFP1.SB" }?.speaker, "and")
        XCTAssertEqual(lines.first { $0.clip == "C1A__011.SB" }?.speaker, "cutaway")
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: excluded.map { ($0.line.clip, $0.reason) }),
                       ["JOE00221.SB": "menu or disk prompt", "C1A__031.SB": "sound tag or symbols"])
    }

    func testRejectsOtherArchivesWithTheirPath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-queen-\(UUID().uuidString).1c")
        try Data(Array("RIFF0000WAVE1234567".utf8)).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try QueenArchive(path: url)) { error in
            XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains("QTBL"), "\(error)")
        }
        let raw = try writeArchive([("QUEEN.JAS", textTables().jas)], compression: 0)
        XCTAssertThrowsError(try QueenSpeech(archive: try QueenArchive(path: raw))) { error in
            XCTAssertTrue("\(error)".contains("compression 0"), "\(error)")
        }
    }
}
