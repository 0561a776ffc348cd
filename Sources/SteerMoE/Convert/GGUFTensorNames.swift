/// llama.cpp tensor names → Hugging Face parameter names, per architecture, and the value
/// transforms llama.cpp's `convert_hf_to_gguf.py` applied that have to be undone.
struct GGUFTensorNames {
    let architecture: String

    /// Per-block names shared by llama, qwen2 and gemma3 (gguf-py `TENSOR_MAPPINGS`).
    private static let common: [String: String] = [
        "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
        "attn_output": "self_attn.o_proj",
        "attn_q_norm": "self_attn.q_norm", "attn_k_norm": "self_attn.k_norm",
        "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
        "attn_norm": "input_layernorm",
    ]
    /// Where the two archs differ: Llama-style blocks have one norm before the MLP; Gemma 3 has
    /// a norm before and after both attention and MLP, and calls the pre-MLP one `ffn_norm`.
    private static let llamaStyle: [String: String] = ["ffn_norm": "post_attention_layernorm"]
    private static let gemma3: [String: String] = [
        "post_attention_norm": "post_attention_layernorm", "ffn_norm": "pre_feedforward_layernorm",
        "post_ffw_norm": "post_feedforward_layernorm",
    ]
    private static let global: [String: String] = [
        "token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
        "output.weight": "lm_head.weight",
    ]

    /// The HF name. Unknown tensors are an error rather than silently dropped: a model with
    /// parts this converter does not know would otherwise load with missing weights.
    func hfName(_ gguf: String) throws -> String {
        if let name = Self.global[gguf] { return name }
        let parts = gguf.split(separator: ".").map(String.init)
        guard parts.count == 4, parts[0] == "blk", let block = Int(parts[1]), ["weight", "bias"].contains(parts[3]) else {
            throw GGUFError("tensor '\(gguf)' has no Hugging Face name for architecture \(architecture)")
        }
        let arch = architecture == "gemma3" ? Self.gemma3 : Self.llamaStyle
        guard let module = arch[parts[2]] ?? Self.common[parts[2]] else {
            throw GGUFError("tensor '\(gguf)': block tensor '\(parts[2])' has no Hugging Face name for architecture \(architecture)")
        }
        return "model.layers.\(block).\(module).\(parts[3])"
    }

    /// Llama: `convert_hf_to_gguf.py` permutes q_proj/k_proj rows per head from HF's
    /// rotate-half layout to GGML's interleaved pairs. Within each head of `2·half` rows, GGUF
    /// row `2i + j` is HF row `j·half + i`; this puts them back (as transformers' GGUF loader).
    func unpermuteHeads(_ gguf: String) -> Bool {
        architecture == "llama" && (gguf.contains(".attn_q.") || gguf.contains(".attn_k."))
    }

    /// Gemma stores RMSNorm weights as `1 + w` in llama.cpp (HF Gemma computes `x · (1 + w)`).
    func subtractOneFromNorm(_ gguf: String) -> Bool {
        architecture == "gemma3" && gguf.hasSuffix("norm.weight")
    }
}

enum GGUFTransforms {
    /// Undoes llama.cpp's rotary row permutation of a (rows, cols) matrix or a bias (cols 1).
    static func unpermuteRows(_ values: [Float], rows: Int, cols: Int, heads: Int) throws -> [Float] {
        guard heads > 0, rows % (2 * heads) == 0 else {
            throw GGUFError("cannot un-permute \(rows) rows into \(heads) heads of even size")
        }
        let half = rows / heads / 2
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for h in 0..<heads {
                    for i in 0..<half {
                        for j in 0..<2 {
                            let from = (h * 2 * half + 2 * i + j) * cols
                            let to = (h * 2 * half + j * half + i) * cols
                            dst.baseAddress!.advanced(by: to).update(from: src.baseAddress!.advanced(by: from), count: cols)
                        }
                    }
                }
            }
        }
        return out
    }
}
