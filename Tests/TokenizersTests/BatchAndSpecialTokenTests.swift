import XCTest
@testable import Tokenizers

final class BatchAndSpecialTokenTests: XCTestCase {
    func testRightAndLeftPadding() throws {
        let tokenizer = try Fixtures.tokenizer("qwen2_5")
        let pad = try XCTUnwrap(tokenizer.padTokenId)
        let short = tokenizer.encode("Hi"), long = tokenizer.encode("Hello there, how are you today?")
        XCTAssertLessThan(short.count, long.count)
        let right = try tokenizer.batchEncode(["Hi", "Hello there, how are you today?"], paddingSide: .right)
        let padding = [Int](repeating: pad, count: long.count - short.count)
        XCTAssertEqual(right.ids, [short + padding, long])
        XCTAssertEqual(right.attentionMask[0], [Int](repeating: 1, count: short.count) + padding.map { _ in 0 })
        XCTAssertEqual(right.attentionMask[1], [Int](repeating: 1, count: long.count))
        let left = try tokenizer.batchEncode(["Hi", "Hello there, how are you today?"], paddingSide: .left)
        XCTAssertEqual(left.ids, [padding + short, long])
        XCTAssertEqual(left.attentionMask[0], padding.map { _ in 0 } + [Int](repeating: 1, count: short.count))
    }

    func testTruncationKeepsRoomForBeginOfText() throws {
        let tokenizer = try Fixtures.tokenizer("llama3")
        let full = tokenizer.encode("The quick brown fox jumps over the lazy dog.")
        XCTAssertGreaterThan(full.count, 5)
        let batch = try tokenizer.batchEncode(["The quick brown fox jumps over the lazy dog."], maxLength: 5)
        XCTAssertEqual(batch.ids, [Array(full.prefix(5))])
        XCTAssertEqual(batch.ids[0].first, tokenizer.tokenToId("<|begin_of_text|>"))
        XCTAssertEqual(batch.attentionMask, [[1, 1, 1, 1, 1]])
    }

    func testPaddingWithoutPadTokenThrowsUntilOneIsSet() throws {
        var tokenizer = try Fixtures.tokenizer("llama3")
        XCTAssertNil(tokenizer.padTokenId)
        XCTAssertThrowsError(try tokenizer.batchEncode(["a", "a longer text"])) { error in
            XCTAssertEqual(error as? TokenizerError, .missingPadToken)
        }
        let sizeBefore = tokenizer.vocabSize
        let pad = try tokenizer.ensurePadToken(.add("<|pad|>"))
        XCTAssertEqual(pad, sizeBefore)
        XCTAssertEqual(tokenizer.vocabSize, sizeBefore + 1)
        XCTAssertEqual(try tokenizer.ensurePadToken(.eos), pad, "an existing pad token is kept")
        XCTAssertEqual(tokenizer.encode("x<|pad|>", addSpecialTokens: false).last, pad)
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("x<|pad|>"), skipSpecialTokens: true), "x")
        let batch = try tokenizer.batchEncode(["a", "a longer text"], addSpecialTokens: false)
        XCTAssertEqual(batch.ids[0].last, pad)
    }

    func testPadTokenCanReuseExistingOrEos() throws {
        var tokenizer = try Fixtures.tokenizer("llama3")
        XCTAssertEqual(try tokenizer.setPadToken(.existing("<|finetune_right_pad_id|>")),
                       tokenizer.tokenToId("<|finetune_right_pad_id|>"))
        XCTAssertEqual(try tokenizer.setPadToken(.eos), tokenizer.eosTokenId)
        XCTAssertThrowsError(try tokenizer.setPadToken(.existing("<|no such token|>")))
    }

    func testSpecialTokenIdsFromConfigFiles() throws {
        let qwen = try Fixtures.tokenizer("qwen2_5")
        let imEnd = try XCTUnwrap(qwen.tokenToId("<|im_end|>")), endOfText = try XCTUnwrap(qwen.tokenToId("<|endoftext|>"))
        XCTAssertEqual(qwen.eosTokenId, imEnd)
        XCTAssertEqual(qwen.eosTokenIds, [imEnd, endOfText])
        XCTAssertEqual(qwen.padTokenId, endOfText)
        XCTAssertEqual(qwen.bosTokenId, endOfText, "no bos_token in tokenizer_config: generation_config's")

        let llama = try Fixtures.tokenizer("llama3")
        XCTAssertEqual(llama.bosTokenId, llama.tokenToId("<|begin_of_text|>"))
        XCTAssertEqual(llama.eosTokenId, llama.tokenToId("<|eot_id|>"))
        XCTAssertEqual(llama.eosTokenIds, ["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"].map { llama.tokenToId($0)! })

        let smol = try Fixtures.tokenizer("smollm2")
        XCTAssertEqual(smol.bosTokenId, 1)
        XCTAssertEqual(smol.eosTokenId, 2)
        XCTAssertEqual(smol.padTokenId, 2)
    }

    func testVocabSizeMatchesHuggingFace() throws {
        for family in Fixtures.families {
            XCTAssertEqual(try Fixtures.tokenizer(family).vocabSize, try Fixtures.expectations(family).vocab_size, family)
        }
    }

    func testSpecialTokensMapIsUsedWithoutTokenizerConfig() throws {
        let folder = try Fixtures.temporaryFolder()
        try FileManager.default.copyItem(at: Fixtures.folder("qwen2_5").appendingPathComponent("tokenizer.json"),
                                         to: folder.appendingPathComponent("tokenizer.json"))
        try FileManager.default.copyItem(at: Fixtures.folder("qwen2_config").appendingPathComponent("special_tokens_map.json"),
                                         to: folder.appendingPathComponent("special_tokens_map.json"))
        let tokenizer = try Tokenizer(folder: folder)
        XCTAssertEqual(tokenizer.eosTokenId, tokenizer.tokenToId("<|im_end|>"))
        XCTAssertEqual(tokenizer.padTokenId, tokenizer.tokenToId("<|endoftext|>"))
        XCTAssertNil(tokenizer.bosTokenId)
        XCTAssertNil(tokenizer.chatTemplate)
    }

    func testConfigNamingAnUnknownTokenThrows() throws {
        let folder = try Fixtures.temporaryFolder()
        try FileManager.default.copyItem(at: Fixtures.folder("gpt2").appendingPathComponent("tokenizer.json"),
                                         to: folder.appendingPathComponent("tokenizer.json"))
        try Data(#"{"eos_token": "<|nope|>"}"#.utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        XCTAssertThrowsError(try Tokenizer(folder: folder)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("tokenizer_config.json") && text.contains("eos_token") && text.contains("<|nope|>"), text)
        }
    }

    func testSingleEosInGenerationConfig() throws {
        let gpt2 = try Fixtures.tokenizer("gpt2")
        let endOfText = try XCTUnwrap(gpt2.tokenToId("<|endoftext|>"))
        XCTAssertEqual(gpt2.eosTokenIds, [endOfText])
        XCTAssertEqual(gpt2.bosTokenId, endOfText)
        XCTAssertNil(gpt2.padTokenId)
    }
}
