/// Post-processors: what encode(addSpecialTokens: true) wraps around the ids.
indirect enum PostProcessor: Sendable {
    /// Only adjusts offsets in HF; ids are unchanged.
    case byteLevel
    /// TemplateProcessing's single-sequence template, e.g. Llama-3's "<|begin_of_text|> $A".
    case template([TemplatePiece])
    case sequence([PostProcessor])

    enum TemplatePiece: Sendable, Equatable {
        case special([Int])
        case sequence
    }

    func apply(_ ids: [Int]) -> [Int] {
        switch self {
        case .byteLevel:
            return ids
        case let .template(pieces):
            return pieces.flatMap { piece -> [Int] in
                switch piece {
                case let .special(specialIds): return specialIds
                case .sequence: return ids
                }
            }
        case let .sequence(steps):
            return steps.reduce(ids) { $1.apply($0) }
        }
    }

    /// How many ids apply(_:) adds to a sequence (truncation leaves room for them).
    var addedCount: Int { apply([]).count }

    /// The ids apply(_:) puts before a sequence (e.g. Gemma's `<bos>`).
    var leadingIds: [Int] {
        let marker = -1  // never a token id
        return Array(apply([marker]).prefix { $0 != marker })
    }
}

extension PostProcessor {
    static func parse(_ value: Any?, file: JSONFile, field: String = "post_processor") throws -> PostProcessor? {
        if JSONFile.isNull(value) { return nil }
        let json = try file.object(value, field)
        let type = try file.string(json["type"], field + ".type")
        switch type {
        case "ByteLevel":
            return .byteLevel
        case "Sequence":
            let steps = try file.array(json["processors"], field + ".processors")
            return .sequence(try steps.enumerated().compactMap { index, step in
                try parse(step, file: file, field: "\(field).processors[\(index)]")
            })
        case "TemplateProcessing":
            let specials = try file.object(json["special_tokens"] ?? [String: Any](), field + ".special_tokens")
            let single = try file.array(json["single"], field + ".single")
            return .template(try single.enumerated().map { index, item in
                let itemField = "\(field).single[\(index)]"
                let object = try file.object(item, itemField)
                if object["Sequence"] != nil { return .sequence }
                let special = try file.object(object["SpecialToken"], itemField + ".SpecialToken")
                let name = try file.string(special["id"], itemField + ".SpecialToken.id")
                let entry = try file.object(specials[name], "\(field).special_tokens[\"\(name)\"]")
                let ids = try file.array(entry["ids"], "\(field).special_tokens[\"\(name)\"].ids")
                return .special(try ids.map { try file.int($0, "\(field).special_tokens[\"\(name)\"].ids") })
            })
        default:
            throw file.unsupported("post-processor type '\(type)' at \(field) (supported: ByteLevel, TemplateProcessing, Sequence)")
        }
    }
}
