import ArgumentParser
import Torch

/// Count flags (--threads, --limit, --max-steps, ...) must be at least 1 when given.
func requireAtLeastOne(_ flags: KeyValuePairs<String, Int?>) throws {
    for (flag, value) in flags {
        if let value, value < 1 { throw ValidationError("\(flag) must be at least 1, found \(value)") }
    }
}

/// `--dtype NAME` of the commands that write adapter weights (export, average): nil when not given.
/// Whether it is floating-point is checked where the weights are written.
func adapterStorageType(_ name: String?) throws -> DType? {
    try name.map { name in
        guard let d = DType(name: name) else { throw ValidationError("--dtype \(name): expected float32, float16 or bfloat16") }
        return d
    }
}
