import XCTest
@testable import Tokenizers

/// Chat strings must equal transformers' apply_chat_template(tokenize=False) on the
/// fixture configs, which carry the real Jinja templates.
final class ChatTemplateTests: XCTestCase {
    private func check(_ tokenizer: Tokenizer, _ expectations: FamilyExpectations, file: StaticString = #filePath, line: UInt = #line) throws {
        let chats = try XCTUnwrap(expectations.chat)
        XCTAssertFalse(chats.isEmpty)
        for chat in chats {
            // Dated Llama templates were rendered with a fixed date_string instead of today.
            var template: ChatTemplate?
            if case let .llama3WithDate(bos, _) = tokenizer.chatTemplate, let date = chat.date_string {
                template = .llama3WithDate(bosToken: bos, dateString: date)
            }
            let rendered = try tokenizer.applyChatTemplate(
                messages: chat.messages.map { ($0.role, $0.content) },
                addGenerationPrompt: chat.add_generation_prompt, enableThinking: chat.enable_thinking, template: template)
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

    /// Llama-3.2-Instruct shares Llama-3's tokenizer.json; its template adds a dated system turn.
    func testLlama32DatedTemplate() throws {
        let tokenizer = try Tokenizer(tokenizerJSON: Fixtures.folder("llama3").appendingPathComponent("tokenizer.json"),
                                      configFolder: Fixtures.folder("llama3_2_config"))
        XCTAssertEqual(tokenizer.chatTemplate, .llama3WithDate(bosToken: "<|begin_of_text|>", dateString: nil))
        try check(tokenizer, Fixtures.expectations("llama3_2_config"))
        let today = try tokenizer.applyChatTemplate(messages: [("user", "Hi")], addGenerationPrompt: false)
        XCTAssertTrue(today.contains("Today Date: \(Llama3DatedFormat.today())\n"), today)
    }

    func testLlama31FixedDefaultDate() throws {
        let jinja = #"{%- if not date_string is defined %}{%- set date_string = "26 Jul 2024" %}{%- endif %}"#
            + #"{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}{{- "Cutting Knowledge Date: December 2023\n" }}"#
        XCTAssertEqual(try ChatTemplate.detect(jinja: jinja, bosToken: "<|begin_of_text|>", path: "t"),
                       .llama3WithDate(bosToken: "<|begin_of_text|>", dateString: "26 Jul 2024"))
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
