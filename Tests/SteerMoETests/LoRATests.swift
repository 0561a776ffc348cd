import Foundation
import XCTest
@testable import SteerMoE
@testable import Torch

/// LoRA on the frozen LLM (`lora.*`, LLMLowRank) against PEFT 0.21 on the tiny random LLMs
/// (fixtures: scripts/fixtures/make_lora_fixtures.py), and its place in the adapter, the optimizer,
/// checkpoints and the config.
final class LoRATests: XCTestCase {
    override func setUp() { Torch.numThreads = 1 }

    /// Logits, loss and every update's gradient match PEFT's (float32; tolerance 1e-5 absolute,
    /// tighter than the fixtures' 1e-4 contract: logits are at most 12, gradients at most 1.1, the
    /// observed gaps 4.8e-6 and 5.4e-7; scripts/fixtures/README.md "lora/").
    func testMatchesPEFTLogitsAndGradients() throws {
        for name in ["llama-qv", "qwen2-all"] {
            let meta = try Fixtures.json("lora/\(name).json")
            let ref = try Fixtures.tensors("lora/\(name).safetensors")
            let llm = try DecoderLM.load(folder: Fixtures.path("models/\(meta["model"] as! String)"))
            try llm.freeze()
            let lora = try LLMLowRank(llm: llm, rank: meta["rank"] as! Int, alpha: meta["alpha"] as! Double,
                                      targets: meta["targets"] as! [String])
            XCTAssertEqual(lora.namedParameters().count, 2 * (meta["updates"] as! Int), name)
            let loaded = try lora.load(ref, strict: true)
            XCTAssertEqual(loaded.missing, [], name)

            let (ids, mask) = (ref["input_ids"]!, ref["attention_mask"]!)
            let logits = try llm(inputIds: ids, attentionMask: mask)
            let keep = try mask.ne(0)
            let logitGap: Double = try (logits.index(keep) - ref["logits"]!.index(keep)).abs().amax().item()
            XCTAssertLessThan(logitGap, 1e-5, "\(name): logits")

            let n = ids.size(1)
            let targetKeep = try mask.slice(dim: 1, start: 1, end: n).ne(0)
            let loss = try Functional.crossEntropy(logits.slice(dim: 1, start: 0, end: n - 1).index(targetKeep),
                                                   ids.slice(dim: 1, start: 1, end: n).index(targetKeep))
            XCTAssertEqual(try loss.item(), try ref["loss"]!.item(), accuracy: 1e-5, name)
            try loss.backward()
            var worstGradientGap = 0.0
            for (key, p) in lora.namedParameters() {
                let grad = try XCTUnwrap(p.grad, "\(name): \(key) has no gradient")
                let gap: Double = try (grad - ref["grad." + key]!).abs().amax().item()
                XCTAssertLessThan(gap, 1e-5, "\(name): gradient of \(key)")
                worstGradientGap = max(worstGradientGap, gap)
            }
            print("LoRA parity \(name): logits \(logitGap), gradients \(worstGradientGap)")
            XCTAssertTrue(llm.parameters().allSatisfy { $0.grad == nil }, "the LLM itself stays frozen")
        }
    }

    /// Gradient checkpointing recomputes the layers in backward: the updates' gradients are the same
    /// as without it (they are parameters the checkpointed body uses, not inputs of it).
    func testCheckpointedLayersGiveTheUpdatesTheSameGradients() throws {
        let ref = try Fixtures.tensors("lora/qwen2-all.safetensors")
        let llm = try DecoderLM.load(folder: Fixtures.path("models/qwen2-tiny-random"))
        try llm.freeze()
        let lora = try LLMLowRank(llm: llm, rank: 2, alpha: 3, targets: LLMLowRank.allowedTargets)
        try lora.load(ref, strict: true)
        // Requires grad as the audio embeddings do in training (the checkpoint decides from its inputs
        // whether its output needs a backward, as torch.utils.checkpoint with use_reentrant=True).
        let embeds = try llm.embed(ref["input_ids"]!).detach().requiresGrad(true)
        var grads: [[Tensor]] = []
        for checkpoint in [false, true] {
            for p in lora.parameters() { try p.value.setGrad(nil) }
            let h = try llm.hiddenStates(inputsEmbeds: embeds, attentionMask: ref["attention_mask"]!, checkpointLayers: checkpoint)
            try llm.logits(h).square().mean().backward()
            grads.append(try lora.parameters().map { try XCTUnwrap($0.grad).clone() })
        }
        for (plain, recomputed) in zip(grads[0], grads[1]) {
            XCTAssertGreaterThan(try plain.abs().amax().item() as Double, 0)
            XCTAssertLessThan(try (plain - recomputed).abs().amax().item() as Double, 1e-6)
        }
    }

    /// B starts at zero: a fresh update leaves the LLM's logits exactly as they were.
    func testFreshUpdatesLeaveTheLLMUnchanged() throws {
        let llm = try DecoderLM.load(folder: Fixtures.path("models/llama-tiny-random"))
        let ids = try Tensor([Int64]([5, 9, 17, 33, 2, 40]), shape: [1, 6])
        let before = try Autograd.noGrad { try llm(inputIds: ids, attentionMask: nil) }
        let lora = try LLMLowRank(llm: llm, rank: 3, alpha: 6, targets: ["q_proj", "down_proj"], generator: Generator(seed: 1))
        let after = try Autograd.noGrad { try llm(inputIds: ids, attentionMask: nil) }
        XCTAssertEqual(try (after - before).abs().amax().item() as Double, 0)
        XCTAssertEqual(lora.namedParameters().map(\.name), [
            "model.layers.0.self_attn.q_proj.lora_A.weight", "model.layers.0.self_attn.q_proj.lora_B.weight",
            "model.layers.0.mlp.down_proj.lora_A.weight", "model.layers.0.mlp.down_proj.lora_B.weight",
            "model.layers.1.self_attn.q_proj.lora_A.weight", "model.layers.1.self_attn.q_proj.lora_B.weight",
            "model.layers.1.mlp.down_proj.lora_A.weight", "model.layers.1.mlp.down_proj.lora_B.weight",
        ])
        // Trained-looking updates change the logits; an adapter without LoRA built on the same LLM
        // removes them again.
        for p in lora.parameters() { try Autograd.noGrad { try p.value.fill_(0.05) } }
        let updated = try Autograd.noGrad { try llm(inputIds: ids, attentionMask: nil) }
        XCTAssertGreaterThan(try (updated - before).abs().amax().item() as Double, 1e-3)
        _ = try SteeringAdapter(layers: 1, encoderWidth: 8, llmWidth: llm.config.hiddenSize, options: SteerMoEOptions(), llm: llm)
        let plain = try Autograd.noGrad { try llm(inputIds: ids, attentionMask: nil) }
        XCTAssertEqual(try (plain - before).abs().amax().item() as Double, 0)
        // Gemma 3's layers (their own block type) name their projections the same way.
        let gemma = try DecoderLM.load(folder: Fixtures.path("models/gemma3-tiny-random"))
        let gemmaLoRA = try LLMLowRank(llm: gemma, rank: 2, alpha: 4, targets: LLMLowRank.allowedTargets)
        XCTAssertEqual(gemmaLoRA.namedParameters().count, 2 * 7 * gemma.config.numLayers)
        XCTAssertThrowsError(try LLMLowRank(llm: llm, rank: 2, alpha: 4, targets: ["qproj"])) {
            XCTAssertTrue("\($0)".contains("unknown projection 'qproj'"), "\($0)")
        }
    }

    /// `lora.*` loads with PEFT's default-like alpha, reaches the effective config, and bad values
    /// are named with their key.
    func testConfigKeys() throws {
        let base = "whisper_encoder: {model_path: w}\nllm_decoder: {model_name: l}\n"
        let c = try TrainingConfig.parse(yaml: base + "lora: {rank: 8, targets: [q_proj, k_proj]}\ntraining: {lora_learning_rate: 1e-4}")
        XCTAssertEqual(c.model.loraRank, 8)
        XCTAssertEqual(c.model.resolvedLoRAAlpha, 16, "alpha defaults to 2 × rank")
        XCTAssertEqual(c.model.loraTargets, ["q_proj", "k_proj"])
        XCTAssertEqual(c.loraLearningRate, 1e-4)
        let again = try TrainingConfig.parse(yaml: c.effectiveYAML())
        XCTAssertEqual(again.model, c.model)
        XCTAssertEqual(again.loraLearningRate, c.loraLearningRate)
        XCTAssertEqual(try TrainingConfig.parse(yaml: base).model.loraRank, 0, "off unless asked for")
        for (yaml, message) in [
            ("lora: {rank: -1}", "'lora.rank' must be >= 0"),
            ("lora: {rank: 4, targets: [q_proj, lm_head]}", "'lora.targets' has 'lm_head'"),
            ("lora: {rank: 4, alpha: 0}", "'lora.alpha' must be a number > 0"),
            ("training: {lora_learning_rate: -1}", "'training.lora_learning_rate' must be a number >= 0"),
        ] {
            XCTAssertThrowsError(try TrainingConfig.parse(yaml: base + yaml, source: "x.yaml"), yaml) {
                XCTAssertTrue("\($0)".hasPrefix("x.yaml: \(message)"), "\($0)")
            }
        }
    }

    /// On the tiny stack: the updates train in their own optimizer group, the loss falls below the
    /// frozen-LLM run's at the same step, a saved checkpoint transcribes with them attached, and a
    /// LoRA run can start from an adapter trained without it.
    func testTrainsSavesAndTranscribesWithTheUpdates() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var plain = try stack.config(output: stack.root + "/plain")
        plain.maxSteps = 40
        let frozen = try Trainer(setup: TrainingSetup(config: plain) { _ in }, quiet: true)
        try frozen.run()

        var config = try stack.config(output: stack.root + "/run", extra: "lora: {rank: 4}")
        config.maxSteps = 40
        config.loraLearningRate = 1e-2
        let setup = try TrainingSetup(config: config) { _ in }
        XCTAssertEqual(setup.optimizer().groups.map(\.name), ["steering", "router", "other", "lora"])
        let trainer = try Trainer(setup: setup, quiet: true)
        try trainer.run()
        XCTAssertLessThan(trainer.stepLosses.suffix(5).reduce(0, +), frozen.stepLosses.suffix(5).reduce(0, +),
                          "the LLM's updates add capacity the frozen run lacks")

        let saved = try Safetensors.load(stack.root + "/run/final/" + Checkpoint.adapterFile)
        let up = try XCTUnwrap(saved["llm_lora.model.layers.0.self_attn.q_proj.lora_B.weight"])
        XCTAssertGreaterThan(try up.abs().amax().item() as Double, 0, "B moved off zero")
        // The checkpoint reloads with its updates attached: the same logits as the trained model.
        let transcriber = try Transcriber(checkpoint: stack.root + "/run/final")
        let ids = try Tensor([Int64]([20, 21, 22, 60, 23]), shape: [1, 5])
        let trained = try Autograd.noGrad { try setup.model.llm(inputIds: ids, attentionMask: nil) }
        let reloaded = try Autograd.noGrad { try transcriber.model.llm(inputIds: ids, attentionMask: nil) }
        XCTAssertLessThan(try (trained - reloaded).abs().amax().item() as Double, 1e-6)
        // A LoRA run may start from an adapter trained without LoRA: its updates start fresh.
        var warm = config
        warm.outputDir = stack.root + "/warm"
        let warmTrainer = try Trainer(setup: TrainingSetup(config: warm) { _ in }, quiet: true)
        let report = try warmTrainer.initializeAdapter(from: stack.root + "/plain/final")
        XCTAssertTrue(report.freshLoRA)
        XCTAssertEqual(report.parameters, warmTrainer.setup.model.adapter.namedParameters().count
                       - warmTrainer.setup.model.adapter.lowRankParameters.count)
        XCTAssertTrue(report.notes.contains { $0.contains("LoRA tensors") && $0.contains("start fresh") }, "\(report.notes)")
        // The other way round it refuses: a run without LoRA (or with other targets) would drop the source's updates.
        for extra in ["", "lora: {rank: 4, targets: [q_proj]}"] {
            var withoutRoom = try stack.config(output: stack.root + "/plain-from-lora", extra: extra)
            withoutRoom.maxSteps = 1
            let plainTrainer = try Trainer(setup: TrainingSetup(config: withoutRoom) { _ in }, quiet: true)
            XCTAssertThrowsError(try plainTrainer.initializeAdapter(from: stack.root + "/run/final")) {
                XCTAssertTrue("\($0)".contains("LoRA tensor(s) this run has no place for") && "\($0)".contains("/run/final/config.yaml"), "\($0)")
            }
        }

        let bare = try DecoderLM.load(folder: stack.llm)
        let untouched = try Autograd.noGrad { try bare(inputIds: ids, attentionMask: nil) }
        XCTAssertGreaterThan(try (trained - untouched).abs().amax().item() as Double, 1e-3, "the updates change the LLM")
    }
}
