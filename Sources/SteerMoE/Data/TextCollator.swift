import Foundation
import Torch
import Tokenizers

/// Token ids for one training batch: prompt + transcript + eos per row, right-padded.
public struct TextBatch {
    public var ids: Tensor         // (B, S) int64
    public var attentionMask: Tensor  // (B, S) int64, 1 = token
    public var labels: Tensor      // (B, S) int64, -100 on prompt and padding
    /// Tokens that open the whole joint sequence, before the audio (TextCollator.prefixIds).
    public var prefixIds: [Int]
    public init(ids: Tensor, attentionMask: Tensor, labels: Tensor, prefixIds: [Int] = []) {
        self.ids = ids
        self.attentionMask = attentionMask
        self.labels = labels
        self.prefixIds = prefixIds
    }
    /// The batch's tensors on `device`.
    public func to(device: Device) throws -> TextBatch {
        TextBatch(ids: try ids.to(device: device), attentionMask: try attentionMask.to(device: device),
                  labels: try labels.to(device: device), prefixIds: prefixIds)
    }
}

/// Builds the text half of SteerMoE inputs: the textual prompt (optionally wrapped as a chat
/// turn), the transcript and EOS. Labels are the transcript and EOS; -100 elsewhere.
public struct TextCollator {
    public static let ignoreIndex = -100
    public let promptIds: [Int]
    public let eosId: Int
    public let padId: Int
    /// Transcript tokens kept per row (upstream's max_text_length, 448), EOS included.
    public let maxTextTokens: Int
    /// The tokens the tokenizer puts before any text (Gemma's `<bos>`; none for Qwen, SmolLM2).
    /// They open the joint sequence, before the audio, as they open every text the LLM was
    /// trained on (Gemma is documented to need its BOS at position 0).
    public let prefixIds: [Int]

    public init(promptIds: [Int], eosId: Int, padId: Int, maxTextTokens: Int = 448, prefixIds: [Int] = []) {
        self.prefixIds = prefixIds
        self.promptIds = promptIds
        self.eosId = eosId
        self.padId = padId
        self.maxTextTokens = maxTextTokens
    }

    /// Prompt ids from the tokenizer; with `chatTemplate` the prompt becomes a user turn and the
    /// assistant turn is opened, so the transcript is the assistant's answer.
    public init(tokenizer: Tokenizer, prompt: String, chatTemplate: Bool, maxTextTokens: Int = 448) throws {
        let text = chatTemplate
            ? try tokenizer.applyChatTemplate(messages: [(role: "user", content: prompt)], addGenerationPrompt: true,
                                            enableThinking: false)
            : prompt
        let prefix = tokenizer.leadingSpecialTokenIds
        var ids = tokenizer.encode(text, addSpecialTokens: false)
        // A chat template that writes the BOS itself: it moves to the sequence start, not twice.
        if !prefix.isEmpty && ids.starts(with: prefix) { ids.removeFirst(prefix.count) }
        guard let eos = tokenizer.eosTokenId else {
            throw TorchError("tokenizer has no EOS token (needed to end transcripts)")
        }
        // Without a pad token, EOS fills padding: pad positions are excluded by the attention
        // mask and carry label -100, so their id never matters (and no embedding row is added).
        self.init(promptIds: ids, eosId: eos, padId: tokenizer.padTokenId ?? eos, maxTextTokens: maxTextTokens,
                  prefixIds: prefix)
    }

    /// `transcripts` are token ids without EOS. Empty transcripts give prompt + EOS (EOS is the
    /// only target), matching what inference sees.
    public func collate(_ transcripts: [[Int]]) throws -> TextBatch {
        guard !transcripts.isEmpty else { throw TorchError("collate: empty batch") }
        let rows = transcripts.map { promptIds + Array($0.prefix(maxTextTokens - 1)) + [eosId] }
        let width = rows.map(\.count).max()!
        var ids = [Int64](), mask = [Int64](), labels = [Int64]()
        for row in rows {
            let pad = width - row.count
            ids += row.map(Int64.init) + [Int64](repeating: Int64(padId), count: pad)
            mask += [Int64](repeating: 1, count: row.count) + [Int64](repeating: 0, count: pad)
            labels += [Int64](repeating: Int64(Self.ignoreIndex), count: promptIds.count)
                + row[promptIds.count...].map(Int64.init) + [Int64](repeating: Int64(Self.ignoreIndex), count: pad)
        }
        let shape = [rows.count, width]
        return TextBatch(ids: try Tensor(ids, shape: shape), attentionMask: try Tensor(mask, shape: shape),
                         labels: try Tensor(labels, shape: shape), prefixIds: prefixIds)
    }
}
