import Torch

/// The one place where a device name from a config key or a command-line option becomes a
/// `Device`: `setting` names where it was asked for (e.g. `'training.device'`, `--device`), so every
/// error says which setting to change.
public enum DeviceSetting {
    /// `cpu`, `cuda` or `cuda:N`; no check that the device exists (configs validate without CUDA).
    public static func parse(_ name: String, setting: String) throws -> Device {
        guard let device = Device(name: name) else {
            throw ConfigError("\(setting) must be cpu, cuda or cuda:N, found \(name)")
        }
        return device
    }

    /// `parse`, then `checkAvailable`.
    public static func resolve(_ name: String, setting: String) throws -> Device {
        let device = try parse(name, setting: setting)
        try checkAvailable(device, setting: setting)
        return device
    }

    /// Loads libtorch_cuda for a CUDA device and checks that the device exists.
    public static func checkAvailable(_ device: Device, setting: String) throws {
        guard case .cuda(let index) = device else { return }
        do { try Torch.loadCUDA() } catch {
            throw ConfigError("\(setting) '\(device)': \(error) (install the CUDA wheels: scripts/bootstrap --cuda)")
        }
        guard Torch.cudaIsAvailable, index < Torch.cudaDeviceCount else {
            throw ConfigError("\(setting) '\(device)': \(Torch.cudaDeviceCount) CUDA device(s) visible")
        }
    }
}
