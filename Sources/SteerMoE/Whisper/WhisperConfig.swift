import Foundation
import Torch

/// The encoder half of a Hugging Face Whisper config.json.
public struct WhisperEncoderConfig: Sendable, Equatable {
    public var melBins: Int
    public var width: Int
    public var layers: Int
    public var heads: Int
    public var ffnWidth: Int
    public var maxPositions: Int
    public var activation: String

    public init(melBins: Int, width: Int, layers: Int, heads: Int, ffnWidth: Int, maxPositions: Int, activation: String = "gelu") {
        self.melBins = melBins
        self.width = width
        self.layers = layers
        self.heads = heads
        self.ffnWidth = ffnWidth
        self.maxPositions = maxPositions
        self.activation = activation
    }

    public init(_ c: HFConfig) throws {
        try self.init(melBins: c.int("num_mel_bins"), width: c.int("d_model"), layers: c.int("encoder_layers"),
                      heads: c.int("encoder_attention_heads"), ffnWidth: c.int("encoder_ffn_dim"),
                      maxPositions: c.int("max_source_positions"), activation: c.string("activation_function", default: "gelu"))
        guard width % heads == 0 else { throw TorchError("\(c.path): d_model \(width) is not divisible by encoder_attention_heads \(heads)") }
    }
}

func activation(_ name: String, _ x: Tensor) throws -> Tensor {
    switch name {
    case "gelu": return try x.gelu()
    case "gelu_new", "gelu_pytorch_tanh": return try x.gelu(approximate: true)
    case "relu": return try x.relu()
    case "silu", "swish": return try x.silu()
    default: throw TorchError("unsupported activation function '\(name)' (supported: gelu, gelu_new, relu, silu)")
    }
}
