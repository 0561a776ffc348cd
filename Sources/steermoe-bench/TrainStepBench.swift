import Foundation
import SteerMoE
import Torch

/// scripts/bench/train-step: the SteerMoE train step on the batch and models that
/// scripts/bench/train_step_reference.py prepares, mirroring its reference step.
enum TrainStepBench {
    /// `padding`: nil = the prepared 8 s features as they are (what the reference runs); pad30 /
    /// trim = upstream's 30 s padding vs trimming with the frame mask, for docs/results.md.
    /// `group`: data parallel (scripts/bench/train-step-ddp): rank 0's adapter everywhere, and each
    /// step's gradients averaged over the ranks between backward and clipping, as the trainer does.
    static func run(dir: String, steps: Int, warmup: Int, padding: SteerMoEOptions.AudioPadding? = nil,
                    whisper: String? = nil, llm: String? = nil, group: ProcessGroup? = nil) throws
        -> (ms: Double, loss: Double)
    {
        var options = SteerMoEOptions()
        options.numExperts = 8
        options.audioPadding = padding ?? .pad30
        let model = try SteerMoEModel.build(whisperFolder: whisper ?? dir + "/whisper", llmFolder: llm ?? dir + "/llm", options: options)
        let batch = try Safetensors.load(dir + "/batch.safetensors")
        var features = batch["features"]!
        var frameMask: Tensor? = nil
        if padding == .pad30 { features = try features.pad([0, 3000 - features.size(2)]) }
        if padding == .trim { frameMask = try Tensor.ones([features.size(0), features.size(2)], dtype: .int64) }
        let text = TextBatch(ids: batch["ids"]!, attentionMask: batch["mask"]!, labels: batch["labels"]!)
        let a = model.adapter
        let opt = AdamW([
            ParameterGroup(name: "steering", parameters: a.steeringParameters, learningRate: 1e-3),
            ParameterGroup(name: "router", parameters: a.routerParameters, learningRate: 1e-4),
            ParameterGroup(name: "other", parameters: a.otherParameters, learningRate: 1e-4),
        ])
        try group?.broadcastValues(a.trainableParameters())
        var times: [Double] = []
        var loss = 0.0
        for i in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds
            let out = try model(features: features, frameMask: frameMask, text: text)
            try opt.zeroGrad()
            try out.loss.backward()
            if let group { _ = try group.averageGradients(a.trainableParameters()) }
            try GradientClipping.clipGradNorm(a.steeringParameters, maxNorm: 1)
            try GradientClipping.clipGradNorm(a.trainableParameters(), maxNorm: 1)
            try opt.step()
            loss = try out.loss.item()
            if i >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        return (times.sorted()[times.count / 2], loss)
    }
}
