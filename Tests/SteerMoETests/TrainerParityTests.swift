import Foundation
import XCTest
@testable import SteerMoE
@testable import Torch

/// Eight optimizer steps of our Trainer against the same steps in plain PyTorch
/// (scripts/fixtures/make_trainer_fixtures.py): the per-group AdamW, the warmup schedule, the
/// steering clip before the global clip, weight decay, and (case `mlp_ctc`) the MLP projector with
/// the audio-token CTC aid. Both sides start from the same adapter (`training.init_adapter`) and
/// read the same precomputed features from parquet. Tolerances (fp32; the fixture's own float32
/// vs float64 gap is ≤ 8e-7): per-step loss and logged gradient norm ≤ 1e-4 relative; each final
/// parameter tensor max abs difference ≤ 1e-4 × its max abs reference value.
final class TrainerParityTests: XCTestCase {
    nonisolated(unsafe) static let info = try! Fixtures.json("trainer/reference.json")
    static let ref = try! Fixtures.tensors("trainer/reference.safetensors")

    func testUpstreamRecipeStepsMatchPyTorch() throws { try checkCase("upstream") }

    func testMLPProjectorAndCTCAidStepsMatchPyTorch() throws { try checkCase("mlp_ctc") }

    /// Gradient checkpointing recomputes the encoder layers in backward: the same steps.
    func testCheckpointedTrainingMatchesPyTorch() throws {
        try checkCase("upstream", extraTraining: ["gradient_checkpointing": "true"])
    }

    func checkCase(_ name: String, extraTraining: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws {
        let stack = try TinyStack()  // its character tokenizer is the one the fixture's ids come from
        defer { stack.remove() }
        let facts = (Self.info["cases"] as! [String: Any])[name] as! [String: Any]
        let steps = Self.info["steps"] as! Int
        let output = stack.root + "/run"
        let config = try TrainingConfig.parse(yaml: Self.yaml(settings: facts["yaml"] as! [String: Any], extraTraining: extraTraining,
                                                              stack: stack, output: output, steps: steps, adapter: name),
                                              source: "trainer-parity-\(name).yaml")
        let trainer = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        XCTAssertEqual(trainer.setup.collator.promptIds, Self.info["prompt_ids"] as! [Int], "prompt ids", file: file, line: line)
        try trainer.run()

        let losses = try Self.ref["\(name).losses"]!.toArray(Double.self)
        XCTAssertEqual(trainer.stepLosses.count, steps, file: file, line: line)
        for (step, (ours, theirs)) in zip(trainer.stepLosses, losses).enumerated() {
            XCTAssertEqual(ours, theirs, accuracy: 1e-4 * abs(theirs), "\(name) loss at step \(step)", file: file, line: line)
        }
        let norms = try Self.ref["\(name).grad_norms"]!.toArray(Double.self)
        let logged = try TinyStack.trainRecords(output).map { $0["grad_norm"] as! Double }
        XCTAssertEqual(logged.count, steps, file: file, line: line)
        for (step, (ours, theirs)) in zip(logged, norms).enumerated() {
            XCTAssertEqual(ours, theirs, accuracy: 1e-4 * theirs, "\(name) gradient norm at step \(step)", file: file, line: line)
        }
        let final = try Safetensors.load(output + "/final/" + Checkpoint.adapterFile)
        let expected = Self.ref.filter { $0.key.hasPrefix("\(name).final.") }
        XCTAssertEqual(Set(final.keys), Set(expected.keys.map { String($0.dropFirst("\(name).final.".count)) }),
                       "\(name): the trained parameters", file: file, line: line)
        for (key, want) in expected {
            let param = String(key.dropFirst("\(name).final.".count))
            guard let got = final[param] else { continue }
            let scale = try want.abs().amax().item()
            let diff = try maxAbsDiff(got, want)
            XCTAssertLessThanOrEqual(diff, 1e-4 * scale, "\(name) final \(param): \(diff) vs scale \(scale)", file: file, line: line)
        }
    }

    /// The run's YAML: the fixture's settings (dotted keys as users write them) on the tiny models.
    static func yaml(settings: [String: Any], extraTraining: [String: String], stack: TinyStack, output: String,
                     steps: Int, adapter: String) -> String {
        var training: [String: String] = [
            "output_dir": "\"\(output)\"", "batch_size": "8", "max_steps": "\(steps)", "epochs": "1000", "seed": "1",
            "threads": "1", "num_workers": "1", "init_adapter": "\"\(Fixtures.path("trainer/" + adapter))\"",
        ]
        var steering: [String: String] = [:], root: [String: String] = [:]
        for (key, value) in settings {
            let text = value as? String ?? "\(value)"
            if key.hasPrefix("training.") { training[String(key.dropFirst(9))] = text }
            else if key.hasPrefix("steering.") { steering[String(key.dropFirst(9))] = text }
            else { root[key] = text }
        }
        training.merge(extraTraining) { _, new in new }
        func block(_ d: [String: String]) -> String { d.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n") }
        return """
            whisper_encoder: {model_path: "\(stack.whisper)"}
            llm_decoder: {model_name: "\(stack.llm)"}
            steering:
            \(block(steering))
            training:
            \(block(training))
            parquet_dirs: ["\(Fixtures.path("trainer/train.parquet"))"]
            textual_prompt: "\(Self.info["prompt"] as! String)"
            audio_padding: trim
            logging_steps: 1
            \(root.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n"))
            """
    }
}
