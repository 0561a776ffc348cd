/// Errors raised while disassembling a script module (files 60400...60406).
public enum ScriptModuleError: Error, Equatable, CustomStringConvertible {
    case empty(module: Int)
    case unknownOpcode(module: Int, script: Int, word: Int, opcode: UInt16)
    case truncated(module: Int, script: Int)

    public var description: String {
        switch self {
        case let .empty(m): "script module \(m) is empty"
        case let .unknownOpcode(m, s, w, op): "module \(m) script \(s): unknown opcode \(op) at word \(w)"
        case let .truncated(m, s): "module \(m) script \(s) runs past the end of the module"
        }
    }
}

/// One instruction of the game's stack-machine bytecode: opcode and its operand words.
public struct ScriptInstruction: Equatable, Sendable {
    public let opcode: UInt16
    public let operands: [UInt16]

    public static let pushVariable: UInt16 = 0
    public static let pushNumber: UInt16 = 2
    public static let popVariable: UInt16 = 6
    public static let callMcode: UInt16 = 11
    public static let switchTable: UInt16 = 14

    /// Words per instruction, opcode included. `switch` is variable: opcode, case count n,
    /// n (value, jump) pairs, default jump. Opcodes 13 and 19 end a script, 20 restarts it.
    static let fixedLength: [UInt16: Int] = [
        0: 2, 1: 1, 2: 2, 3: 1, 4: 1, 5: 2, 6: 2, 7: 1, 8: 1, 9: 2, 10: 1, 11: 3,
        12: 1, 13: 1, 15: 2, 16: 2, 17: 1, 18: 2, 19: 1, 20: 1,
    ]

    /// Variables are addressed in bytes (4 per variable) in the bytecode.
    public var variable: Int? {
        opcode == Self.pushVariable || opcode == Self.popVariable ? Int(operands[0]) / 4 : nil
    }

    public var number: Int? { opcode == Self.pushNumber ? Int(operands[0]) : nil }

    /// For `call_mcode`: (engine function number, argument count).
    public var call: (function: Int, argumentCount: Int)? {
        opcode == Self.callMcode ? (Int(operands[1]) / 4, Int(operands[0])) : nil
    }
}

/// A script module: word 0 is the size of the script table, words 1..<size hold each
/// script's start (in words from the module start; 0 = no script). Script `i` of module
/// `m` has the id `m << 12 | i`. Each script is disassembled linearly up to the next
/// script's start, which covers all its code because jumps only skip within a script.
public struct ScriptModule: Sendable {
    public let number: Int
    public let scripts: [Int: [ScriptInstruction]]

    public init(number: Int, bytes: [UInt8]) throws {
        self.number = number
        let words = stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
        guard let tableSize = words.first.map(Int.init), tableSize <= words.count else {
            throw ScriptModuleError.empty(module: number)
        }
        let entries = (1..<max(1, tableSize)).compactMap { i in words[i] == 0 ? nil : (i, Int(words[i])) }
        let starts = Set(entries.map(\.1)).sorted()
        var result: [Int: [ScriptInstruction]] = [:]
        for (index, start) in entries {
            let end = starts.first { $0 > start } ?? words.count
            var code: [ScriptInstruction] = []
            var pc = start
            while pc < end {
                let op = words[pc]
                let length: Int
                if op == ScriptInstruction.switchTable {
                    guard pc + 1 < words.count else { throw ScriptModuleError.truncated(module: number, script: index) }
                    length = 3 + 2 * Int(words[pc + 1])
                } else if let fixed = ScriptInstruction.fixedLength[op] {
                    length = fixed
                } else {
                    throw ScriptModuleError.unknownOpcode(module: number, script: index, word: pc, opcode: op)
                }
                guard pc + length <= words.count else { throw ScriptModuleError.truncated(module: number, script: index) }
                code.append(ScriptInstruction(opcode: op, operands: Array(words[(pc + 1)..<(pc + length)])))
                pc += length
            }
            result[number << 12 | index] = code
        }
        scripts = result
    }
}
