/// JSON with object keys kept in insertion order, for files people read and diff (config.json)
/// and for vocabularies written in id order, as Hugging Face writes them. Non-ASCII text is
/// written as UTF-8, doubles in Swift's shortest round-trip form (`1e-06`, `1000000.0`).
indirect enum GGUFJSON {
    case object([(String, GGUFJSON)])
    case array([GGUFJSON])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    /// Serialises with `indent` spaces per level; arrays whose items are all scalars stay on one
    /// line (merges pairs, id lists) to keep large files compact.
    func serialized(indent: Int = 2) -> String {
        var out = ""
        write(to: &out, level: 0, indent: indent)
        out += "\n"
        return out
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    private func write(to out: inout String, level: Int, indent: Int) {
        let pad = String(repeating: " ", count: (level + 1) * indent)
        let closePad = String(repeating: " ", count: level * indent)
        switch self {
        case .object(let items):
            if items.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in items.enumerated() {
                out += pad
                Self.writeString(key, to: &out)
                out += ": "
                value.write(to: &out, level: level + 1, indent: indent)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if items.allSatisfy(\.isScalar) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    item.write(to: &out, level: level + 1, indent: indent)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(to: &out, level: level + 1, indent: indent)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .string(let s): Self.writeString(s, to: &out)
        case .int(let v): out += String(v)
        case .double(let v): out += v.isFinite ? "\(v)" : "null"
        case .bool(let v): out += v ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension GGUFJSON {
    /// An optional value, `null` when absent.
    static func optionalInt(_ v: Int?) -> GGUFJSON { v.map { .int($0) } ?? .null }
    static func optionalString(_ v: String?) -> GGUFJSON { v.map { .string($0) } ?? .null }
}
