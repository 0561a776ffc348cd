import ArgumentParser

/// Count flags (--threads, --limit, --max-steps, ...) must be at least 1 when given.
func requireAtLeastOne(_ flags: KeyValuePairs<String, Int?>) throws {
    for (flag, value) in flags {
        if let value, value < 1 { throw ValidationError("\(flag) must be at least 1, found \(value)") }
    }
}
