import Foundation
import Tokenizers
import Torch
import XCTest
@testable import SteerMoE

/// The GGUF converter against gguf-py and transformers' GGUF loader, on the tiny files written by
/// scripts/fixtures/make_gguf_fixtures.py (Fixtures/gguf/).
final class GGUFConverterTests: XCTestCase {
    static func gguf(_ name: String) throws -> GGUFFile { try GGUFFile(path: Fixtures.path("gguf/\(name).gguf")) }

    func tempFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-test-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testMetadataOfEveryValueType() throws {
        let f = try Self.gguf("quant-types")
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f["general.architecture"], .string("llama"))
        XCTAssertEqual(f["test.u8"]?.int, 200)
        XCTAssertEqual(f["test.i8"]?.int, -100)
        XCTAssertEqual(f["test.u16"]?.int, 60000)
        XCTAssertEqual(f["test.i16"]?.int, -30000)
        XCTAssertEqual(f["test.u32"]?.int, 4_000_000_000)
        XCTAssertEqual(f["test.i32"]?.int, -2_000_000_000)
        XCTAssertEqual(f["test.u64"]?.int, 1 << 40)
        XCTAssertEqual(f["test.i64"]?.int, -(1 << 40))
        XCTAssertEqual(f["test.f32"]?.double, 0.25)
        XCTAssertEqual(f["test.f64"]?.double, -1.5e-300)
        XCTAssertEqual(f["test.bool"]?.bool, true)
        XCTAssertEqual(f["test.string"]?.string, "héllo ✓")
        XCTAssertEqual(f["test.array_i32"]?.ints, [1, -2, 3])
        XCTAssertEqual(f["test.array_str"]?.strings, ["a", "", "ü"])
        XCTAssertEqual(f["test.array_nested"], .array([.array([.int(1), .int(2)]), .array([.int(3)])]))
    }

    /// Every decoded type, bit-identical to gguf-py's `dequantize` (what transformers loads).
    func testDequantisationEqualsGGUFPy() throws {
        let f = try Self.gguf("quant-types")
        let expected = try Fixtures.tensors("gguf/quant-types.expected.safetensors")
        XCTAssertEqual(Set(f.tensors.map(\.type)), Set(GGMLType.allCases), "the fixture covers every supported type")
        for info in f.tensors {
            let ours = try f.floats(info)
            let want = try XCTUnwrap(expected[info.name]).floats()
            XCTAssertEqual(info.shape, [3, 256], info.name)
            XCTAssertEqual(ours.count, want.count, info.name)
            let differing = zip(ours, want).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(differing, 0, "\(info.name) (\(info.type)): \(differing) of \(want.count) values differ from gguf-py")
        }
    }

    /// Names, llama q/k un-permutation and dequantisation vs transformers' GGUF loader.
    func testTinyLlamaTensorsEqualTransformers() throws {
        try assertTensorsEqualTransformers("tiny-llama")
    }

    /// Gemma 3: norms stored as 1 + w, four norms per block, q/k norms.
    func testTinyGemma3TensorsEqualTransformers() throws {
        try assertTensorsEqualTransformers("tiny-gemma3")
    }

    func assertTensorsEqualTransformers(_ name: String) throws {
        let ours = try GGUFConverter.hfTensors(of: Self.gguf(name))
        let expected = try Fixtures.tensors("gguf/\(name).expected.safetensors")
        XCTAssertEqual(Set(ours.keys), Set(expected.keys))
        for (key, want) in expected {
            let got = try XCTUnwrap(ours[key], key)
            XCTAssertEqual(got.shape, want.shape, key)
            XCTAssertEqual(try maxAbsDiff(got, want), 0, key)
        }
    }

    /// config.json fields transformers derives from the file, and DecoderConfig reads it.
    func testTinyLlamaFolderConfigAndTokenizer() throws {
        let out = try tempFolder()
        try GGUFConverter(source: Fixtures.path("gguf/tiny-llama.gguf")).convert(to: out)
        let reference = try Fixtures.json("gguf/tiny-llama.expected.json")
        try assertConfig(out, reference["config"] as! [String: Any])
        try assertTokenizerJSON(out, reference)

        let config = try DecoderConfig(folder: ModelFolder(out))
        XCTAssertEqual(config.modelType, "llama")
        XCTAssertEqual(config.numKVHeads, 2)
        XCTAssertEqual(config.eosTokenIds, [2])
        XCTAssertFalse(config.tieWordEmbeddings)
        _ = try DecoderLM.load(folder: out)  // every weight present with the shape config.json implies

        // Our Swift tokenizer on the converted tokenizer.json gives the ids of transformers' GGUF
        // tokenizer with llama.cpp's "smollm" split (digits one by one). transformers alone keeps
        // "12" whole: the fixture's "1 2" merge shows the difference.
        let tokenizer = try Tokenizer(folder: out)
        let texts = reference["texts"] as! [String]
        for (text, ids) in zip(texts, reference["ids_llamacpp_pre"] as! [[Int]]) {
            XCTAssertEqual(tokenizer.encode(text), ids, text)
        }
        XCTAssertNotEqual(tokenizer.encode(texts[0]), (reference["ids"] as! [[Int]])[0])
        XCTAssertNotNil(tokenizer.chatTemplate)
    }

    func testTinyGemma3FolderConfigAndTokenizer() throws {
        let out = try tempFolder()
        try GGUFConverter(source: Fixtures.path("gguf/tiny-gemma3.gguf")).convert(to: out)
        let reference = try Fixtures.json("gguf/tiny-gemma3.expected.json")
        try assertConfig(out, reference["config"] as! [String: Any])
        try assertTokenizerJSON(out, reference)
        // The converted folder is a Gemma 3 our decoder reads (GemmaTests check its numerics).
        let config = try DecoderConfig(folder: ModelFolder(out))
        XCTAssertNotNil(config.gemma, "converted gemma3 config is read as Gemma")
    }

    func assertConfig(_ folder: String, _ want: [String: Any]) throws {
        let got = try Fixtures.jsonFile(folder + "/config.json")
        for (key, value) in want {
            XCTAssertTrue(jsonEqual(got[key], value), "config \(key): ours \(got[key] ?? "absent"), transformers \(value)")
        }
    }

    /// Vocabulary, merges (in order) and added tokens equal transformers' GGUF-built tokenizer.
    func assertTokenizerJSON(_ folder: String, _ reference: [String: Any]) throws {
        let tj = try Fixtures.jsonFile(folder + "/tokenizer.json")
        let model = tj["model"] as! [String: Any]
        XCTAssertEqual(model["vocab"] as! [String: Int], reference["vocab"] as! [String: Int])
        let merges = (model["merges"] as! [[String]]).map { $0.joined(separator: " ") }
        XCTAssertEqual(merges, reference["merges"] as! [String])
        let added = (tj["added_tokens"] as! [[String: Any]]).map { [$0["id"] as! Int, $0["content"] as! String, $0["special"] as! Bool] as [Any] }
        let want = reference["added_tokens"] as! [[Any]]
        XCTAssertEqual(added.count, want.count)
        for (a, b) in zip(added, want) { XCTAssertTrue(jsonEqual(a, b), "added token \(a) vs \(b)") }
    }

    func testOutputDtype() throws {
        let out = try tempFolder()
        try GGUFConverter(source: Fixtures.path("gguf/tiny-llama.gguf"), outputDtype: .bfloat16).convert(to: out)
        let file = try Safetensors.File(path: out + "/model.safetensors")
        XCTAssertTrue(file.entries.values.allSatisfy { $0.dtype == .bfloat16 })
        XCTAssertEqual(file.metadata["converted_from"], "gguf")
    }

    /// The output folder must be new, empty or an earlier conversion: never a folder of other files
    /// (`--out docs`) or the source's own folder. Nothing is written when it is refused.
    func testOutputFolderMustBeNewEmptyOrAnEarlierConversion() throws {
        let converter = try GGUFConverter(source: Fixtures.path("gguf/tiny-llama.gguf"))
        let other = try tempFolder()
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: other + "/notes.md"))
        XCTAssertThrowsError(try converter.convert(to: other)) {
            XCTAssertTrue("\($0)".contains("exists and is not a model folder (no config.json)"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: other), ["notes.md"], "nothing written")
        let sourceFolder = (Fixtures.path("gguf/tiny-llama.gguf") as NSString).deletingLastPathComponent
        XCTAssertThrowsError(try converter.convert(to: sourceFolder + "/.")) {
            XCTAssertTrue("\($0)".contains("holds the source"), "\($0)")
        }
        let out = try tempFolder()
        try converter.convert(to: out)
        XCTAssertNoThrow(try converter.convert(to: out), "an earlier conversion is replaced")
    }

    func testTruncatedFileIsRejected() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("gguf/tiny-llama.gguf")))
        let path = try tempFolder() + ".gguf"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try GGUFFile(path: path)) { XCTAssertTrue("\($0)".contains("past the end"), "\($0)") }
        try bytes.prefix(1000).write(to: URL(fileURLWithPath: path))  // cut inside the metadata
        XCTAssertThrowsError(try GGUFFile(path: path)) { XCTAssertTrue("\($0)".contains("past the end"), "\($0)") }
    }
}

extension Fixtures {
    static func jsonFile(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }
}

/// Structural JSON equality; numbers (booleans included, as Foundation parses them) compare as
/// doubles within float32 rounding (GGUF floats are float32: transformers keeps 9.99999974e-06,
/// we write 1e-05).
func jsonEqual(_ a: Any?, _ b: Any?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (is NSNull, is NSNull): return true
    case let (x as String, y as String): return x == y
    case let (x as [Any], y as [Any]): return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
    case let (x as [String: Any], y as [String: Any]):
        return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { jsonEqual(x[$0], y[$0]) }
    case let (x as NSNumber, y as NSNumber):
        let (u, v) = (x.doubleValue, y.doubleValue)
        return u == v || abs(u - v) <= 1e-6 * max(abs(u), abs(v))
    default: return false
    }
}
