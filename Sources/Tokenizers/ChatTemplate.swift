import Foundation

/// The chat formats of the supported families, written out in code instead of running
/// their Jinja templates. Each case reproduces its template's output for plain
/// role/content messages (tool calls are not modelled).
public enum ChatTemplate: Sendable, Equatable {
    /// <|im_start|>role\ncontent<|im_end|>\n per message; `defaultSystemPrompt` is inserted
    /// first when the conversation does not start with a system message (Qwen2, Qwen2.5, SmolLM2).
    case chatML(defaultSystemPrompt: String?)
    /// Qwen3: ChatML without a default system prompt, <think> blocks on the answer turns.
    case qwen3
    /// Llama-3 (3.0): BOS, then <|start_header_id|>role<|end_header_id|>\n\n trimmed content <|eot_id|>.
    case llama3(bosToken: String)
    /// Llama-3.1 / 3.2: as Llama-3, but a system turn always comes first, holding the
    /// knowledge cutoff, "Today Date: <dateString>" and the system message (if any).
    /// A nil dateString means today, as transformers' strftime_now("%d %b %Y") gives.
    case llama3WithDate(bosToken: String, dateString: String?)

    public static let qwen2 = ChatTemplate.chatML(defaultSystemPrompt: "You are a helpful assistant.")
    public static let qwen2_5 = ChatTemplate.chatML(
        defaultSystemPrompt: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")
    public static let smolLM2 = ChatTemplate.chatML(
        defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face")

    /// Recognises the family of a tokenizer_config.json chat_template. Throws for templates
    /// that look like a known family but need features not modelled here.
    static func detect(jinja: String, bosToken: String?, path: String) throws -> ChatTemplate? {
        if jinja.contains("<|start_header_id|>") {
            let bos = bosToken ?? "<|begin_of_text|>"
            guard jinja.contains("Cutting Knowledge Date") else { return .llama3(bosToken: bos) }
            // Llama-3.2 dates with strftime_now; Llama-3.1 sets a fixed default date_string.
            if jinja.contains("strftime_now") { return .llama3WithDate(bosToken: bos, dateString: nil) }
            guard let date = firstCapture(#"set date_string = "([^"]+)""#, in: jinja) else {
                throw TokenizerError.unsupported(path: path, what: "Llama-3 chat template with a date header but no default date_string")
            }
            return .llama3WithDate(bosToken: bos, dateString: date)
        }
        guard jinja.contains("<|im_start|>") else { return nil }
        if jinja.contains("enable_thinking") || jinja.contains("<think>") { return .qwen3 }
        return .chatML(defaultSystemPrompt: defaultSystemPrompt(in: jinja))
    }

    /// The literal system prompt of a "<|im_start|>system\n...<|im_end|>" string in the template,
    /// written with an escaped or a real newline (SmolLM2 uses real ones).
    private static func defaultSystemPrompt(in jinja: String) -> String? {
        firstCapture(#"<\|im_start\|>system(?:\\n|\n)([^'"<{}]+)<\|im_end\|>"#, in: jinja)
    }

    private static func firstCapture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    public func render(_ messages: [(role: String, content: String)], addGenerationPrompt: Bool,
                       enableThinking: Bool = true) -> String {
        switch self {
        case let .chatML(defaultSystemPrompt):
            var text = ""
            if let prompt = defaultSystemPrompt, messages.first?.role != "system" {
                text += "<|im_start|>system\n\(prompt)<|im_end|>\n"
            }
            for message in messages { text += "<|im_start|>\(message.role)\n\(message.content)<|im_end|>\n" }
            if addGenerationPrompt { text += "<|im_start|>assistant\n" }
            return text
        case .qwen3:
            return Qwen3Format.render(messages, addGenerationPrompt: addGenerationPrompt, enableThinking: enableThinking)
        case let .llama3(bosToken):
            var text = bosToken
            for message in messages {
                text += "<|start_header_id|>\(message.role)<|end_header_id|>\n\n\(JinjaText.trim(message.content))<|eot_id|>"
            }
            if addGenerationPrompt { text += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
            return text
        case let .llama3WithDate(bosToken, dateString):
            return Llama3DatedFormat.render(messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosToken,
                                            date: dateString ?? Llama3DatedFormat.today())
        }
    }
}

/// Llama-3.1 / 3.2 templates for messages without tool calls.
enum Llama3DatedFormat {
    static func render(_ messages: [(role: String, content: String)], addGenerationPrompt: Bool,
                       bosToken: String, date: String) -> String {
        var turns = messages[...]
        var systemMessage = ""
        if let first = turns.first, first.role == "system" {
            systemMessage = JinjaText.trim(first.content)
            turns = turns.dropFirst()
        }
        var text = bosToken + "<|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: \(date)\n\n\(systemMessage)<|eot_id|>"
        for message in turns {
            if message.role == "tool" || message.role == "ipython" {
                text += "<|start_header_id|>ipython<|end_header_id|>\n\n\(message.content)<|eot_id|>"
            } else {
                text += "<|start_header_id|>\(message.role)<|end_header_id|>\n\n\(JinjaText.trim(message.content))<|eot_id|>"
            }
        }
        if addGenerationPrompt { text += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        return text
    }

    /// strftime("%d %b %Y") of the local date, e.g. "05 Mar 2025".
    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "dd MMM yyyy"
        return formatter.string(from: Date())
    }
}

/// Qwen3's template: answers after the last user query carry a <think> block (empty
/// when there is no reasoning); earlier answers lose theirs.
enum Qwen3Format {
    static func render(_ messages: [(role: String, content: String)], addGenerationPrompt: Bool,
                       enableThinking: Bool) -> String {
        var text = ""
        if let first = messages.first, first.role == "system" {
            text += "<|im_start|>system\n\(first.content)<|im_end|>\n"
        }
        let lastQuery = messages.lastIndex { message in
            message.role == "user"
                && !(message.content.hasPrefix("<tool_response>") && message.content.hasSuffix("</tool_response>"))
        } ?? messages.count - 1
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user":
                text += "<|im_start|>user\n\(message.content)<|im_end|>\n"
            case "system" where index > 0:
                text += "<|im_start|>system\n\(message.content)<|im_end|>\n"
            case "assistant":
                var content = message.content
                var reasoning = ""
                if content.contains("</think>") {
                    let beforeClose = content.components(separatedBy: "</think>")[0]
                    reasoning = JinjaText.lstrip(JinjaText.rstrip(beforeClose, "\n").components(separatedBy: "<think>").last!, "\n")
                    content = JinjaText.lstrip(content.components(separatedBy: "</think>").last!, "\n")
                }
                let isLast = index == messages.count - 1
                if index > lastQuery && (isLast || !reasoning.isEmpty) {
                    text += "<|im_start|>assistant\n<think>\n\(JinjaText.strip(reasoning, "\n"))\n</think>\n\n\(JinjaText.lstrip(content, "\n"))"
                } else {
                    text += "<|im_start|>assistant\n\(content)"
                }
                text += "<|im_end|>\n"
            case "tool":
                if index == 0 || messages[index - 1].role != "tool" { text += "<|im_start|>user" }
                text += "\n<tool_response>\n\(message.content)\n</tool_response>"
                if index == messages.count - 1 || messages[index + 1].role != "tool" { text += "<|im_end|>\n" }
            default:
                break  // the template emits nothing for other roles
            }
        }
        if addGenerationPrompt {
            text += "<|im_start|>assistant\n"
            if !enableThinking { text += "<think>\n\n</think>\n\n" }
        }
        return text
    }
}

/// Python str.strip / lstrip / rstrip semantics used by the templates.
enum JinjaText {
    /// Python's str.isspace(): White_Space plus the C0 separators \x1c-\x1f.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isPythonSpace($0) }),
              let last = scalars.lastIndex(where: { !isPythonSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    static func lstrip(_ text: String, _ character: Unicode.Scalar) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.drop { $0 == character }))
    }

    static func rstrip(_ text: String, _ character: Unicode.Scalar) -> String {
        var scalars = Substring(text).unicodeScalars
        while scalars.last == character { scalars.removeLast() }
        return String(scalars)
    }

    static func strip(_ text: String, _ character: Unicode.Scalar) -> String {
        rstrip(lstrip(text, character), character)
    }
}
