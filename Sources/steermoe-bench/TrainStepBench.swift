import Foundation
import SteerMoE
import Torch

/// scripts/bench/train-step: the SteerMoE train step on the batch and models that
/// scripts/bench/train_step_reference.py prepares, mirroring its reference step.
enum TrainStepBench {
    static func run(dir: String, steps: Int, warmup: Int) throws -> (ms: Double, loss: Double) {
        var options = SteerMoEOptions()
        options.numExperts = 8
        let model = try SteerMoEModel.build(whisperFolder: dir + "/whisper", llmFolder: dir + "/llm", options: options)
        let batch = try Safetensors.load(dir + "/batch.safetensors")
        let text = TextBatch(ids: batch["ids"]!, attentionMask: batch["mask"]!, labels: batch["labels"]!)
        let a = model.adapter
        let opt = AdamW([
            ParameterGroup(name: "steering", parameters: a.steeringParameters, learningRate: 1e-3),
            ParameterGroup(name: "router", parameters: a.routerParameters, learningRate: 1e-4),
            ParameterGroup(name: "other", parameters: a.otherParameters, learningRate: 1e-4),
        ])
        var times: [Double] = []
        var loss = 0.0
        for i in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds
            let out = try model(features: batch["features"]!, text: text)
            try opt.zeroGrad()
            try out.loss.backward()
            try GradientClipping.clipGradNorm(a.steeringParameters, maxNorm: 1)
            try GradientClipping.clipGradNorm(a.trainableParameters(), maxNorm: 1)
            try opt.step()
            loss = try out.loss.item()
            if i >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        return (times.sorted()[times.count / 2], loss)
    }
}
