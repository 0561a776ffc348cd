import Foundation
import SpeechData
import Torch

/// Runs a Whisper folder's encoder on audio files and returns what an outside reference needs
/// to check it (scripts/whisper-ct2/verify.py compares with ctranslate2 and transformers):
/// `audio.N` (16 kHz mono samples as decoded and resampled here), `features.N` (log-mel padded
/// to 30 s, (mel, 3000)) and `encoder.N` (last hidden state, (positions, d)), all float32.
public enum WhisperEncoderDump {
    public static func run(model folder: String, audio paths: [String]) throws -> [String: Tensor] {
        let model = try ModelFolder(folder)
        guard let preprocessor = try model.optionalConfig("preprocessor_config.json") else {
            throw TorchError("\(folder): no preprocessor_config.json (needed for the log-mel settings)")
        }
        let extractor = try LogMelExtractor(preprocessorConfig: preprocessor)
        let encoder = try WhisperEncoder.load(folder: folder, dtype: .float32)
        var out: [String: Tensor] = [:]
        for (i, path) in paths.enumerated() {
            let samples = try Audio.load16k(file: path)
            let features = try extractor.padded(samples)
            let hidden = try Autograd.noGrad { try encoder(features.unsqueeze(0)).lastHiddenState.squeeze(0) }
            out["audio.\(i)"] = try Tensor(samples, shape: [samples.count])
            out["features.\(i)"] = features
            out["encoder.\(i)"] = hidden
        }
        return out
    }
}
