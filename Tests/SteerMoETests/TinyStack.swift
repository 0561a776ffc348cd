import Foundation
import XCTest
@testable import SpeechData
@testable import SteerMoE
@testable import Torch

/// A complete tiny training setup in a temporary folder: the fixture Whisper, a fixture LLM
/// (Qwen2 by default, or Gemma 3) with a character-level tokenizer (ids fit its 160-token
/// vocabulary), and a JSONL dataset of synthetic tones paired with short words.
struct TinyStack {
    let root: String
    var whisper: String { Fixtures.path("models/whisper-tiny-random") }
    var llm: String { root + "/llm" }
    var manifest: String { root + "/data/train.jsonl" }
    static let words = ["abc", "bead", "cafe", "dice", "ego", "fig", "gum", "hat"]

    enum LLM { case qwen2, gemma3 }

    init(llm family: LLM = .qwen2) throws {
        root = NSTemporaryDirectory() + "tiny-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: llm, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        let fixture = family == .qwen2 ? "qwen2-tiny-random" : "gemma3-tiny-random"
        for name in ["config.json", "generation_config.json", "model.safetensors"] {
            try fm.copyItem(atPath: Fixtures.path("models/\(fixture)/\(name)"), toPath: llm + "/" + name)
        }
        if family == .qwen2 { try Self.writeCharTokenizer(to: llm) } else { try Self.writeGemmaCharTokenizer(to: llm) }
        var lines: [String] = []
        for (i, word) in Self.words.enumerated() {
            let samples = (0..<16000).map { t in Float(0.4 * sin(Double(t) * 2 * .pi * Double(200 + 150 * i) / 16000)) }
            let wav = try Audio.encode(samples, sampleRate: 16000, as: .wav)
            try Data(wav).write(to: URL(fileURLWithPath: root + "/data/\(i).wav"))
            lines.append("{\"audio\": \"\(i).wav\", \"text\": \"\(word)\"}")
        }
        try lines.joined(separator: "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// The debug `steermoe` binary that `swift build --build-tests` leaves, driven as users run it.
    static let cliBinary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/steermoe").standardized.path

    /// `cliBinary`, or a skip when it was not built.
    static func requireCLI() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: cliBinary) else { throw XCTSkip("\(cliBinary) not built") }
        return cliBinary
    }

    /// The `train` records of a run's train_log.jsonl, in order (a resumed run's follow its first part's).
    static func trainRecords(_ output: String) throws -> [[String: Any]] {
        try String(contentsOfFile: output + "/train_log.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .filter { $0["kind"] as? String == "train" }
    }

    /// Byte-level BPE without merges over a-z, ':' and space ('Ġ'); eos `<|endoftext|>` = 149
    /// (the fixture model's eos).
    static func writeCharTokenizer(to folder: String) throws {
        var vocab: [String: Int] = [:]
        for (i, c) in "abcdefghijklmnopqrstuvwxyz:".enumerated() { vocab[String(c)] = 20 + i }
        vocab["Ġ"] = 60
        let json: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "normalizer": NSNull(), "post_processor": NSNull(),
            "added_tokens": [["id": 149, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false,
                              "normalized": false, "special": true]],
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": vocab, "merges": [String]()],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: folder + "/tokenizer.json"))
        try JSONSerialization.data(withJSONObject: ["eos_token": "<|endoftext|>"])
            .write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
    }

    /// Gemma-style (SentencePiece) BPE without merges over a-z, ':' and "▁"; eos `<eos>` = 73
    /// (the Gemma fixture model's eos), other characters `<unk>`.
    /// `bos`: like Gemma's real tokenizer, a TemplateProcessing post-processor puts `<bos>` (2) first.
    static func writeGemmaCharTokenizer(to folder: String, bos: Bool = false) throws {
        var vocab: [String: Int] = ["<unk>": 4, "\u{2581}": 60]
        for (i, c) in "abcdefghijklmnopqrstuvwxyz:".enumerated() { vocab[String(c)] = 20 + i }
        let bosToken: [String: Any] = ["SpecialToken": ["id": "<bos>", "type_id": 0]]
        let postProcessor: Any = bos
            ? ["type": "TemplateProcessing", "single": [bosToken, ["Sequence": ["id": "A", "type_id": 0]]],
               "pair": [bosToken, ["Sequence": ["id": "A", "type_id": 0]], bosToken, ["Sequence": ["id": "B", "type_id": 1]]],
               "special_tokens": ["<bos>": ["id": "<bos>", "ids": [2], "tokens": ["<bos>"]]]] as [String: Any]
            : NSNull()
        var added: [[String: Any]] = [["id": 73, "content": "<eos>", "single_word": false, "lstrip": false, "rstrip": false,
                                       "normalized": false, "special": true]]
        if bos {
            added.append(["id": 2, "content": "<bos>", "single_word": false, "lstrip": false, "rstrip": false,
                          "normalized": false, "special": true])
        }
        let json: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "post_processor": postProcessor,
            "normalizer": ["type": "Replace", "pattern": ["String": " "], "content": "\u{2581}"],
            "pre_tokenizer": ["type": "Split", "pattern": ["String": " "], "behavior": "MergedWithPrevious", "invert": false],
            "decoder": ["type": "Sequence", "decoders": [
                ["type": "Replace", "pattern": ["String": "\u{2581}"], "content": " "], ["type": "ByteFallback"], ["type": "Fuse"]]],
            "added_tokens": added,
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": "<unk>", "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
                      "vocab": vocab, "merges": [String]()],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: folder + "/tokenizer.json"))
        try JSONSerialization.data(withJSONObject: ["eos_token": "<eos>"])
            .write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
    }

    func config(output: String, extra: String = "") throws -> TrainingConfig {
        try TrainingConfig.parse(yaml: """
            whisper_encoder: {model_path: "\(whisper)"}
            llm_decoder: {model_name: "\(llm)"}
            steering: {num_experts: 4}
            training:
              output_dir: "\(output)"
              batch_size: 8
              epochs: 1000
              learning_rate: 3e-2
              steering_learning_rate: 3e-2
              router_learning_rate: 3e-2
              weight_decay: 0.0
              warmup_steps: 5
              lr_scheduler: constant
              num_workers: 1
              seed: 1
              threads: 1
            parquet_dirs: ["\(manifest)"]
            textual_prompt: "go: "
            audio_padding: trim
            logging_steps: 25
            max_new_tokens: 8
            \(extra)
            """, source: "tiny.yaml")
    }
}
