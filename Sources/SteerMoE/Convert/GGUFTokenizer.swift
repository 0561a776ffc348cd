/// Rebuilds `tokenizer.json` + `tokenizer_config.json` from `tokenizer.ggml.*` metadata, as
/// transformers' GGUF tokenizer builder does (integrations/gguf/gguf_tokenizer_mapping.py), with
/// the pre-tokenizer chosen from `tokenizer.ggml.pre` the way llama.cpp's `llama-vocab.cpp` does.
struct GGUFTokenizer {
    let file: GGUFFile
    let architecture: String
    let tokens: [String]
    let types: [Int]

    /// llama.cpp token types (`llama_token_type`).
    enum TokenType { static let control = 3, userDefined = 4 }

    init(file: GGUFFile, architecture: String) throws {
        self.file = file
        self.architecture = architecture
        guard let tokens = file["tokenizer.ggml.tokens"]?.strings, !tokens.isEmpty else {
            throw GGUFError("\(file.path): no tokenizer.ggml.tokens")
        }
        self.tokens = tokens
        types = file["tokenizer.ggml.token_type"]?.ints ?? []
    }

    var model: String { file["tokenizer.ggml.model"]?.string ?? "" }
    var pre: String { file["tokenizer.ggml.pre"]?.string ?? "default" }
    func id(_ key: String) -> Int? { file["tokenizer.ggml.\(key)"]?.int }
    func token(_ key: String) -> String? { id(key).flatMap { $0 < tokens.count ? tokens[$0] : nil } }
    /// llama.cpp adds BOS to SentencePiece vocabularies unless the file says otherwise.
    var addBOS: Bool { file["tokenizer.ggml.add_bos_token"]?.bool ?? (model == "llama") }
    var addEOS: Bool { file["tokenizer.ggml.add_eos_token"]?.bool ?? false }

    func tokenizerJSON() throws -> GGUFJSON {
        switch model {
        case "gpt2": return try byteLevelJSON()
        case "llama" where architecture == "gemma3": return gemmaJSON()
        default:
            throw GGUFError("\(file.path): tokenizer model '\(model)' for \(architecture) is not supported (gpt2 byte-level BPE; llama SentencePiece for gemma3)")
        }
    }

    func tokenizerConfigJSON(maxLength: Int?) -> GGUFJSON {
        var items: [(String, GGUFJSON)] = [
            ("add_bos_token", .bool(addBOS)),
            ("add_eos_token", .bool(addEOS)),
            ("bos_token", .optionalString(token("bos_token_id"))),
            ("eos_token", .optionalString(token("eos_token_id"))),
            ("pad_token", .optionalString(token("padding_token_id"))),
            ("unk_token", .optionalString(token("unknown_token_id"))),
            ("clean_up_tokenization_spaces", .bool(false)),
            ("model_max_length", .optionalInt(maxLength)),
            ("tokenizer_class", .string(model == "llama" ? "GemmaTokenizer" : "PreTrainedTokenizerFast")),
        ]
        if model == "llama" { items.append(("mask_token", .string("<mask>"))) }  // GemmaTokenizer's default
        if let template = file["tokenizer.chat_template"]?.string { items.append(("chat_template", .string(template))) }
        return .object(items)
    }

    static func addedToken(_ id: Int, _ content: String, special: Bool) -> GGUFJSON {
        .object([("id", .int(id)), ("content", .string(content)), ("single_word", .bool(false)), ("lstrip", .bool(false)),
                 ("rstrip", .bool(false)), ("normalized", .bool(false)), ("special", .bool(special))])
    }

    static func bpeModel(vocab: [(String, Int)], merges: [(String, String)], unk: String?, byteFallback: Bool,
                         ignoreMerges: Bool) -> GGUFJSON {
        .object([
            ("type", .string("BPE")), ("dropout", .null), ("unk_token", .optionalString(unk)),
            ("continuing_subword_prefix", byteFallback ? .null : .string("")),
            ("end_of_word_suffix", byteFallback ? .null : .string("")),
            ("fuse_unk", .bool(byteFallback)), ("byte_fallback", .bool(byteFallback)), ("ignore_merges", .bool(ignoreMerges)),
            ("vocab", .object(vocab.map { ($0.0, .int($0.1)) })),
            ("merges", .array(merges.map { .array([.string($0.0), .string($0.1)]) })),
        ])
    }

    /// Token → id in id order; a spelling that occurs twice keeps its last id, as a Python dict.
    static func vocabulary(_ spelled: [String]) -> [(String, Int)] {
        var last: [CodePointString: Int] = [:]
        for (i, t) in spelled.enumerated() { last[CodePointString(t)] = i }
        return spelled.enumerated().compactMap { last[CodePointString($0.element)] == $0.offset ? ($0.element, $0.offset) : nil }
    }
}

/// A string compared scalar by scalar. Swift's `String ==` is canonical equivalence, under which
/// distinct vocabulary entries collide (";" U+003B and Greek ";" U+037E, precomposed and
/// decomposed "য়"); tokenizers compare code points.
struct CodePointString: Hashable {
    let string: String
    init(_ string: String) { self.string = string }
    static func == (a: CodePointString, b: CodePointString) -> Bool { a.string.unicodeScalars.elementsEqual(b.string.unicodeScalars) }
    func hash(into h: inout Hasher) { for s in string.unicodeScalars { h.combine(s.value) } }
}
