/// Turns ids back into text. ByteLevel maps each token's characters back to bytes (a
/// token with characters outside the byte alphabet, like an added " <mask>", contributes
/// its UTF-8 as is) and decodes the bytes lossily, as HF does. SentencePiece-style files
/// chain `DecodeStep`s over the token strings instead.
struct TokenDecoder: Sendable {
    enum Kind: Sendable, Equatable { case byteLevel, joinWithSpaces, steps([DecodeStep]) }
    let kind: Kind
    /// Bytes of each id's token; nil where no token has that id.
    private var bytesById: [[UInt8]?]

    init(kind: Kind, tokensById: [Int: String]) {
        self.kind = kind
        let size = (tokensById.keys.max() ?? -1) + 1
        var table = [[UInt8]?](repeating: nil, count: size)
        for (id, token) in tokensById where id >= 0 {
            table[id] = kind == .byteLevel ? (ByteLevelAlphabet.decode(token) ?? Array(token.utf8)) : Array(token.utf8)
        }
        bytesById = table
    }

    /// `keep` filters ids (used to skip special tokens); unknown ids are dropped like HF.
    func decode(_ ids: [Int], keep: (Int) -> Bool) -> String {
        if case let .steps(steps) = kind {
            let tokens = ids.compactMap { id -> String? in
                guard id >= 0 && id < bytesById.count && keep(id), let bytes = bytesById[id] else { return nil }
                return String(decoding: bytes, as: UTF8.self)
            }
            return steps.reduce(tokens) { $1.apply($0) }.joined()
        }
        var bytes: [UInt8] = []
        var first = true
        for id in ids where id >= 0 && id < bytesById.count && keep(id) {
            guard let tokenBytes = bytesById[id] else { continue }
            if kind == .joinWithSpaces && !first { bytes.append(0x20) }
            bytes.append(contentsOf: tokenBytes)
            first = false
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func parse(_ value: Any?, file: JSONFile) throws -> Kind {
        if JSONFile.isNull(value) { return .joinWithSpaces }
        let json = try file.object(value, "decoder")
        let type = try file.string(json["type"], "decoder.type")
        switch type {
        case "ByteLevel":
            return .byteLevel
        case "Sequence":
            let steps = try file.array(json["decoders"], "decoder.decoders")
            return .steps(try steps.enumerated().map { index, step in
                let field = "decoder.decoders[\(index)]"
                return try DecodeStep(json: file.object(step, field), file: file, field: field)
            })
        default:
            return .steps([try DecodeStep(json: json, file: file, field: "decoder")])
        }
    }
}

extension TokenDecoder {
    /// Adds a token added after loading (a new pad token).
    mutating func register(id: Int, token: String) {
        if id >= bytesById.count { bytesById += [[UInt8]?](repeating: nil, count: id + 1 - bytesById.count) }
        bytesById[id] = kind == .byteLevel ? (ByteLevelAlphabet.decode(token) ?? Array(token.utf8)) : Array(token.utf8)
    }
}
