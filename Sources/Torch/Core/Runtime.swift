import CTorch

/// Process-wide libtorch settings.
public enum Torch {
    public static var version: String { String(cString: ct_torch_version()) }
    /// Intra-op threads (torch.set_num_threads).
    public static var numThreads: Int {
        get { Int(ct_get_num_threads()) }
        set { ct_set_num_threads(Int32(newValue)) }
    }
    /// Inter-op threads; only effective before the first parallel work.
    public static func setInteropThreads(_ n: Int) { ct_set_num_interop_threads(Int32(n)) }
    /// Seeds the global generator (torch.manual_seed).
    public static func manualSeed(_ seed: UInt64) { ct_manual_seed(seed) }
    public static func defaultGeneratorState() throws -> Tensor { try make { ct_default_generator_get_state($0) } }
    public static func setDefaultGeneratorState(_ state: Tensor) throws { try check(ct_default_generator_set_state(state.handle)) }

    /// Loads libtorch_cuda so CUDA devices become usable. Throws when the CUDA libraries are absent
    /// (run scripts/bootstrap --cuda).
    public static func loadCUDA() throws { try check(ct_cuda_load()) }
    public static var cudaIsAvailable: Bool { ct_cuda_is_available() != 0 }
    public static var cudaDeviceCount: Int { Int(ct_cuda_device_count()) }
    public static func cudaSynchronize(_ index: Int = 0) throws { try check(ct_cuda_synchronize(Int32(index))) }
}
