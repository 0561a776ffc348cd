import ArgumentParser
import Foundation
import SteerMoE
import Torch

/// `steermoe train CONFIG.yaml [--resume]`: the original project's YAML files load unchanged.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a SteerMoE adapter (or the linear baseline) from a YAML config.")
    @Argument(help: "YAML config (the original project's keys; see docs/config.md).") var config: String
    @Flag(help: "Continue from the newest checkpoint in training.output_dir (Ctrl-C or SIGTERM saves one at the current step first).") var resume = false
    @Option(help: "Override training.max_steps.") var maxSteps: Int?
    @Option(help: "Override training.output_dir.") var outputDir: String?
    @Option(help: "Override training.threads (intra-op threads).") var threads: Int?
    @Option(help: "Override training.init_adapter: start from this trained adapter's weights (checkpoint or exported folder), fresh optimizer and schedule.")
    var initAdapter: String?

    func validate() throws {
        try requireAtLeastOne(["--max-steps": maxSteps, "--threads": threads])
    }

    func run() throws {
        var c = try TrainingConfig.load(path: config)
        if let maxSteps { c.maxSteps = maxSteps }
        if let outputDir { c.outputDir = outputDir }
        if let threads { c.threads = threads }
        if let initAdapter { c.initAdapter = initAdapter }
        // Launched by torchrun (or anything that sets WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT):
        // data parallel, one GPU per process when training on CUDA.
        let group = try ProcessGroup.fromEnvironment()
        if let group, c.device == "cuda" { c.device = "cuda:\(group.localRank)" }
        let isMain = (group?.rank ?? 0) == 0
        let setup = try TrainingSetup(config: c) { if isMain { print($0) } }
        let trainer = try Trainer(setup: setup, quiet: !isMain, resume: resume, group: group)
        StopSignal.install()  // Ctrl-C / SIGTERM from here on: finish the step, save, exit 128 + signal
        let state = try trainer.run()
        if let signal = trainer.stoppedBy { throw ExitCode(128 + signal) }
        guard isMain else { return }
        print("done: \(state.step) steps, \(state.samplesSeen) samples, \(state.nonFiniteSkipped) skipped non-finite steps")
    }
}
