/// Byte-level BPE (`tokenizer.ggml.model` gpt2): GPT-2, SmolLM, Qwen2, Llama 3 vocabularies.
extension GGUFTokenizer {
    /// GPT-2's printable stand-ins for the 256 byte values (`bytes_to_unicode`).
    static let byteAlphabet: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            table[b] = Unicode.Scalar(printable ? UInt32(b) : next)!
            if !printable { next += 1 }
        }
        return table
    }()
    static let byteAlphabetSet = Set(byteAlphabet)

    static func inAlphabet(_ token: String) -> Bool { token.unicodeScalars.allSatisfy { byteAlphabetSet.contains($0) } }

    /// The split pattern of each `tokenizer.ggml.pre` llama.cpp knows for these families: the
    /// regexes of llama-vocab.cpp / the models' own tokenizer.json.
    enum PreTokenizer {
        case gpt2            // ByteLevel's own GPT-2 regex
        case digitsThenGPT2  // SmolLM: every digit alone, then GPT-2
        case split(String)   // one regex, then ByteLevel without its regex
    }

    static let qwen2Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    func preTokenizer() throws -> PreTokenizer {
        switch pre {
        case "default", "gpt-2", "gpt2": return .gpt2
        case "smollm": return .digitsThenGPT2
        case "qwen2", "deepseek-r1-qwen": return .split(Self.qwen2Split)
        case "llama3", "llama-v3", "llama-bpe", "smaug-bpe", "falcon3": return .split(Self.llama3Split)
        default:
            throw GGUFError("\(file.path): tokenizer.ggml.pre '\(pre)' is not supported (default, gpt-2, smollm, qwen2, deepseek-r1-qwen, llama-bpe and its aliases)")
        }
    }

    func byteLevelJSON() throws -> GGUFJSON {
        guard let mergeLines = file["tokenizer.ggml.merges"]?.strings else { throw GGUFError("\(file.path): gpt2 tokenizer without tokenizer.ggml.merges") }
        // Tokens outside the byte alphabet (none in well-formed files) are respelled byte by byte.
        let spelled = tokens.map { Self.inAlphabet($0) ? $0 : String(String.UnicodeScalarView($0.utf8.map { Self.byteAlphabet[Int($0)] })) }
        let vocab = Self.vocabulary(spelled)
        let ids = Set(vocab.map { CodePointString($0.0) })
        let merges: [(String, String)] = try mergeLines.map { line in
            let scalars = line.unicodeScalars  // split on the code point, not a grapheme
            guard let space = scalars.firstIndex(of: " ") else { throw GGUFError("\(file.path): merge '\(line)' has no space") }
            return (String(scalars[..<space]), String(scalars[scalars.index(after: space)...]))
        }

        // Control tokens become special added tokens, user-defined ones plain added tokens. A
        // "control" token spelled outside the byte alphabet is a llama.cpp mislabel: skipped.
        var added: [GGUFJSON] = []
        for (i, t) in tokens.enumerated() where i < types.count {
            if types[i] == TokenType.control && Self.inAlphabet(t) { added.append(Self.addedToken(i, t, special: true)) }
            if types[i] == TokenType.userDefined && ids.contains(CodePointString(t)) { added.append(Self.addedToken(i, t, special: false)) }
        }

        let byteLevel = { (regex: Bool) -> GGUFJSON in
            .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(false)), ("trim_offsets", .bool(true)), ("use_regex", .bool(regex))])
        }
        let split: GGUFJSON, ignoreMerges: Bool
        switch try preTokenizer() {
        case .gpt2: (split, ignoreMerges) = (byteLevel(true), false)
        case .digitsThenGPT2:
            split = .object([("type", .string("Sequence")), ("pretokenizers", .array([
                .object([("type", .string("Digits")), ("individual_digits", .bool(true))]), byteLevel(true)]))])
            ignoreMerges = false
        case .split(let regex):
            split = .object([("type", .string("Sequence")), ("pretokenizers", .array([
                .object([("type", .string("Split")), ("pattern", .object([("Regex", .string(regex))])),
                         ("behavior", .string("Isolated")), ("invert", .bool(false))]),
                byteLevel(false)]))])
            ignoreMerges = regex == Self.llama3Split  // llama.cpp and Llama 3's tokenizer.json
        }
        // Qwen2's own tokenizer NFC-normalises (llama.cpp does not; identical on NFC text).
        let normalizer: GGUFJSON = pre.hasPrefix("qwen2") || pre == "deepseek-r1-qwen" ? .object([("type", .string("NFC"))]) : .null

        return .object([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null),
            ("added_tokens", .array(added)),
            ("normalizer", normalizer),
            ("pre_tokenizer", split),
            ("post_processor", postProcessor()),
            ("decoder", .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(true)), ("trim_offsets", .bool(true)), ("use_regex", .bool(true))])),
            ("model", Self.bpeModel(vocab: vocab, merges: merges, unk: nil, byteFallback: false, ignoreMerges: ignoreMerges)),
        ])
    }

    /// BOS/EOS around each sequence where the file asks for them; otherwise ids pass through.
    func postProcessor() -> GGUFJSON {
        var single: [GGUFJSON] = [], pair: [GGUFJSON] = [], specials: [(String, GGUFJSON)] = []
        func special(_ key: String, typeId: Int) -> GGUFJSON? {
            guard let t = token(key), let i = id(key) else { return nil }
            if !specials.contains(where: { $0.0 == t }) {
                specials.append((t, .object([("id", .string(t)), ("ids", .array([.int(i)])), ("tokens", .array([.string(t)]))])))
            }
            return .object([("SpecialToken", .object([("id", .string(t)), ("type_id", .int(typeId))]))])
        }
        func sequence(_ name: String, _ typeId: Int) -> GGUFJSON {
            .object([("Sequence", .object([("id", .string(name)), ("type_id", .int(typeId))]))])
        }
        for (name, typeId) in [("A", 0), ("B", 1)] {
            var part: [GGUFJSON] = []
            if addBOS, let b = special("bos_token_id", typeId: typeId) { part.append(b) }
            part.append(sequence(name, typeId))
            if addEOS, let e = special("eos_token_id", typeId: typeId) { part.append(e) }
            if name == "A" { single = part }
            pair += part
        }
        return .object([("type", .string("TemplateProcessing")), ("single", .array(single)), ("pair", .array(pair)),
                        ("special_tokens", .object(specials))])
    }
}
