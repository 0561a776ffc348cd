import Foundation
import XCTest
@testable import SteerMoE
@testable import Torch

/// `steermoe average`: the mean of a run's checkpoints, and the checks that keep it to one model.
final class CheckpointAverageTests: XCTestCase {
    /// Three checkpoints of a tiny run (LoRA on, so the LLM's updates are averaged too) average to
    /// the element-wise mean of their tensors; the folder loads for transcription and names its sources.
    func testAveragesTheTensorsOfOneRun() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run", extra: "lora: {rank: 2}\nsave_steps: 2\nsave_total_limit: 5")
        config.maxSteps = 6
        try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true).run()
        let sources = [2, 4, 6].map { stack.root + "/run/checkpoint-\($0)" }

        let notes = try Checkpoint.average(sources, to: stack.root + "/avg")
        XCTAssertEqual(notes.last?.hasPrefix("averaged 3 checkpoints"), true, "\(notes)")
        let loaded = try sources.map { try Safetensors.load($0 + "/" + Checkpoint.adapterFile) }
        let mean = try Safetensors.load(stack.root + "/avg/" + Checkpoint.adapterFile)
        XCTAssertEqual(Set(mean.keys), Set(loaded[0].keys))
        XCTAssertTrue(mean.keys.contains { $0.hasPrefix("llm_lora.") }, "the LoRA updates are part of the adapter")
        var moved = 0.0
        for (name, m) in mean {
            let expected = try (loaded[0][name]! + loaded[1][name]! + loaded[2][name]!) / 3.0
            XCTAssertLessThan(try (m - expected).abs().amax().item() as Double, 1e-6, name)
            moved = max(moved, try (loaded[0][name]! - loaded[2][name]!).abs().amax().item())
        }
        XCTAssertGreaterThan(moved, 1e-3, "the checkpoints differ, so the mean is not any one of them")

        let info = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: stack.root + "/avg/" + Checkpoint.modelInfoFile))) as! [String: Any]
        let from = try XCTUnwrap(info["averaged_from"] as? [[String: Any]])
        XCTAssertEqual(from.compactMap { $0["step"] as? Int }, [2, 4, 6])
        XCTAssertEqual(try Checkpoint.loadState(stack.root + "/avg").step, 6, "the last source's trainer state")
        let transcriber = try Transcriber(checkpoint: stack.root + "/avg")
        for (name, p) in transcriber.model.adapter.namedParameters() {
            XCTAssertLessThan(try (p.value - mean[name]!).abs().amax().item() as Double, 1e-7, name)
        }
        XCTAssertEqual(try transcriber.transcribe(files: [stack.root + "/data/0.wav"]).count, 1)
        // float16 storage rounds the mean once.
        try Checkpoint.average(sources, to: stack.root + "/avg16", dtype: .float16)
        let half = try Safetensors.load(stack.root + "/avg16/" + Checkpoint.adapterFile)
        for (name, h) in half { XCTAssertEqual(h.dtype, .float16, name) }
    }

    /// Averaging refuses what would not be one model's mean: fewer than two checkpoints, one
    /// checkpoint named twice, another model's checkpoint, a source as destination, a non-float type.
    func testRefusesWhatIsNotOneModel() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run", extra: "save_steps: 2")
        config.maxSteps = 4
        try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true).run()
        var other = try stack.config(output: stack.root + "/other")
        other.model.numExperts = 2
        other.maxSteps = 1
        try Trainer(setup: TrainingSetup(config: other) { _ in }, quiet: true).run()
        let a = stack.root + "/run/checkpoint-2", b = stack.root + "/run/checkpoint-4"

        func expectError(_ sources: [String], to out: String = stack.root + "/avg", dtype: DType? = nil, _ text: String,
                         line: UInt = #line) {
            XCTAssertThrowsError(try Checkpoint.average(sources, to: out, dtype: dtype), line: line) {
                XCTAssertTrue("\($0)".contains(text), "\($0)", line: line)
            }
        }
        expectError([a], "expected at least two checkpoints, got 1")
        expectError([a, stack.root + "/run/../run/checkpoint-2"], "name the same checkpoint")
        expectError([a, stack.root + "/other/final"], "differ in the model settings")
        expectError([a, stack.root + "/missing"], "no adapter.safetensors")
        expectError([a, b], to: stack.root + "/run", "holds the checkpoint")
        expectError([a, b], dtype: .int64, "expected a floating-point type")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stack.root + "/avg"), "nothing written on refusal")
    }
}
