/// Writes `config.json` and `generation_config.json` from `<arch>.*` metadata, with the keys
/// transformers 5 expects for LlamaForCausalLM, Qwen2ForCausalLM and Gemma3ForCausalLM
/// (`Gemma3TextConfig`), and that `DecoderConfig` reads for the first two.
struct GGUFModelConfig {
    let file: GGUFFile
    let architecture: String

    static let supported = ["llama", "qwen2", "gemma3"]

    init(file: GGUFFile) throws {
        self.file = file
        guard let arch = file["general.architecture"]?.string else { throw GGUFError("\(file.path): no general.architecture") }
        guard Self.supported.contains(arch) else {
            throw GGUFError("\(file.path): architecture '\(arch)' is not supported (supported: \(Self.supported.joined(separator: ", ")))")
        }
        architecture = arch
        if file.tensor(named: "rope_freqs.weight") != nil {
            // Llama 3.x files carry precomputed rope frequencies instead of the scaling parameters.
            throw GGUFError("\(file.path): rope_freqs (Llama 3 rope scaling) cannot be turned back into rope_scaling parameters")
        }
    }

    func int(_ key: String) throws -> Int {
        guard let v = file["\(architecture).\(key)"]?.int else { throw GGUFError("\(file.path): metadata \(architecture).\(key) is missing") }
        return v
    }
    func optionalInt(_ key: String) -> Int? { file["\(architecture).\(key)"]?.int }
    /// float32 metadata as the decimal it was written from (1e-05, not 9.999999747378752e-06).
    func float(_ key: String) -> Double? {
        file["\(architecture).\(key)"]?.double.map { Double("\(Float($0))")! }
    }

    var headCount: Int { get throws { try int("attention.head_count") } }
    var kvHeadCount: Int {
        get throws {
            if let n = optionalInt("attention.head_count_kv") { return n }
            return try headCount
        }
    }
    /// Rows of the embedding table: what the weights need, whatever the metadata says.
    var vocabSize: Int {
        file.tensor(named: "token_embd.weight")?.shape.first ?? optionalInt("vocab_size") ?? file["tokenizer.ggml.tokens"]?.array?.count ?? 0
    }
    var tied: Bool { file.tensor(named: "output.weight") == nil }
    func tokenId(_ key: String) -> Int? { file["tokenizer.ggml.\(key)"]?.int }

    func configJSON() throws -> GGUFJSON {
        let hidden = try int("embedding_length"), heads = try headCount
        var items: [(String, GGUFJSON)] = []
        switch architecture {
        case "llama": items = [("architectures", .array([.string("LlamaForCausalLM")])), ("model_type", .string("llama"))]
        case "qwen2": items = [("architectures", .array([.string("Qwen2ForCausalLM")])), ("model_type", .string("qwen2"))]
        default: items = [("architectures", .array([.string("Gemma3ForCausalLM")])), ("model_type", .string("gemma3_text"))]
        }
        let layers = try int("block_count")
        items += [
            ("vocab_size", .int(vocabSize)),
            ("hidden_size", .int(hidden)),
            ("intermediate_size", .int(try int("feed_forward_length"))),
            ("num_hidden_layers", .int(layers)),
            ("num_attention_heads", .int(heads)),
            ("num_key_value_heads", .int(try kvHeadCount)),
        ]
        // head_dim: llama's rope.dimension_count (transformers' GGUF mapping), Gemma's key_length.
        let headDim = architecture == "gemma3" ? optionalInt("attention.key_length") : optionalInt("rope.dimension_count")
        if architecture != "qwen2" { items.append(("head_dim", .int(headDim ?? hidden / heads))) }
        items += [
            ("max_position_embeddings", .int(try int("context_length"))),
            ("rms_norm_eps", .double(float("attention.layer_norm_rms_epsilon") ?? 1e-6)),
        ]
        let theta = float("rope.freq_base") ?? 10000
        switch architecture {
        case "gemma3":
            // llama.cpp's gemma3 hard-codes what the file does not store: every 6th layer global,
            // local layers with rope base 10 000, query scale 1/sqrt(256) (Gemma3TextConfig defaults).
            let pattern = 6
            items += [
                ("hidden_activation", .string("gelu_pytorch_tanh")),
                ("rope_parameters", .object([
                    ("full_attention", .object([("rope_type", .string("default")), ("rope_theta", .double(theta))])),
                    ("sliding_attention", .object([("rope_type", .string("default")), ("rope_theta", .double(10000))])),
                ])),
                ("sliding_window", .optionalInt(optionalInt("attention.sliding_window"))),
                ("layer_types", .array((0..<layers).map { .string(($0 + 1) % pattern == 0 ? "full_attention" : "sliding_attention") })),
                ("query_pre_attn_scalar", .int(256)),
                ("final_logit_softcapping", .null),
                ("attn_logit_softcapping", .null),
                ("attention_bias", .bool(false)),
                ("use_bidirectional_attention", .bool(false)),
            ]
        default:
            items += [("hidden_act", .string("silu")), ("rope_parameters", try ropeParameters(theta: theta))]
            if architecture == "llama" {
                items += [("attention_bias", .bool(file.tensor(named: "blk.0.attn_q.bias") != nil)),
                          ("mlp_bias", .bool(file.tensor(named: "blk.0.ffn_up.bias") != nil))]
            } else {
                items += [("use_sliding_window", .bool(false)), ("sliding_window", .null)]
            }
        }
        items += [
            ("tie_word_embeddings", .bool(tied)),
            ("bos_token_id", .optionalInt(tokenId("bos_token_id"))),
            ("eos_token_id", .optionalInt(tokenId("eos_token_id"))),
            ("pad_token_id", .optionalInt(tokenId("padding_token_id"))),
            ("dtype", .string("float32")),
        ]
        return .object(items)
    }

    /// `rope.scaling.*` → transformers 5 `rope_parameters` (linear and YaRN; none in these files).
    func ropeParameters(theta: Double) throws -> GGUFJSON {
        var rope: [(String, GGUFJSON)] = [("rope_theta", .double(theta))]
        let type = file["\(architecture).rope.scaling.type"]?.string ?? "none"
        switch type {
        case "none": rope.insert(("rope_type", .string("default")), at: 0)
        case "linear", "yarn":
            guard let factor = float("rope.scaling.factor") else { throw GGUFError("\(file.path): rope.scaling.type \(type) without rope.scaling.factor") }
            rope.insert(("rope_type", .string(type)), at: 0)
            rope.append(("factor", .double(factor)))
            if type == "yarn", let original = optionalInt("rope.scaling.original_context_length") {
                rope.append(("original_max_position_embeddings", .int(original)))
            }
        default: throw GGUFError("\(file.path): rope.scaling.type '\(type)' is not supported (none, linear, yarn)")
        }
        return .object(rope)
    }

    /// Generation stops at eos and, where the file names one, end-of-turn (`eot_token_id`).
    func generationConfigJSON() -> GGUFJSON {
        var eos: [Int] = []
        for key in ["eos_token_id", "eot_token_id"] { if let id = tokenId(key), !eos.contains(id) { eos.append(id) } }
        return .object([
            ("bos_token_id", .optionalInt(tokenId("bos_token_id"))),
            ("eos_token_id", eos.count == 1 ? .int(eos[0]) : .array(eos.map { .int($0) })),
            ("pad_token_id", .optionalInt(tokenId("padding_token_id"))),
        ])
    }
}
