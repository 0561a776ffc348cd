import CTorch

/// Automatic mixed precision (torch.autocast): inside `run`, matmul-like ops compute in `dtype`
/// (bf16 or fp16) while precision-sensitive ops stay float32.
public enum Autocast {
    public static func run<R>(device: Device = .current, dtype: DType = .bfloat16, enabled: Bool = true,
                              _ body: () throws -> R) throws -> R {
        guard enabled else { return try body() }
        let type = device.ctType
        let wasEnabled = ct_autocast_is_enabled(type)
        try check(ct_autocast_set_dtype(type, dtype.rawValue))
        try check(ct_autocast_set_enabled(type, 1))
        ct_autocast_increment_nesting()
        defer {
            ct_autocast_decrement_nesting()
            _ = ct_autocast_set_enabled(type, wasEnabled)
        }
        return try body()
    }
    public static func isEnabled(device: Device = .current) -> Bool { ct_autocast_is_enabled(device.ctType) != 0 }
}
