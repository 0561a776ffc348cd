import Foundation
import XCTest
@testable import SteerMoE
@testable import Tokenizers
@testable import Torch

/// Tokens the tokenizer puts before every text (Gemma's BOS) open the joint sequence, before the audio.
final class SequencePrefixTests: XCTestCase {
    func testCollatorTakesTheTokenizersLeadingSpecialTokens() throws {
        for bos in [true, false] {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prefix-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try TinyStack.writeGemmaCharTokenizer(to: folder, bos: bos)
            let tokenizer = try Tokenizer(folder: folder)
            XCTAssertEqual(tokenizer.encode("ab", addSpecialTokens: true).first == 2, bos, "fixture tokenizer")
            let collator = try TextCollator(tokenizer: tokenizer, prompt: "ab", chatTemplate: false)
            XCTAssertEqual(collator.prefixIds, bos ? [2] : [])
            XCTAssertEqual(collator.promptIds, tokenizer.encode("ab", addSpecialTokens: false), "no BOS inside the prompt")
            XCTAssertEqual(try collator.collate([[21]]).prefixIds, collator.prefixIds)
        }
    }

    /// joint() with a prefix = joint() of the prefix embeddings glued before the audio by hand,
    /// with label -100 and mask 1 on the prefix, for masked (trimmed) and unmasked audio.
    func testJointPutsThePrefixBeforeTheAudio() throws {
        var options = SteerMoEOptions()
        options.audioPadding = .trim
        let m = try SteerMoEModel.build(whisperFolder: Fixtures.path("models/whisper-tiny-random"),
                                        llmFolder: Fixtures.path("models/qwen2-tiny-random"), options: options, seed: 3)
        let h = m.llm.config.hiddenSize
        let audio = try Tensor.randn([2, 3, h], generator: Generator(seed: 4))
        let audioMask = try Tensor([true, true, true, true, false, false], shape: [2, 3])
        let ids = try Tensor(rows: [[Int64(5), 23, 149], [5, 57, 149]])
        let text = TextBatch(ids: ids, attentionMask: try Tensor(rows: [[Int64(1), 1, 1], [1, 1, 0]]),
                             labels: try Tensor(rows: [[Int64(-100), 23, 149], [-100, 57, -100]]), prefixIds: [7, 9])
        var plainText = text
        plainText.prefixIds = []
        let prefix = try m.llm.embed(Tensor(rows: [[Int64(7), 9]])).expand([2, 2, h])
        for mask in [audioMask, nil] as [Tensor?] {
            let withPrefix = try m.joint(audio: audio, audioMask: mask, text: text)
            let manualMask = try mask.map { try Tensor.cat([Tensor([true, true, true, true], shape: [2, 2]), $0], dim: 1) }
            let manual = try m.joint(audio: Tensor.cat([prefix, audio], dim: 1), audioMask: manualMask, text: plainText)
            XCTAssertEqual(try maxAbsDiff(withPrefix.embeds, manual.embeds), 0)
            XCTAssertEqual(try withPrefix.labels.toArray(Int64.self), try manual.labels.toArray(Int64.self))
            XCTAssertEqual(try withPrefix.attentionMask.toArray(Int64.self), try manual.attentionMask.toArray(Int64.self))
            XCTAssertEqual(try withPrefix.labels.select(dim: 1, index: 0).toArray(Int64.self), [-100, -100])
            let without = try m.joint(audio: audio, audioMask: mask, text: plainText)
            XCTAssertEqual(withPrefix.embeds.size(1), without.embeds.size(1) + 2)
        }
    }
}
