import Foundation

/// Whether bf16 autocast can be expected to speed up training on this CPU. oneDNN runs bf16 matrix
/// products fastest on Intel AMX tiles; with AVX512-BF16 alone they measured 0.6× float32's speed on
/// this project's machine (docs/results.md "bf16 on the CPU"), where an AMX machine had trained 1.9×
/// faster in bf16.
enum CPUMatrixUnits {
    /// The CPU flags of Linux's /proc/cpuinfo (its first `flags` line); nil where there is none (macOS).
    static func flags(cpuinfo: String) -> Set<String>? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return nil
    }

    /// A line for the run log when bf16 on this CPU is likely slower than float32, else nil.
    static func bf16Note(cpuinfo: String?) -> String? {
        guard let text = cpuinfo, let flags = flags(cpuinfo: text), !flags.contains("amx_bf16") else { return nil }
        let units = flags.contains("avx512_bf16") ? "AVX512-BF16 but no AMX" : "neither AMX nor AVX512-BF16"
        return "note: training.bf16 on a CPU with \(units) (/proc/cpuinfo): bf16 matrix products may run slower than "
            + "float32 here (0.6× on such a CPU, docs/results.md \"bf16 on the CPU\"); compare a few steps with bf16: false"
    }

    static func bf16NoteForThisMachine() -> String? {
        bf16Note(cpuinfo: try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))
    }
}
