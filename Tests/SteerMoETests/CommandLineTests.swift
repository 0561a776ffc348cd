import Foundation
import XCTest

/// Out-of-range command-line values stop the command before anything loads, naming the flag
/// (they used to surface after the models loaded as "generate: numBeams ...", or crash).
final class CommandLineTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try TinyStack.requireCLI())
        p.arguments = arguments
        let errors = Pipe()
        p.standardError = errors
        p.standardOutput = Pipe()
        try p.run()
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, err)
    }

    func testOutOfRangeFlagsAreRefusedByName() throws {
        // No such checkpoint or clip: the flag must be what is reported, so nothing was opened.
        let transcribe = ["transcribe", "--checkpoint", "/nonexistent", "clip.wav"]
        let evaluate = ["evaluate", "--checkpoint", "/nonexistent", "/nonexistent-data"]
        let cases: [([String], String)] = [
            (transcribe + ["--beams", "0"], "--beams must be at least 1, found 0"),
            (transcribe + ["--ctc-decoding-weight=1.5"], "--ctc-decoding-weight must be within 0...1, found 1.5"),
            (transcribe + ["--repetition-penalty", "0"], "--repetition-penalty must be > 0, found 0.0"),
            (transcribe + ["--no-repeat-ngram-size=-1"], "--no-repeat-ngram-size must be >= 0, found -1"),
            (transcribe + ["--threads", "0"], "--threads must be at least 1, found 0"),
            (transcribe + ["--batch-size", "0"], "--batch-size must be at least 1, found 0"),
            (["evaluate", "--whisper-decoder", "/nonexistent", "/nonexistent-data", "--max-new-tokens", "0"],
             "--max-new-tokens must be at least 1, found 0"),
            (["train", "/nonexistent.yaml", "--max-steps", "0"], "--max-steps must be at least 1, found 0"),
            (evaluate + ["--batch-size", "0"], "--batch-size must be at least 1, found 0"),
            (evaluate + ["--limit", "0"], "--limit must be at least 1, found 0"),
            (evaluate + ["--ctc-length-bonus", "nan"], "--ctc-length-bonus must be a finite number, found nan"),
        ]
        for (arguments, message) in cases {
            let (status, stderr) = try run(arguments)
            XCTAssertNotEqual(status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(stderr.contains("Error: " + message), "\(arguments): \(stderr)")
        }
        let (status, stderr) = try run(evaluate + ["--limit", "3"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(stderr.contains("/nonexistent"), "a valid flag gets as far as the checkpoint: \(stderr)")
    }
}
