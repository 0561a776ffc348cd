import Foundation
import Torch

/// Whisper's special token ids, looked up by name in the tokenizer that ships with a
/// CTranslate2 model (tokenizer.json's added_tokens, else CTranslate2's vocabulary.txt/.json,
/// whose line/index is the id). Multilingual and English-only models number them differently
/// (e.g. <|endoftext|> is 50257 in base, 50256 in tiny.en), so nothing is assumed.
public struct WhisperSpecialTokens: Sendable, Equatable {
    public var endOfText: Int
    public var startOfTranscript: Int
    public var noTimestamps: Int?
    public var transcribe: Int?
    public var translate: Int?
    public var startOfPrevious: Int?
    /// "<|en|>" → id for every language token the tokenizer has.
    public var languages: [String: Int]
    /// Where the ids were read.
    public var source: String

    static let nonLanguage: Set<String> = [
        "<|endoftext|>", "<|startoftranscript|>", "<|translate|>", "<|transcribe|>", "<|startoflm|>",
        "<|startofprev|>", "<|nocaptions|>", "<|nospeech|>", "<|notimestamps|>",
    ]

    public init(tokens: [String: Int], source: String) throws {
        func id(_ token: String) -> Int? { tokens[token] }
        guard let eot = id("<|endoftext|>"), let sot = id("<|startoftranscript|>") else {
            throw TorchError("\(source): no <|endoftext|> or <|startoftranscript|> token: not a Whisper tokenizer")
        }
        endOfText = eot
        startOfTranscript = sot
        noTimestamps = id("<|notimestamps|>")
        transcribe = id("<|transcribe|>")
        translate = id("<|translate|>")
        startOfPrevious = id("<|startofprev|>")
        // Language tokens: the remaining <|name|> specials named by letters (not timestamps like <|0.00|>).
        languages = tokens.filter { token, _ in
            token.hasPrefix("<|") && token.hasSuffix("|>") && !Self.nonLanguage.contains(token)
                && token.dropFirst(2).dropLast(2).allSatisfy { $0.isLetter || $0 == "_" }
        }
        self.source = source
    }

    /// From the first of tokenizer.json, vocabulary.json, vocabulary.txt that `lookup` finds.
    public static func load(lookup: (String) -> String?) throws -> WhisperSpecialTokens {
        if let path = lookup("tokenizer.json") { return try fromTokenizerJSON(path) }
        if let path = lookup("vocabulary.json") {
            guard let data = FileManager.default.contents(atPath: path),
                  let list = try? JSONSerialization.jsonObject(with: data) as? [String] else {
                throw TorchError("\(path): expected a JSON list of tokens")
            }
            return try WhisperSpecialTokens(tokens: specials(in: list), source: path)
        }
        if let path = lookup("vocabulary.txt") {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw TorchError("\(path): cannot read as UTF-8 text")
            }
            // One token per line; split on "\n" only (tokens may contain other whitespace).
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return try WhisperSpecialTokens(tokens: specials(in: lines), source: path)
        }
        throw TorchError("no tokenizer.json, vocabulary.json or vocabulary.txt next to model.bin: cannot tell Whisper's special token ids")
    }

    static func specials(in list: [String]) -> [String: Int] {
        var out: [String: Int] = [:]
        for (i, token) in list.enumerated() where token.hasPrefix("<|") && token.hasSuffix("|>") && out[token] == nil { out[token] = i }
        return out
    }

    static func fromTokenizerJSON(_ path: String) throws -> WhisperSpecialTokens {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let added = json["added_tokens"] as? [[String: Any]] else {
            throw TorchError("\(path): not a tokenizers JSON file with an \"added_tokens\" list")
        }
        var tokens: [String: Int] = [:]
        for entry in added {
            if let content = entry["content"] as? String, let id = (entry["id"] as? NSNumber)?.intValue { tokens[content] = id }
        }
        return try WhisperSpecialTokens(tokens: tokens, source: path)
    }
}
