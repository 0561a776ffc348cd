import ArgumentParser
import Foundation
import Torch

/// A built-in smoke run: fits a two-layer network to y = sin(3x)·x with AdamW and a warmup +
/// cosine schedule, printing the loss as it falls. Needs no data or weights.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fit a tiny model with AdamW and print the loss falling.")
    @Option(help: "Optimisation steps.") var steps = 2000
    @Option(help: "Intra-op threads.") var threads = 1
    @Option(help: "Random seed.") var seed: UInt64 = 0

    func run() throws {
        Torch.numThreads = threads
        let g = try Generator(seed: seed)
        let hidden = try Linear(1, 64, generator: g), output = try Linear(64, 1, generator: g)
        let x = try Tensor.linspace(-2, 2, steps: 256).unsqueeze(1)
        let y = try (x * 3).sin() * x
        let opt = AdamW([ParameterGroup(name: "all", parameters: hidden.parameters() + output.parameters(),
                                        learningRate: 1e-2, weightDecay: 0.0)])
        let schedule = LRSchedule.cosine(warmupSteps: steps / 10, totalSteps: steps)
        let start = Date()
        var first = 0.0, last = 0.0
        for step in 0..<steps {
            let loss = try Functional.mseLoss(output(hidden(x).tanh()), y)
            try opt.zeroGrad()
            try loss.backward()
            try GradientClipping.clipGradNorm(hidden.parameters() + output.parameters(), maxNorm: 1.0)
            try opt.step(learningRates: opt.baseLearningRates.map { $0 * schedule.factor(at: step) })
            last = try loss.item()
            if step == 0 { first = last }
            if step % max(1, steps / 10) == 0 || step == steps - 1 {
                let rate = Double(step + 1) / Date().timeIntervalSince(start)
                print(String(format: "step %4d/%d  loss %.5f  %.0f steps/s", step + 1, steps, last, rate))
            }
        }
        print(String(format: "loss fell from %.4f to %.5f (%.1f×)", first, last, first / max(last, 1e-12)))
        if !(last < first) { throw ValidationError("the demo did not learn: loss \(first) -> \(last)") }
    }
}
