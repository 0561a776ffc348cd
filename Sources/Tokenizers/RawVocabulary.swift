import Foundation

/// tokenizer.json's `model.vocab` and `model.merges` read byte for byte.
///
/// Foundation's JSON parser hands back Swift Strings, which is lossy for plain-text
/// (SentencePiece-style) vocabularies: canonically equivalent tokens ("Å" U+00C5 and
/// U+212B, "é" and "e" + U+0301) are equal Strings and collide as dictionary keys, and a
/// leading U+FEFF is dropped from string values. Gemma 3's vocabulary has 434 such
/// collisions and merges of "\u{FEFF}\u{FEFF}" tokens. Byte-level vocabularies are immune
/// (their alphabet has no combining characters) and keep the Foundation path.
struct RawVocabulary {
    /// (token UTF-8, id) in file order.
    var vocab: [(token: [UInt8], id: Int)] = []
    /// (left, right) UTF-8 in rank order.
    var merges: [(left: [UInt8], right: [UInt8])] = []

    init(json data: Data, path: String) throws {
        var reader = RawJSONReader(bytes: [UInt8](data), path: path)
        try reader.members { reader, key in
            guard key == Array("model".utf8) else { return try reader.skipValue() }
            try reader.members { reader, key in
                switch String(decoding: key, as: UTF8.self) {
                case "vocab":
                    try reader.members { reader, token in vocab.append((token, try reader.int())) }
                case "merges":
                    try reader.elements { reader in merges.append(try reader.merge()) }
                default:
                    try reader.skipValue()
                }
            }
        }
    }
}

/// A forward-only JSON reader over UTF-8 bytes that returns strings as exact UTF-8.
private struct RawJSONReader {
    let bytes: [UInt8]
    let path: String
    var at = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    func error(_ what: String) -> TokenizerError {
        .malformedJSON(path: path, detail: "\(what) at byte \(at)")
    }

    mutating func skipSpace() {
        while at < bytes.count, Self.isSpace(bytes[at]) { at += 1 }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    mutating func consume(_ byte: UInt8) throws {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
        at += 1
    }

    /// Calls `body` with each key of the object at the cursor; `body` must read the value.
    mutating func members(_ body: (inout RawJSONReader, [UInt8]) throws -> Void) throws {
        try consume(UInt8(ascii: "{"))
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return }
        while true {
            let key = try string()
            try consume(UInt8(ascii: ":"))
            try body(&self, key)
            skipSpace()
            guard at < bytes.count else { throw error("unterminated object") }
            at += 1
            if bytes[at - 1] == UInt8(ascii: "}") { return }
            guard bytes[at - 1] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
        }
    }

    /// Calls `body` for each element of the array at the cursor; `body` must read it.
    mutating func elements(_ body: (inout RawJSONReader) throws -> Void) throws {
        try consume(UInt8(ascii: "["))
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return }
        while true {
            try body(&self)
            skipSpace()
            guard at < bytes.count else { throw error("unterminated array") }
            at += 1
            if bytes[at - 1] == UInt8(ascii: "]") { return }
            guard bytes[at - 1] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
        }
    }

    /// A merge: ["left", "right"] or the older "left right".
    mutating func merge() throws -> (left: [UInt8], right: [UInt8]) {
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "[") {
            var parts: [[UInt8]] = []
            try elements { reader in parts.append(try reader.string()) }
            guard parts.count == 2 else { throw error("a merge pair must have two strings") }
            return (parts[0], parts[1])
        }
        let pair = try string()
        guard let space = pair.firstIndex(of: 0x20) else { throw error("a merge string must be \"left right\"") }
        return (Array(pair[..<space]), Array(pair[(space + 1)...]))
    }

    mutating func int() throws -> Int {
        skipSpace()
        let start = at
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
        guard at > start, let value = Int(String(decoding: bytes[start..<at], as: UTF8.self)) else {
            throw error("expected an integer")
        }
        return value
    }

    /// The string at the cursor, unescaped, as UTF-8.
    mutating func string() throws -> [UInt8] {
        try consume(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { break }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"): out.append(contentsOf: try unicodeEscape())
                default: out.append(escape)  // \" \\ \/
                }
            default:
                out.append(byte)
            }
        }
        throw error("unterminated string")
    }

    /// After "\u": one code unit, or a surrogate pair spelled as two escapes, as UTF-8.
    private mutating func unicodeEscape() throws -> [UInt8] {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
           bytes[at + 1] == UInt8(ascii: "u") {
            at += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let value = Unicode.Scalar(scalar) else { throw error("lone surrogate \\u\(String(scalar, radix: 16))") }
        return Array(String(Character(value)).utf8)
    }

    private mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16) else {
            throw error("invalid \\u escape")
        }
        at += 4
        return value
    }

    /// Skips any value (string, number, literal, object, array).
    mutating func skipValue() throws {
        skipSpace()
        guard at < bytes.count else { throw error("expected a value") }
        switch bytes[at] {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"):
            try members { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["):
            try elements { reader in try reader.skipValue() }
        default:  // number, true, false, null
            while at < bytes.count, bytes[at] != UInt8(ascii: ","), bytes[at] != UInt8(ascii: "}"),
                  bytes[at] != UInt8(ascii: "]"), !Self.isSpace(bytes[at]) { at += 1 }
        }
    }
}
