import Foundation
import Torch

/// Data-dependent initialisation of the projection (our addition; `calibrate_projection`).
///
/// With the default Linear initialisation, Whisper's layer-normed output projects to audio
/// embeddings far larger than the LLM's token embeddings (measured: RMS 2.6 vs 0.13 for
/// Whisper base → SmolLM2-135M, ~20×). In a pre-norm LLM those positions then carry almost
/// only their input through the residual stream, and the short CPU budgets here never learned
/// the scale down. Rescaling `prompt_proj` once, before the first step, puts both kinds of
/// position on the same scale; the direction of every projected vector is unchanged.
public struct ProjectionCalibration: Sendable {
    /// RMS of the audio embeddings on the calibration batch, before rescaling.
    public var audioRMS: Double
    /// RMS of the LLM's input embeddings of the batch's text tokens (padding excluded).
    public var tokenRMS: Double
    /// The factor applied to the projection's weight and bias.
    public var factor: Double
}

extension SteerMoEModel {
    /// Rescales `prompt_proj` so the audio embeddings of this batch have the RMS of the text
    /// embeddings the LLM reads next to them. Returns nil when there is no projection (the
    /// widths match and upstream uses the identity).
    @discardableResult
    public func calibrateProjection(features: Tensor, frameMask: Tensor?, text: TextBatch) throws -> ProjectionCalibration? {
        guard let projection = adapter.projection else { return nil }
        let text = try text.to(device: device)
        return try Device.with(device) { try Autograd.noGrad {
            let audio = try steeringEncoder(features, frameMask: frameMask)
            let audioRMS = try Self.rms(audio.embeddings, mask: audio.mask)
            let tokens = try llm.embed(text.ids).to(dtype: .float32)
            let tokenRMS = try Self.rms(tokens, mask: text.attentionMask.ne(0))
            guard audioRMS > 0, audioRMS.isFinite, tokenRMS.isFinite else {
                throw TorchError("calibrate_projection: audio embedding RMS \(audioRMS), token RMS \(tokenRMS)")
            }
            let factor = tokenRMS / audioRMS
            try projection.weight.value.mul_(factor)
            try projection.bias?.value.mul_(factor)
            return ProjectionCalibration(audioRMS: audioRMS, tokenRMS: tokenRMS, factor: factor)
        } }
    }

    /// sqrt(mean(x²)) over the positions where `mask` (B, N) is true (all when nil).
    static func rms(_ x: Tensor, mask: Tensor?) throws -> Double {
        let squares = try x.to(dtype: .float32).pow(2).mean(dim: -1)  // (B, N)
        guard let mask else { return try squares.mean().sqrt().item() }
        let m = try mask.to(dtype: .float32)
        return Foundation.sqrt(try (squares * m).sum().item() / max(try m.sum().item(), 1))
    }
}
