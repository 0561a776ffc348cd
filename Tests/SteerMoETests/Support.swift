import Foundation
import XCTest
@testable import SteerMoE
@testable import Torch

/// Fixtures written by scripts/fixtures/make_model_fixtures.py and make_steermoe_fixtures.py.
enum Fixtures {
    static let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static func tensors(_ relative: String) throws -> [String: Tensor] { try Safetensors.load(path(relative)) }
    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// A SteerMoE model on the fixture Whisper (width 32) and `llm` (qwen2: width 48, vocabulary
    /// 160), trimmed audio, adapter seed 3.
    static func steerMoE(llm: String = "qwen2-tiny-random", ctcWeight: Double = 0,
                         ctcClasses: SteerMoEOptions.CTCClasses = .vocabulary) throws -> SteerMoEModel {
        var options = SteerMoEOptions()
        options.audioPadding = .trim
        options.ctcWeight = ctcWeight
        options.ctcClasses = ctcClasses
        return try SteerMoEModel.build(whisperFolder: path("models/whisper-tiny-random"), llmFolder: path("models/" + llm),
                                       options: options, seed: 3)
    }
}

/// The fixtures' deterministic input generator (scripts/fixtures/README.md, "hash_uniform").
func hashUniform(_ shape: [Int], seed: UInt32) throws -> Tensor {
    let n = shape.reduce(1, *)
    let offset = seed &* 0x9E37_79B9
    var values = [Float](repeating: 0, count: n)
    for i in 0..<n {
        var x = UInt32(truncatingIfNeeded: i) &+ offset
        x ^= x >> 16; x &*= 0x7FEB_352D; x ^= x >> 15; x &*= 0x846C_A68B; x ^= x >> 16
        values[i] = Float(x >> 8) * 0x1p-23 - 1
    }
    return try Tensor(values, shape: shape)
}

func maxAbsDiff(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a.to(dtype: .float64) - b.to(dtype: .float64)).abs().amax().item()
}

func assertClose(_ a: Tensor, _ b: Tensor, atol: Double, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(a.shape, b.shape, "shape \(message)", file: file, line: line)
    guard a.shape == b.shape, a.count > 0 else { return }
    let d = try maxAbsDiff(a, b)
    XCTAssertLessThanOrEqual(d, atol, "max abs diff \(d) > \(atol) \(message)", file: file, line: line)
}
