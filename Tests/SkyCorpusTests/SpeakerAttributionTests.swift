import Foundation
import XCTest
@testable import SkyCorpus

final class SpeakerAttributionTests: XCTestCase {
    /// A sky.cpt with one list: [empty, "joey" (base script 0x0002), "door" (action script 0x0001)].
    func syntheticCompacts() throws -> CompactTable {
        var joey = [UInt16](repeating: 0, count: 30)
        joey[CompactTable.baseScriptWord] = 2
        var door = [UInt16](repeating: 0, count: 30)
        door[CompactTable.actionScriptWord] = 1
        let words: [UInt16] = [0] + [30, UInt16(CompactTable.objectType)] + joey + [30, 1] + door
        var bytes: [UInt8] = []
        func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: Int) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        u16(0); u16(1); u16(3)
        u32(60); u32(words.count); words.forEach(u16)
        let names = Array("joey\0door\0".utf8)
        u32(names.count); bytes += names
        return try CompactTable(data: Data(bytes))
    }

    /// Module 0 with script 1 (the door's action script, run by the player) and script 2
    /// (joey's base script). Words: push = 2 n, push_var = 0 4v, call = 11 argc 4f, exit = 19.
    func syntheticModule() throws -> ScriptModule {
        let script1: [UInt16] = [
            2, 1, 2, 100, 2, 9, 11, 3, 35 * 4,   // fnSpeakMe(joey, 100)
            0, 48, 2, 101, 2, 9, 11, 3, 36 * 4,  // fnSpeakMeDir(CUR_ID, 101)
            2, 102, 2, 9, 11, 2, 70 * 4,         // fnAskThis(102, 9)
            0, 48, 2, 105, 2, 9, 11, 3, 35 * 4,  // fnSpeakMe(CUR_ID, 105) in an action script
            2, 1, 2, 106, 2, 9, 11, 3, 37 * 4,   // fnSpeakWait(joey, 106) ...
            19,
        ]
        let script2: [UInt16] = [
            0, 480, 2, 103, 2, 9, 11, 3, 37 * 4, // fnSpeakWait(partner variable, 103)
            0, 48, 2, 104, 2, 9, 11, 3, 35 * 4,  // fnSpeakMe(CUR_ID, 104) in joey's base script
            0, 48, 2, 106, 2, 9, 11, 3, 36 * 4,  // ... and fnSpeakMeDir(CUR_ID, 106): conflict
            14, 1, 7, 4, 2,                      // a switch, to check its variable length
            19,
        ]
        let words: [UInt16] = [3, 3, UInt16(3 + script1.count)] + script1 + script2
        return try ScriptModule(number: 0, bytes: words.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    }

    func testCompactTableParsesNamesAndWords() throws {
        let table = try syntheticCompacts()
        XCTAssertEqual(table.compacts.count, 2)
        XCTAssertEqual(table.name(1), "joey")
        XCTAssertEqual(table.name(2), "door")
        XCTAssertNil(table.name(0))
        XCTAssertEqual(table.compacts[2]?.words[CompactTable.actionScriptWord], 1)
        XCTAssertThrowsError(try CompactTable(data: Data([1, 0]))) {
            XCTAssertEqual($0 as? CompactTableError, .unsupportedVersion(1))
        }
        XCTAssertThrowsError(try CompactTable(data: Data([0, 0, 1]))) {
            XCTAssertEqual($0 as? CompactTableError, .truncated(at: 2))
        }
    }

    func testModuleDisassembly() throws {
        let module = try syntheticModule()
        XCTAssertEqual(Set(module.scripts.keys), [1, 2])
        XCTAssertEqual(module.scripts[1]?.count, 20)
        XCTAssertEqual(module.scripts[2]?.last, ScriptInstruction(opcode: 19, operands: []))
        XCTAssertEqual(module.scripts[2]?.dropLast().last, ScriptInstruction(opcode: 14, operands: [1, 7, 4, 2]))
        XCTAssertEqual(module.scripts[1]?[3].call?.function, 35)
        XCTAssertEqual(module.scripts[1]?[4].variable, 12)
        XCTAssertThrowsError(try ScriptModule(number: 3, bytes: [2, 0, 2, 0, 99, 0])) {
            XCTAssertEqual($0 as? ScriptModuleError, .unknownOpcode(module: 3, script: 1, word: 2, opcode: 99))
        }
    }

    func testAttributionRules() throws {
        let table = SpeakerAttribution.speakers(modules: [try syntheticModule()], compacts: try syntheticCompacts())
        XCTAssertEqual(table.speaker(forTextNumber: 100), "joey", "constant speaker id")
        XCTAssertEqual(table.speaker(forTextNumber: 101), "foster", "fnSpeakMeDir is the player's")
        XCTAssertEqual(table.speaker(forTextNumber: 102), "foster", "dialogue choice")
        XCTAssertNil(table.speaker(forTextNumber: 103), "speaker held in a variable")
        XCTAssertEqual(table.speaker(forTextNumber: 104), "joey", "CUR_ID in joey's base script")
        XCTAssertEqual(table.speaker(forTextNumber: 105), "foster", "CUR_ID in an action script")
        XCTAssertNil(table.speaker(forTextNumber: 106), "conflicting evidence")
        let limited = SpeakerAttribution.speakers(modules: [try syntheticModule()], compacts: try syntheticCompacts(),
                                                  texts: [100])
        XCTAssertEqual(limited.names, [100: "joey"])
    }

    func testInstalledGameSpeakers() throws {
        let game = try SkySpeech(directory: InstalledGame.require())
        let lines = Dictionary(uniqueKeysWithValues: try game.lines().map { ($0.textNumber, $0) })
        XCTAssertEqual(lines[7]?.speaker, "foster")
        XCTAssertEqual(lines[17088]?.textRaw, "I REST my CASE, m'Lord.")
        XCTAssertEqual(lines[17088]?.speaker, "sc42_prosecution")
        XCTAssertNil(lines[11]?.speaker)
        XCTAssertEqual(lines[11]?.speakerLabel, "section0")
        let attributed = lines.values.filter { $0.speaker != nil }.count
        XCTAssertGreaterThan(attributed, lines.count / 3, "scripts attribute a large share of the lines")
    }
}
