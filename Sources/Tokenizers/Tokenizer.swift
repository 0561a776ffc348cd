import Foundation

/// A Hugging Face BPE tokenizer loaded from tokenizer.json, producing the same ids as HF
/// `tokenizers`: byte-level (GPT-2, SmolLM2, Qwen2/2.5/3, Llama-3 families) or
/// SentencePiece-style with byte fallback (Gemma, Llama 2).
public struct Tokenizer: Sendable {
    let model: BPEModel
    let normalizer: Normalizer?
    /// nil: the whole normalized text is one word (SentencePiece-style files may have none).
    let preTokenizer: PreTokenizer?
    let postProcessor: PostProcessor?
    private(set) var decoder: TokenDecoder
    public private(set) var addedTokens: [AddedToken]
    /// Added tokens matched on the raw input / on normalized text.
    private var rawMatcher: AddedTokenMatcher
    private var normalizedMatcher: AddedTokenMatcher
    private var addedIdByContent: [String: Int]
    private var addedContentById: [Int: String]
    private var specialIds: Set<Int>
    private let cache = WordCache()

    /// Number of distinct ids: the model vocabulary plus added tokens not in it.
    public private(set) var vocabSize: Int
    /// One past the highest id in use: where a newly added token goes.
    private var nextFreeId: Int
    public private(set) var bosTokenId: Int?
    public private(set) var eosTokenId: Int?
    /// The tokenizer's eos followed by any further ones generation_config.json lists.
    public private(set) var eosTokenIds: [Int]
    public private(set) var padTokenId: Int?
    /// The chat format recognised from tokenizer_config.json's chat_template, if any.
    public let chatTemplate: ChatTemplate?

    /// Loads `folder`/tokenizer.json and the optional tokenizer_config.json,
    /// special_tokens_map.json and generation_config.json beside it.
    public init(folder: URL) throws {
        try self.init(tokenizerJSON: folder.appendingPathComponent("tokenizer.json"), configFolder: folder)
    }

    public init(folder: String) throws {
        try self.init(folder: URL(fileURLWithPath: folder))
    }

    /// Loads a tokenizer.json, with the config files taken from `configFolder` (if given).
    public init(tokenizerJSON: URL, configFolder: URL? = nil) throws {
        let file = try JSONFile(url: tokenizerJSON, expected: "a Hugging Face tokenizer.json")
        preTokenizer = JSONFile.isNull(file.root["pre_tokenizer"])
            ? nil : try PreTokenizer(json: file.object(file.root["pre_tokenizer"], "pre_tokenizer"), file: file)
        // Without a ByteLevel pre-tokenizer the vocabulary is plain text (SentencePiece style),
        // unless the decoder says otherwise: refused rather than tokenized wrongly.
        let byteLevel = preTokenizer?.containsByteLevel ?? false
        if !byteLevel, let decoder = file.root["decoder"] as? [String: Any], decoder["type"] as? String == "ByteLevel" {
            throw file.unsupported("ByteLevel decoder without a ByteLevel pre-tokenizer")
        }
        model = try BPEModel(json: file.object(file.root["model"], "model"), file: file, byteLevel: byteLevel)
        normalizer = try Normalizer.parse(file.root["normalizer"], file: file)
        postProcessor = try PostProcessor.parse(file.root["post_processor"], file: file)
        addedTokens = try Tokenizer.parseAddedTokens(file.root["added_tokens"], file: file)
        rawMatcher = AddedTokenMatcher([])
        normalizedMatcher = AddedTokenMatcher([])
        addedIdByContent = [:]
        addedContentById = [:]
        specialIds = []
        var tokensById = model.tokens
        for token in addedTokens { tokensById[token.id] = token.content }
        decoder = TokenDecoder(kind: try TokenDecoder.parse(file.root["decoder"], file: file), tokensById: tokensById)
        let allIds = Set(model.tokens.keys).union(addedTokens.map(\.id))
        vocabSize = allIds.count
        nextFreeId = (allIds.max() ?? -1) + 1
        bosTokenId = nil
        eosTokenId = nil
        eosTokenIds = []
        padTokenId = nil
        let configs = try ModelConfigFiles(folder: configFolder)
        chatTemplate = try configs.chatTemplate.flatMap {
            try ChatTemplate.detect(jinja: $0, bosToken: configs.bosToken,
                                    path: configFolder?.appendingPathComponent("tokenizer_config.json").path ?? "")
        }
        indexAddedTokens()
        try resolveSpecialTokens(configs, configFolder: configFolder)
    }

    // MARK: Vocabulary


    public func tokenToId(_ token: String) -> Int? { addedIdByContent[token] ?? model.vocab[token] }

    public func idToToken(_ id: Int) -> String? { addedContentById[id] ?? model.tokens[id] }

    public func isSpecial(_ id: Int) -> Bool { specialIds.contains(id) }

    // MARK: Encoding

    /// The ids `encode(_, addSpecialTokens: true)` puts before a text's own tokens (Gemma's
    /// `<bos>`; none for Qwen or SmolLM2).
    public var leadingSpecialTokenIds: [Int] { postProcessor?.leadingIds ?? [] }

    /// Token ids of `text`; with `addSpecialTokens` the post-processor's tokens (Llama-3's BOS) are added.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        let ids = encodeWithoutPostProcessing(text)
        guard addSpecialTokens, let postProcessor else { return ids }
        return postProcessor.apply(ids)
    }

    /// Ids of `text` before the post-processor adds special tokens.
    func encodeWithoutPostProcessing(_ text: String) -> [Int] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 4)
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            let segments = rawMatcher.isEmpty ? [Segment.text(0..<buffer.count)] : rawMatcher.split(buffer, 0..<buffer.count)
            for segment in segments {
                switch segment {
                case let .token(id): output.append(Int32(id))
                case let .text(range): encodeRawText(buffer, range, into: &output)
                }
            }
        }
        return output.map(Int.init)
    }

    /// Normalizes a stretch of text without raw added tokens, then handles normalized added tokens.
    private func encodeRawText(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into output: inout [Int32]) {
        guard let normalizer else {
            encodeNormalizedText(buffer, range, into: &output)
            return
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        let normalized = Array(normalizer.apply(text).utf8)
        normalized.withUnsafeBufferPointer { encodeNormalizedText($0, 0..<$0.count, into: &output) }
    }

    private func encodeNormalizedText(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into output: inout [Int32]) {
        let segments = normalizedMatcher.isEmpty ? [Segment.text(range)] : normalizedMatcher.split(buffer, range)
        for segment in segments {
            switch segment {
            case let .token(id):
                output.append(Int32(id))
            case let .text(textRange):
                guard !textRange.isEmpty else { continue }
                var bytes = Array(buffer[textRange])
                var pieces = [0..<bytes.count]
                preTokenizer?.apply(&bytes, &pieces)
                bytes.withUnsafeBufferPointer { cache.tokenize(pieces, of: $0, model: model, into: &output) }
            }
        }
    }

    // MARK: Decoding

    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        if skipSpecialTokens {
            return decoder.decode(ids) { !specialIds.contains($0) }
        }
        return decoder.decode(ids) { _ in true }
    }

    // MARK: Chat

    /// Formats a conversation as the model's chat template does (see ChatTemplate).
    /// Throws when tokenizer_config.json has no recognised chat template; `template`
    /// overrides the recognised one.
    public func applyChatTemplate(messages: [(role: String, content: String)], addGenerationPrompt: Bool,
                                  enableThinking: Bool = true, template: ChatTemplate? = nil) throws -> String {
        guard let chosen = template ?? chatTemplate else {
            throw TokenizerError.unsupported(path: "tokenizer_config.json", what: "chat template: none recognised (pass `template:`)")
        }
        return chosen.render(messages, addGenerationPrompt: addGenerationPrompt, enableThinking: enableThinking)
    }
}

// MARK: - Added and special tokens

extension Tokenizer {
    static func parseAddedTokens(_ value: Any?, file: JSONFile) throws -> [AddedToken] {
        guard !JSONFile.isNull(value) else { return [] }
        return try file.array(value, "added_tokens").enumerated().map { index, item in
            let field = "added_tokens[\(index)]"
            let json = try file.object(item, field)
            let special = try file.bool(json["special"], field + ".special", default: false)
            return AddedToken(
                id: try file.int(json["id"], field + ".id"),
                content: try file.string(json["content"], field + ".content"),
                special: special,
                singleWord: try file.bool(json["single_word"], field + ".single_word", default: false),
                lstrip: try file.bool(json["lstrip"], field + ".lstrip", default: false),
                rstrip: try file.bool(json["rstrip"], field + ".rstrip", default: false),
                normalized: try file.bool(json["normalized"], field + ".normalized", default: !special))
        }
    }

    private mutating func indexAddedTokens() {
        // Two passes like HF: raw-text tokens first, then normalized ones inside the rest.
        rawMatcher = AddedTokenMatcher(addedTokens.filter { !$0.normalized })
        normalizedMatcher = AddedTokenMatcher(addedTokens.filter(\.normalized))
        addedIdByContent = Dictionary(addedTokens.map { ($0.content, $0.id) }, uniquingKeysWith: { _, last in last })
        addedContentById = Dictionary(addedTokens.map { ($0.id, $0.content) }, uniquingKeysWith: { _, last in last })
        specialIds = Set(addedTokens.filter(\.special).map(\.id))
    }

    /// bos/eos/pad from tokenizer_config.json (or special_tokens_map.json), falling back to
    /// generation_config.json ids.
    private mutating func resolveSpecialTokens(_ configs: ModelConfigFiles, configFolder: URL?) throws {
        func id(_ name: String?, _ field: String) throws -> Int? {
            guard let name else { return nil }
            guard let id = tokenToId(name) else {
                throw TokenizerError.invalidField(
                    path: configFolder?.appendingPathComponent("tokenizer_config.json").path ?? "tokenizer_config.json",
                    field: field, expected: "a token of tokenizer.json, not '\(name)'")
            }
            return id
        }
        bosTokenId = try id(configs.bosToken, "bos_token") ?? configs.generationBos
        eosTokenId = try id(configs.eosToken, "eos_token") ?? configs.generationEos.first
        padTokenId = try id(configs.padToken, "pad_token") ?? configs.generationPad
        var eos: [Int] = eosTokenId.map { [$0] } ?? []
        for extra in configs.generationEos where !eos.contains(extra) { eos.append(extra) }
        eosTokenIds = eos
    }

    /// Which token pads batches when the tokenizer has none.
    public enum PadTokenChoice: Sendable, Equatable {
        /// Reuse a token already in the vocabulary (e.g. "<|endoftext|>").
        case existing(String)
        /// Reuse the eos token.
        case eos
        /// Add a new special token with the next free id (the model's embedding must grow).
        case add(String)
    }

    /// Sets the pad token only when none is configured; returns the pad id in effect.
    @discardableResult
    public mutating func ensurePadToken(_ fallback: PadTokenChoice) throws -> Int {
        if let padTokenId { return padTokenId }
        return try setPadToken(fallback)
    }

    /// Sets the pad token; returns its id.
    @discardableResult
    public mutating func setPadToken(_ choice: PadTokenChoice) throws -> Int {
        switch choice {
        case let .existing(token):
            guard let id = tokenToId(token) else { throw TokenizerError.unknownToken(token) }
            padTokenId = id
        case .eos:
            guard let eosTokenId else { throw TokenizerError.unknownToken("<eos>") }
            padTokenId = eosTokenId
        case let .add(token):
            if let id = tokenToId(token) {
                padTokenId = id
            } else {
                let id = nextFreeId
                nextFreeId += 1
                vocabSize += 1
                addedTokens.append(AddedToken(id: id, content: token, special: true, normalized: false))
                decoder.register(id: id, token: token)
                indexAddedTokens()
                padTokenId = id
            }
        }
        return padTokenId!
    }
}
