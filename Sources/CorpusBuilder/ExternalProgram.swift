import Foundation
import SpeechData

/// Runs helper programs (flite, espeak-ng, the Piper and Kokoro helpers) with captured output.
enum ExternalProgram {
    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: Data
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Absolute path of `name` on PATH (or `name` itself when it contains a slash and exists).
    static func find(_ name: String) -> String? {
        let fm = FileManager.default
        if name.contains("/") { return fm.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs to completion with stdin read from `inputFile` (a file, not a pipe: a child that
    /// dies early cannot take us down with SIGPIPE). Output is drained on other threads so a
    /// chatty child cannot block on a full pipe.
    static func run(_ program: String, _ arguments: [String], inputFile: URL? = nil,
                    environment: [String: String]? = nil) throws -> Result {
        guard let executable = find(program) else {
            throw CorpusBuildError.fileSystem(path: program, reason: "program not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = try inputFile.map { try FileHandle(forReadingFrom: $0) }
        defer { try? input?.close() }
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        let outBox = DataBox(), errBox = DataBox()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, stdout: outBox.data, stderr: errBox.data)
    }

    /// Runs a TTS program whose `arguments` make it write one clip to `wav`, and reads the clip back;
    /// a failure names the source, the clip and the program's own message.
    static func renderClip(source: String, id: String, program: String, arguments: [String], wav: URL) throws -> RenderedAudio {
        let result = try run(program, arguments)
        guard result.status == 0 else {
            throw CorpusBuildError.renderFailed(source: source, id: id, reason: "\(program) exit \(result.status): \(result.stderrText)")
        }
        let decoded = try Audio.decode(file: wav.path)
        return RenderedAudio(samples: decoded.samples, sampleRate: decoded.sampleRate)
    }

    /// Runs a Python TTS helper (Resources/NAME.py, with tts_jobs.py beside it) over a shard: `jobs`
    /// (each with an "out" WAV path) go to its stdin as JSON lines, one thread so reruns are
    /// identical; the clips are read back in job order.
    static func renderWithPythonHelper(source: String, python: String, helperName: String, arguments: [String],
                                       jobs: [[String: Any]], ids: [String], scratch: URL) throws -> [RenderedAudio] {
        guard let helper = Bundle.module.url(forResource: helperName, withExtension: "py", subdirectory: "Resources") else {
            throw CorpusBuildError.fileSystem(path: helperName + ".py", reason: "helper script missing from the bundle")
        }
        var lines = Data()
        for job in jobs { lines += try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys]) + Data("\n".utf8) }
        let jobsFile = scratch.appendingPathComponent("jobs.jsonl")
        try lines.write(to: jobsFile)
        let result = try run(python, [helper.path] + arguments, inputFile: jobsFile, environment: ["OMP_NUM_THREADS": "1"])
        guard result.status == 0 else {
            throw CorpusBuildError.renderFailed(source: source, id: ids.first ?? "", reason:
                "helper exit \(result.status): \(result.stderrText.suffix(2000))")
        }
        return try jobs.map { job in
            let decoded = try Audio.decode(file: job["out"] as! String)
            return RenderedAudio(samples: decoded.samples, sampleRate: decoded.sampleRate)
        }
    }

    private final class DataBox: @unchecked Sendable { var data = Data() }
}
