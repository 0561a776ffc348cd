import Foundation
import Torch

/// The MLP step of scripts/bench/core: forward, cross-entropy, backward, AdamW — mirrored by
/// scripts/bench/core_reference.py line for line.
enum CoreBench {
    static func run(steps: Int, warmup: Int) throws -> [Double] {
        let g = try Generator(seed: 0)
        let l1 = try Linear(784, 256, generator: g), l2 = try Linear(256, 256, generator: g), l3 = try Linear(256, 10, generator: g)
        let params = l1.parameters() + l2.parameters() + l3.parameters()
        let opt = AdamW([ParameterGroup(name: "all", parameters: params, learningRate: 1e-3, weightDecay: 0.01)])
        let x = try Tensor.randn([64, 784], generator: g)
        let y = try Tensor.randint(0, 10, [64], generator: g)
        var times: [Double] = []
        for i in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds
            let logits = try l3(l2(l1(x).relu()).relu())
            let loss = try Functional.crossEntropy(logits, y)
            try opt.zeroGrad()
            try loss.backward()
            try opt.step()
            _ = try loss.item()  // synchronise, as the reference reads loss.item()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if i >= warmup { times.append(elapsed) }
        }
        return times
    }
}
