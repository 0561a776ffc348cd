import XCTest
@testable import Tokenizers

/// Chat strings must equal transformers' apply_chat_template(tokenize=False) on the
/// fixture configs, which carry the real Jinja templates.
final class ChatTemplateTests: XCTestCase {
    private func check(_ tokenizer: Tokenizer, _ expectations: FamilyExpectations, file: StaticString = #filePath, line: UInt = #line) throws {
        let chats = try XCTUnwrap(expectations.chat)
        XCTAssertFalse(chats.isEmpty)
        for chat in chats {
            let rendered = try tokenizer.applyChatTemplate(
                messages: chat.messages.map { ($0.role, $0.content) },
                addGenerationPrompt: chat.add_generation_prompt, enableThinking: chat.enable_thinking)
            XCTAssertEqual(visible(rendered), visible(chat.expected),
                           "\(expectations.family) \(chat.conversation) gen=\(chat.add_generation_prompt) thinking=\(chat.enable_thinking)",
                           file: file, line: line)
        }
    }

    func testFamiliesMatchTransformers() throws {
        for family in ["smollm2", "qwen2_5", "qwen3", "llama3"] {
            try check(Fixtures.tokenizer(family), Fixtures.expectations(family))
        }
    }

    /// Qwen2-Instruct shares Qwen2.5's tokenizer.json; only its config folder differs.
    func testQwen2ConfigFolderWithSharedTokenizerJSON() throws {
        let tokenizer = try Tokenizer(tokenizerJSON: Fixtures.folder("qwen2_5").appendingPathComponent("tokenizer.json"),
                                      configFolder: Fixtures.folder("qwen2_config"))
        XCTAssertEqual(tokenizer.chatTemplate, .qwen2)
        try check(tokenizer, Fixtures.expectations("qwen2_config"))
        XCTAssertEqual(tokenizer.eosTokenId, tokenizer.tokenToId("<|im_end|>"))
        XCTAssertEqual(tokenizer.padTokenId, tokenizer.tokenToId("<|endoftext|>"))
    }

    func testRecognisedTemplates() throws {
        XCTAssertEqual(try Fixtures.tokenizer("qwen2_5").chatTemplate, .qwen2_5)
        XCTAssertEqual(try Fixtures.tokenizer("smollm2").chatTemplate, .smolLM2)
        XCTAssertEqual(try Fixtures.tokenizer("qwen3").chatTemplate, .qwen3)
        XCTAssertEqual(try Fixtures.tokenizer("llama3").chatTemplate, .llama3(bosToken: "<|begin_of_text|>"))
        XCTAssertNil(try Fixtures.tokenizer("gpt2").chatTemplate)
    }

    func testGPT2WithoutTemplateThrowsUnlessOneIsGiven() throws {
        let tokenizer = try Fixtures.tokenizer("gpt2")
        XCTAssertThrowsError(try tokenizer.applyChatTemplate(messages: [("user", "hi")], addGenerationPrompt: true))
        let text = try tokenizer.applyChatTemplate(messages: [("user", "hi")], addGenerationPrompt: true, template: .chatML(defaultSystemPrompt: nil))
        XCTAssertEqual(text, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
    }

    func testQwen3NoThinkingPrompt() {
        let text = ChatTemplate.qwen3.render([("user", "Hi")], addGenerationPrompt: true, enableThinking: false)
        XCTAssertEqual(text, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n")
    }
}
