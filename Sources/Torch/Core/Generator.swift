import CTorch

/// A seeded random-number stream (torch.Generator), for reproducible initialisation and sampling.
public final class Generator: @unchecked Sendable {
    let handle: ct_generator
    /// Where its samples are drawn (sampling functions given it default to this device).
    public let device: Device

    public init(seed: UInt64, device: Device = .cpu) throws {
        var g: ct_generator? = nil
        try check(ct_generator_new(seed, device.ctType, device.ctIndex, &g))
        handle = g!
        self.device = device
    }
    deinit { ct_generator_free(handle) }

    /// The full generator state (a uint8 tensor), for checkpoints.
    public func state() throws -> Tensor { try make { ct_generator_get_state(handle, $0) } }
    public func setState(_ state: Tensor) throws { try check(ct_generator_set_state(handle, state.handle)) }
}
