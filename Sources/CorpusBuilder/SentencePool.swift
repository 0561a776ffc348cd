import Foundation
import SkyCorpus

/// A sentence a TTS voice can read, with the transcript of what it will say.
public struct PoolSentence: Sendable, Equatable {
    /// The sentence as found (before expansion): the `text_raw` column.
    public let raw: String
    /// TextNormalizer's transcript: the `text` column.
    public let text: String
    /// What the voice is given (see `SpokenText`).
    public let spoken: String
}

/// The text for synthetic speech: the example sentences of WordNet 3.0 (Debian package
/// `wordnet-base`, Princeton's permissive WordNet licence), the quoted usage examples in the
/// glosses of `data.{noun,verb,adj,adv}`, e.g. `"they traveled westward toward the setting sun"`.
/// About 48,000 examples of everyday modern English; 29,000 survive the filters below.
public enum SentencePool {
    public static let defaultDirectory = URL(fileURLWithPath: "/usr/share/wordnet")
    static let files = ["data.noun", "data.verb", "data.adj", "data.adv"]
    static let wordRange = 4...30
    /// Sentences with other characters (brackets, slashes, foreign letters, quotes inside
    /// quotes) are dropped: they tend to be fragments or hard to read aloud unambiguously.
    static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.;:'?!-%&")

    /// TextNormalizer's number rules are the game's (British cardinals, letters spelled out
    /// next to digits). Where they would make a voice say something no reader would, the
    /// sentence is dropped: ordinals and decades ("9th" -> "nine t h", "1980s"), formulas
    /// ("O2"), and years ("1934" -> "one thousand nine hundred and thirty four"). Currency
    /// ("$5" -> "dollars five") is excluded by `allowed`. Plain counts ("3 runs") stay.
    static func readsNaturally(_ raw: String) -> Bool {
        let tokens = raw.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return tokens.allSatisfy { token in
            let digits = token.filter(\.isNumber)
            if digits.isEmpty { return true }
            if digits.count != token.count { return false }  // digits touching letters
            guard token.count == 4, let year = Int(token) else { return true }
            return !(1100...2099).contains(year)
        }
    }

    public static func prerequisite(directory: URL = defaultDirectory) -> Prerequisite {
        .files(files.map { directory.appendingPathComponent($0).path },
               what: "WordNet example sentences in \(directory.path)", debianPackage: "wordnet-base")
    }

    public static let licence = "Sentences: WordNet 3.0 usage examples, Copyright 2006 by Princeton University, "
        + "WordNet 3.0 licence (permission to use, copy, modify and distribute for any purpose without fee, keeping "
        + "the copyright notice; see /usr/share/doc/wordnet-base/copyright). Not public domain, freely redistributable."

    /// Every usable example in file order, deduplicated by transcript (first one kept).
    public static func load(directory: URL = defaultDirectory, normalizer: TextNormalizer = TextNormalizer()) throws -> [PoolSentence] {
        var seen = Set<String>()
        var result: [PoolSentence] = []
        for file in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            for example in examples(in: String(decoding: data, as: UTF8.self)) {
                guard let sentence = SpokenText.make(example, normalizer: normalizer),
                      wordRange.contains(sentence.text.split(separator: " ").count),
                      seen.insert(sentence.text).inserted else { continue }
                result.append(sentence)
            }
        }
        return result
    }

    /// Quoted examples after the " | " that starts each synset's gloss; licence header lines
    /// (indented by two spaces) are skipped.
    static func examples(in contents: String) -> [String] {
        var found: [String] = []
        for line in contents.split(separator: "\n") where !line.hasPrefix("  ") {
            guard let bar = line.range(of: " | ") else { continue }
            let parts = line[bar.upperBound...].split(separator: "\"", omittingEmptySubsequences: false)
            for (i, part) in parts.enumerated() where i % 2 == 1 && i + 1 < parts.count {
                let example = part.trimmingCharacters(in: .whitespaces)
                if !example.isEmpty && example.allSatisfy({ allowed.contains($0) }) && readsNaturally(example) {
                    found.append(example)
                }
            }
        }
        return found
    }
}

/// Turns a sentence into what a voice reads and the transcript of it. The voice gets the
/// normalised words (numbers and symbols already written out, so it cannot read "1953"
/// differently from the transcript) with the sentence's clause commas and its final ? or !
/// kept for intonation. Since TextNormalizer turns those marks into spaces, normalising the
/// spoken form gives back exactly the transcript; sentences where it would not are dropped.
public enum SpokenText {
    public static func make(_ raw: String, normalizer: TextNormalizer) -> PoolSentence? {
        let text = normalizer.normalize(raw)
        guard !text.isEmpty else { return nil }
        let clauses = raw.components(separatedBy: CharacterSet(charactersIn: ",;:"))
            .map { normalizer.normalize($0) }.filter { !$0.isEmpty }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        let end = trimmed.hasSuffix("?") ? "?" : trimmed.hasSuffix("!") ? "!" : "."
        let spoken = clauses.joined(separator: ", ") + end
        guard normalizer.normalize(spoken) == text else { return nil }
        return PoolSentence(raw: raw, text: text, spoken: spoken)
    }
}
