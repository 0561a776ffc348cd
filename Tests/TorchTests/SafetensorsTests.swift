import Foundation
import XCTest
@testable import Torch

final class SafetensorsTests: XCTestCase {
    var tmp: String!
    override func setUpWithError() throws {
        tmp = NSTemporaryDirectory() + "st-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: tmp) }

    func testReadsFileWrittenByPython() throws {
        let file = try Safetensors.File(path: Fixtures.path("python_written.safetensors"))
        XCTAssertEqual(file.metadata["format"], "pt")
        XCTAssertEqual(file.entries["f16"]?.dtype, .float16)
        XCTAssertEqual(file.entries["bf16"]?.dtype, .bfloat16)
        let t = try file.tensors()
        XCTAssertEqual(t["i64"]!.shape, [3, 4])
        XCTAssertEqual(try t["i64"]!.ints(), Array(-5..<7))
        XCTAssertEqual(try t["i32"]!.toArray(Int32.self), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try t["bool"]!.toArray(Bool.self), [true, false, true])
        XCTAssertEqual(t["scalar"]!.shape, [])
        XCTAssertEqual(try t["scalar"]!.item(), 3.5)
        XCTAssertEqual(t["empty"]!.shape, [0, 4])
        // Loading with a dtype converts.
        XCTAssertEqual(try file.tensor("f16", dtype: .float32).dtype, .float32)
    }

    func testRoundTripIsBitExact() throws {
        let original = try Safetensors.load(Fixtures.path("python_written.safetensors"))
        let path = tmp + "/round.safetensors"
        try Safetensors.save(original, to: path, metadata: ["who": "test"])
        let back = try Safetensors.File(path: path)
        XCTAssertEqual(back.metadata["who"], "test")
        for (name, t) in original {
            let u = try back.tensor(name)
            XCTAssertEqual(u.dtype, t.dtype, name)
            XCTAssertEqual(u.shape, t.shape, name)
            var x = [UInt8](repeating: 0, count: t.count * t.dtype.byteSize), y = x
            try x.withUnsafeMutableBytes { try t.copyBytes(to: $0) }
            try y.withUnsafeMutableBytes { try u.copyBytes(to: $0) }
            XCTAssertEqual(x, y, "bytes of \(name)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"), "temp file renamed away")
    }

    func testShardedIndex() throws {
        let t = try Safetensors.load(Fixtures.path("sharded"))
        XCTAssertEqual(Set(t.keys), ["a.weight", "a.bias", "b.weight"])
        XCTAssertEqual(t["a.bias"]!.dtype, .bfloat16)
        let py = try Safetensors.load(Fixtures.path("python_written.safetensors"))
        try assertClose(t["a.weight"]!, py["f32"]!, atol: 0)
    }

    func testTruncatedAndMalformedFilesGiveClearErrors() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("python_written.safetensors")))
        let cases: [(String, Data, String)] = [
            ("tiny", Data([1, 2, 3]), "not a safetensors file"),
            ("huge-header", Data([0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0]) + Data(repeating: 0x20, count: 16), "truncated or malformed"),
            ("not-json", Data([8, 0, 0, 0, 0, 0, 0, 0]) + Data("{garbage".utf8), "not a JSON object"),
            ("cut-data", good.prefix(good.count - 10), "do not fit"),
        ]
        for (name, bytes, expected) in cases {
            let path = tmp + "/\(name).safetensors"
            try bytes.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try Safetensors.load(path), name) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(name): \(error)")
                XCTAssertTrue("\(error)".contains(path), "error names the file: \(error)")
            }
        }
    }
}
