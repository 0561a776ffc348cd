import Foundation
import XCTest
@testable import Torch

/// Reference values written by scripts/fixtures/make_torch_fixtures.py.
enum Fixtures {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }
    static let ops: [String: Tensor] = { try! Safetensors.load(path("ops.safetensors")) }()
    static func input(_ name: String) -> Tensor { ops["in." + name]! }
    static func output(_ name: String) -> Tensor { ops["out." + name]! }
}

/// Asserts same shape and max |a - b| <= atol (float32 comparison).
func assertClose(_ a: Tensor, _ b: Tensor, atol: Double = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(a.shape, b.shape, "shape \(message)", file: file, line: line)
    guard a.shape == b.shape else { return }
    if a.count == 0 { return }
    let diff = try (a.to(dtype: .float64) - b.to(dtype: .float64)).abs().amax().item()
    XCTAssertLessThanOrEqual(diff, atol, "max abs diff \(diff) > \(atol) \(message)", file: file, line: line)
}

func assertEqualInts(_ a: Tensor, _ b: Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(a.shape, b.shape, file: file, line: line)
    XCTAssertEqual(try a.ints(), try b.ints(), file: file, line: line)
}
