import Foundation

/// The companion files next to tokenizer.json that name special tokens and carry the chat
/// template: tokenizer_config.json, special_tokens_map.json, generation_config.json.
struct ModelConfigFiles {
    var bosToken: String?
    var eosToken: String?
    var padToken: String?
    var chatTemplate: String?
    /// generation_config.json ids (eos may be a list there).
    var generationBos: Int?
    var generationEos: [Int] = []
    var generationPad: Int?

    init(folder: URL?) throws {
        guard let folder else { return }
        let tokenizerConfig = try JSONFile.optional(url: folder.appendingPathComponent("tokenizer_config.json"),
                                                    expected: "tokenizer_config.json")
        let specialMap = try JSONFile.optional(url: folder.appendingPathComponent("special_tokens_map.json"),
                                               expected: "special_tokens_map.json")
        let generation = try JSONFile.optional(url: folder.appendingPathComponent("generation_config.json"),
                                               expected: "generation_config.json")
        // tokenizer_config.json wins over special_tokens_map.json, as in transformers.
        func token(_ key: String) throws -> String? {
            if let file = tokenizerConfig, let name = try ModelConfigFiles.tokenName(file.root[key], file: file, field: key) {
                return name
            }
            if let file = specialMap { return try ModelConfigFiles.tokenName(file.root[key], file: file, field: key) }
            return nil
        }
        bosToken = try token("bos_token")
        eosToken = try token("eos_token")
        padToken = try token("pad_token")
        if let file = tokenizerConfig, let template = file.root["chat_template"], !JSONFile.isNull(template) {
            chatTemplate = try ModelConfigFiles.templateText(template, file: file)
        }
        if let file = generation {
            generationBos = try ModelConfigFiles.optionalInt(file.root["bos_token_id"], file: file, field: "bos_token_id")
            generationPad = try ModelConfigFiles.optionalInt(file.root["pad_token_id"], file: file, field: "pad_token_id")
            let eos = file.root["eos_token_id"]
            if let list = eos as? [Any] {
                generationEos = try list.map { try file.int($0, "eos_token_id") }
            } else if let single = try ModelConfigFiles.optionalInt(eos, file: file, field: "eos_token_id") {
                generationEos = [single]
            }
        }
    }

    /// A token given as a string or as an AddedToken object {"content": ...}; nil for null.
    private static func tokenName(_ value: Any?, file: JSONFile, field: String) throws -> String? {
        if JSONFile.isNull(value) { return nil }
        if let name = value as? String { return name }
        if let object = value as? [String: Any] { return try file.string(object["content"], field + ".content") }
        throw file.invalid(field, "a token string, an object with \"content\", or null")
    }

    private static func optionalInt(_ value: Any?, file: JSONFile, field: String) throws -> Int? {
        JSONFile.isNull(value) ? nil : try file.int(value, field)
    }

    /// chat_template is a string, or a list of {"name", "template"} where "default" is used.
    private static func templateText(_ value: Any, file: JSONFile) throws -> String {
        if let text = value as? String { return text }
        if let list = value as? [[String: Any]] {
            let chosen = list.first { $0["name"] as? String == "default" } ?? list.first
            return try file.string(chosen?["template"], "chat_template[default].template")
        }
        throw file.invalid("chat_template", "a string or a list of {name, template}")
    }
}
