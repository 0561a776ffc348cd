import Foundation
import Torch

/// Sizes and settings read from a CTranslate2 `WhisperSpec` (tensor shapes + scalar settings).
public struct WhisperCT2Dimensions: Sendable, Equatable {
    public var melBins: Int, width: Int, vocabSize: Int
    public var encoderLayers: Int, decoderLayers: Int
    public var encoderHeads: Int, decoderHeads: Int
    public var encoderFFN: Int, decoderFFN: Int
    public var maxSourcePositions: Int, maxTargetPositions: Int
    public var activation: String
    /// True when `decoder/projection` is the token embedding (an alias or equal bytes).
    public var tiedProjection: Bool
    /// Where the head counts came from: "model.bin" (the spec's num_heads) or "d_model/64".
    public var headsSource: String
}

/// Maps every variable of a CTranslate2 Whisper `model.bin` to Hugging Face
/// `WhisperForConditionalGeneration` names, undoing CTranslate2's fusions:
///   `*/self_attention/linear_0` = [q; k; v] (3d × d; k's bias slot is zeros) → q/k/v_proj,
///   `decoder/layer_N/attention/linear_1` = [k; v] (2d × d) → encoder_attn.k/v_proj,
///   int8/int16 weights → float via their `*_scale` (CTranslate2 stores round(w · scale)).
/// Every stored variable must be consumed: an unknown one is an error, never dropped.
struct WhisperCT2Mapping {
    let file: CT2ModelFile
    private(set) var consumed: Set<String> = []
    private(set) var weights: [String: Tensor] = [:]
    /// Float types of the weights as stored (int8/int16 ones are dequantised to float32).
    private(set) var storedTypes: Set<String> = []

    /// Scalar settings of the spec this converter knows: name → accepted values (nil: any).
    static let knownSettings: [String: Set<Int>?] = [
        "encoder/num_heads": nil, "decoder/num_heads": nil,
        "decoder/pre_norm": [1], "decoder/scale_embeddings": [0],
        "decoder/alibi": [0], "decoder/alibi_use_positive_positions": [0], "decoder/scale_alibi": [0],
        "decoder/start_from_zero_embedding": [0], "decoder/alignment_layer": nil, "decoder/alignment_heads": nil,
        // CTranslate2's Activation enum: RELU 0, GELUTanh 1, SWISH 2, GELU 3.
        "decoder/activation": [0, 1, 2, 3],
    ]
    static let activationNames = [0: "relu", 1: "gelu_new", 2: "silu", 3: "gelu"]

    init(file: CT2ModelFile) throws {
        self.file = file
        guard file.specName == "WhisperSpec" else {
            throw TorchError("\(file.source): spec is '\(file.specName)', not a Whisper model (expected WhisperSpec)")
        }
    }

    /// Runs the whole mapping; returns the HF weights (stored float type, or float32 where
    /// dequantised) and the model's sizes.
    mutating func run() throws -> ([String: Tensor], WhisperCT2Dimensions) {
        let dims = try dimensions()
        try checkSettings()
        try mapEncoder(dims)
        try mapDecoder(dims)
        let unknown = file.allNames.filter { !consumed.contains($0) }
        guard unknown.isEmpty else {
            throw TorchError("\(file.source): variables this converter does not know how to map to Hugging Face Whisper: "
                             + unknown.prefix(12).joined(separator: ", ") + (unknown.count > 12 ? ", … (\(unknown.count) in all)" : ""))
        }
        return (weights, dims)
    }

    // MARK: sizes

    func dimensions() throws -> WhisperCT2Dimensions {
        let conv1 = try shape("encoder/conv1/weight", rank: 3)
        let width = conv1[0]
        let embeddings = try shape("decoder/embeddings/weight", rank: 2)
        let encoderLayers = layerCount("encoder"), decoderLayers = layerCount("decoder")
        guard encoderLayers > 0, decoderLayers > 0 else {
            throw TorchError("\(file.source): found \(encoderLayers) encoder and \(decoderLayers) decoder layers (expected encoder/layer_0/…, decoder/layer_0/…)")
        }
        // Whisper's heads are always 64 wide; the spec's num_heads (int16 scalar) is preferred.
        let storedEncoderHeads = try file.scalarInt("encoder/num_heads"), storedDecoderHeads = try file.scalarInt("decoder/num_heads")
        guard width % 64 == 0 || (storedEncoderHeads != nil && storedDecoderHeads != nil) else {
            throw TorchError("\(file.source): no encoder/num_heads or decoder/num_heads, and d_model \(width) is not a multiple of Whisper's head size 64")
        }
        let encoderHeads = storedEncoderHeads ?? width / 64, decoderHeads = storedDecoderHeads ?? width / 64
        for (name, heads) in [("encoder", encoderHeads), ("decoder", decoderHeads)] where heads <= 0 || width % heads != 0 {
            throw TorchError("\(file.source): \(name)/num_heads \(heads) does not divide d_model \(width)")
        }
        let activationCode = try file.scalarInt("decoder/activation") ?? 3
        let projection = file.variable("decoder/projection/weight")
        let tied = projection == nil || file.sameData("decoder/projection/weight", "decoder/embeddings/weight")
        return WhisperCT2Dimensions(
            melBins: conv1[1], width: width, vocabSize: embeddings[0],
            encoderLayers: encoderLayers, decoderLayers: decoderLayers,
            encoderHeads: encoderHeads, decoderHeads: decoderHeads,
            encoderFFN: try shape("encoder/layer_0/ffn/linear_0/weight", rank: 2)[0],
            decoderFFN: try shape("decoder/layer_0/ffn/linear_0/weight", rank: 2)[0],
            maxSourcePositions: try shape("encoder/position_encodings/encodings", rank: 2)[0],
            maxTargetPositions: try shape("decoder/position_encodings/encodings", rank: 2)[0],
            activation: Self.activationNames[activationCode] ?? "gelu", tiedProjection: tied,
            headsSource: storedEncoderHeads != nil && storedDecoderHeads != nil ? "model.bin" : "d_model/64")
    }

    func shape(_ name: String, rank: Int) throws -> [Int] {
        guard let v = file.variable(name) else { throw TorchError("\(file.source): missing variable '\(name)' (is this a Whisper model?)") }
        guard v.shape.count == rank else { throw TorchError("\(file.source): '\(name)' has shape \(v.shape), expected rank \(rank)") }
        return v.shape
    }

    func layerCount(_ stack: String) -> Int {
        var n = 0
        while file.variable("\(stack)/layer_\(n)/ffn/linear_0/weight") != nil { n += 1 }
        return n
    }

    // MARK: settings

    mutating func checkSettings() throws {
        for (name, accepted) in Self.knownSettings {
            guard let value = try file.scalarInt(name) else { continue }
            if let accepted, !accepted.contains(value) {
                throw TorchError("\(file.source): '\(name)' is \(value); Hugging Face Whisper needs \(accepted.sorted().map(String.init).joined(separator: " or "))")
            }
            consumed.insert(name)
        }
    }

    // MARK: encoder / decoder

    mutating func mapEncoder(_ d: WhisperCT2Dimensions) throws {
        for conv in ["conv1", "conv2"] {
            try copy("encoder/\(conv)/weight", to: "model.encoder.\(conv).weight")
            try copy("encoder/\(conv)/bias", to: "model.encoder.\(conv).bias")
        }
        try copy("encoder/position_encodings/encodings", to: "model.encoder.embed_positions.weight")
        try layerNorm("encoder/layer_norm", to: "model.encoder.layer_norm")
        for l in 0..<d.encoderLayers {
            let src = "encoder/layer_\(l)", dst = "model.encoder.layers.\(l)"
            try selfAttention(src, dst, width: d.width)
            try feedForward(src, dst)
        }
    }

    mutating func mapDecoder(_ d: WhisperCT2Dimensions) throws {
        try copy("decoder/embeddings/weight", to: "model.decoder.embed_tokens.weight")
        try copy("decoder/position_encodings/encodings", to: "model.decoder.embed_positions.weight")
        try layerNorm("decoder/layer_norm", to: "model.decoder.layer_norm")
        for l in 0..<d.decoderLayers {
            let src = "decoder/layer_\(l)", dst = "model.decoder.layers.\(l)"
            try selfAttention(src, dst, width: d.width)
            try layerNorm("\(src)/attention/layer_norm", to: "\(dst).encoder_attn_layer_norm")
            try linear("\(src)/attention/linear_0", to: "\(dst).encoder_attn.q_proj")
            try fused("\(src)/attention/linear_1", width: d.width, into: ["\(dst).encoder_attn.k_proj", "\(dst).encoder_attn.v_proj"])
            try linear("\(src)/attention/linear_2", to: "\(dst).encoder_attn.out_proj")
            try feedForward(src, dst)
        }
        if file.variable("decoder/projection/weight") != nil {
            // Tied (the usual case): HF ties proj_out to embed_tokens and does not store it.
            if d.tiedProjection { consume("decoder/projection/weight") } else { try copy("decoder/projection/weight", to: "proj_out.weight") }
            try zeroBias("decoder/projection/bias", what: "proj_out has no bias")
        }
    }

    mutating func selfAttention(_ src: String, _ dst: String, width: Int) throws {
        try layerNorm("\(src)/self_attention/layer_norm", to: "\(dst).self_attn_layer_norm")
        try fused("\(src)/self_attention/linear_0", width: width,
                  into: ["\(dst).self_attn.q_proj", "\(dst).self_attn.k_proj", "\(dst).self_attn.v_proj"])
        try linear("\(src)/self_attention/linear_1", to: "\(dst).self_attn.out_proj")
    }

    mutating func feedForward(_ src: String, _ dst: String) throws {
        try layerNorm("\(src)/ffn/layer_norm", to: "\(dst).final_layer_norm")
        try linear("\(src)/ffn/linear_0", to: "\(dst).fc1")
        try linear("\(src)/ffn/linear_1", to: "\(dst).fc2")
    }

    // MARK: primitives

    mutating func layerNorm(_ src: String, to dst: String) throws {
        try copy("\(src)/gamma", to: "\(dst).weight")
        try copy("\(src)/beta", to: "\(dst).bias")
    }

    mutating func linear(_ src: String, to dst: String) throws {
        try copy("\(src)/weight", to: "\(dst).weight")
        try copy("\(src)/bias", to: "\(dst).bias")
    }

    /// Splits a fused projection row-wise into `targets` (d rows each). HF Whisper's k_proj has
    /// no bias; CTranslate2 fills its slot with zeros, which must stay zeros.
    mutating func fused(_ src: String, width: Int, into targets: [String]) throws {
        let weight = try take("\(src)/weight")
        guard weight.shape == [width * targets.count, width] else {
            throw TorchError("\(file.source): '\(src)/weight' has shape \(weight.shape), expected [\(width * targets.count), \(width)] (\(targets.count) fused projections)")
        }
        let bias = try take("\(src)/bias")
        guard bias.shape == [width * targets.count] else {
            throw TorchError("\(file.source): '\(src)/bias' has shape \(bias.shape), expected [\(width * targets.count)]")
        }
        for (i, target) in targets.enumerated() {
            let rows = i * width..<(i + 1) * width
            weights["\(target).weight"] = try weight.slice(dim: 0, rows).contiguous()
            let b = try bias.slice(dim: 0, rows).contiguous()
            if target.hasSuffix("k_proj") {
                let largest = try b.to(dtype: .float64).abs().amax().item()
                guard largest == 0 else {
                    throw TorchError("\(file.source): '\(src)/bias' has a non-zero key part (max |b| = \(largest)), but Hugging Face Whisper's k_proj has no bias")
                }
            } else {
                weights["\(target).bias"] = b
            }
        }
    }

    mutating func zeroBias(_ name: String, what: String) throws {
        guard file.variable(name) != nil else { return }
        let largest = try take(name).to(dtype: .float64).abs().amax().item()
        guard largest == 0 else { throw TorchError("\(file.source): '\(name)' is not zero (max \(largest)) but \(what)") }
    }

    mutating func copy(_ src: String, to dst: String) throws { weights[dst] = try take(src) }

    mutating func consume(_ name: String) {
        consumed.insert(name)
        if let target = file.aliases[name] { consumed.insert(target) }
    }

    /// The variable as a float tensor: float types as stored, integer types dequantised with
    /// their `<name>_scale` (per output row for int8, one scalar for int16).
    mutating func take(_ name: String) throws -> Tensor {
        guard let v = file.variable(name) else { throw TorchError("\(file.source): missing variable '\(name)'") }
        consume(name)
        let raw = try file.tensor(name)
        if v.dtype.isFloatingPoint {
            storedTypes.insert(v.dtype.description)
            return raw
        }
        // The scale belongs to the stored variable (an alias shares its target's scale).
        let scaleName = v.name + "_scale"
        guard file.variable(scaleName) != nil else {
            throw TorchError("\(file.source): '\(name)' is stored as \(v.dtype) without '\(scaleName)' to dequantise it")
        }
        if file.variable(v.name.replacingOccurrences(of: "/weight", with: "/weight_zero")) != nil {
            throw TorchError("\(file.source): '\(name)' uses zero-point (AWQ) quantisation, which this converter does not support")
        }
        consume(scaleName)
        storedTypes.insert("\(v.dtype) (dequantised to float32)")
        let scale = try file.tensor(scaleName).to(dtype: .float32)
        let values = try raw.to(dtype: .float32)
        switch scale.count {
        case 1:
            return try values / scale.reshape([])
        case v.shape.first ?? -1:
            return try values / scale.reshape([scale.count] + Array(repeating: 1, count: v.shape.count - 1))
        default:
            throw TorchError("\(file.source): '\(scaleName)' has \(scale.count) values; expected 1 or one per row of '\(name)' \(v.shape)")
        }
    }
}
