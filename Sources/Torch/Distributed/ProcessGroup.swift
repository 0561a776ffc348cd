import CTorch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A c10d process group for data-parallel training: a TCPStore rendezvous and Gloo collectives,
/// launched like PyTorch's (`torchrun --no-python --nproc-per-node N steermoe train ...`, or any
/// launcher that sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT). Collectives run on CPU
/// tensors; the helpers below stage each step's gradients through one flat CPU buffer, so they
/// work for parameters on any device at the cost of one copy (a few MB for a SteerMoE adapter).
public final class ProcessGroup: @unchecked Sendable {
    let handle: ct_process_group
    public let rank: Int
    public let worldSize: Int
    /// The process's GPU when there is one per process (LOCAL_RANK under torchrun), else its rank.
    public let localRank: Int

    /// Rank 0 hosts the TCPStore at `host:port` when `isServer`; everyone else connects to it.
    public init(host: String, port: Int, rank: Int, worldSize: Int, localRank: Int? = nil, isServer: Bool,
                timeoutSeconds: Double = 1800) throws {
        guard worldSize > 0, (0..<worldSize).contains(rank) else {
            throw TorchError("process group: rank \(rank) is outside a world of \(worldSize)")
        }
        guard (1...65535).contains(port) else { throw TorchError("process group: port \(port) is outside 1...65535") }
        var h: ct_process_group?
        try check(ct_process_group_create(host, Int32(port), Int32(rank), Int32(worldSize), isServer ? 1 : 0, timeoutSeconds, &h))
        handle = h!
        self.rank = rank
        self.worldSize = worldSize
        self.localRank = localRank ?? rank
    }

    deinit { ct_process_group_free(handle) }

    /// The group torchrun (or a launcher setting the same variables) describes, nil when
    /// WORLD_SIZE is absent. Under torchrun's agent (TORCHELASTIC_USE_AGENT_STORE=True) the agent
    /// already hosts the store, so every worker connects as a client; otherwise rank 0 hosts it.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       timeoutSeconds: Double = 1800) throws -> ProcessGroup? {
        guard let worldText = env["WORLD_SIZE"] else { return nil }
        func number(_ key: String) throws -> Int {
            guard let text = env[key], let n = Int(text) else {
                throw TorchError("data-parallel launch: environment variable \(key) is \(env[key].map { "'\($0)'" } ?? "missing") "
                                 + "(WORLD_SIZE is \(worldText); expected an integer)")
            }
            return n
        }
        let world = try number("WORLD_SIZE")
        let rank = try number("RANK")
        let port = try number("MASTER_PORT")
        let localRank = env["LOCAL_RANK"].flatMap(Int.init)
        let host = env["MASTER_ADDR"] ?? "127.0.0.1"
        let agentStore = env["TORCHELASTIC_USE_AGENT_STORE"] == "True"
        return try ProcessGroup(host: host, port: port, rank: rank, worldSize: world, localRank: localRank,
                                isServer: rank == 0 && !agentStore, timeoutSeconds: timeoutSeconds)
    }

    /// A local TCP port nothing listens on now (bound to port 0, read back, released), for a
    /// rendezvous of processes on this machine.
    public static func freeLocalPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TorchError("freeLocalPort: socket() failed (errno \(errno))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TorchError("freeLocalPort: bind() failed (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// In place: `t` (CPU) becomes the sum of every rank's `t`.
    public func allReduceSum(_ t: Tensor) throws { try check(ct_process_group_allreduce_sum(handle, t.handle)) }

    /// In place: `t` (CPU) becomes rank `root`'s `t`.
    public func broadcast(_ t: Tensor, root: Int = 0) throws { try check(ct_process_group_broadcast(handle, t.handle, Int32(root))) }

    public func barrier() throws { try check(ct_process_group_barrier(handle)) }

    /// Averages the parameters' gradients over the ranks, plus `extras` (e.g. the step's loss) in
    /// the same collective; returns the averaged extras. A parameter without a gradient counts as zeros.
    public func averageGradients(_ parameters: [Parameter], extras: [Double] = []) throws -> [Double] {
        let grads = parameters.map(\.grad)
        let zerosOrGrads = try zip(parameters, grads).map { p, g in try g ?? Tensor.zeros(p.value.shape) }
        let flat = try Tensor.cat([Self.flatCPU(zerosOrGrads), Tensor(extras.map(Float.init), shape: [extras.count])], dim: 0)
        try allReduceSum(flat)
        try flat.mul_(1.0 / Double(worldSize))
        try Self.scatter(flat, into: zip(grads, parameters).map { ($0, $1.value.shape) })
        return try flat.slice(dim: 0, start: flat.count - extras.count).toArray(Float.self).map(Double.init)
    }

    /// Rank `root`'s flag, on every rank (e.g. its early-stopping verdict).
    public func broadcastFlag(_ flag: Bool, root: Int = 0) throws -> Bool {
        let t = try Tensor([Float(flag ? 1 : 0)], shape: [1])
        try broadcast(t, root: root)
        return try t.toArray(Float.self)[0] != 0
    }

    /// Makes every rank's parameter values rank `root`'s.
    public func broadcastValues(_ parameters: [Parameter], root: Int = 0) throws {
        guard !parameters.isEmpty else { return }
        let values = parameters.map(\.value)
        let flat = try Self.flatCPU(values.map { try $0.detach() })
        try broadcast(flat, root: root)
        try Autograd.noGrad { try Self.scatter(flat, into: values.map { ($0, $0.shape) }) }
    }

    /// `tensors` as one float32 CPU vector, in order (what the Gloo collectives take).
    private static func flatCPU(_ tensors: [Tensor]) throws -> Tensor {
        try Tensor.cat(tensors.map { try $0.to(device: .cpu, dtype: .float32).flatten() }, dim: 0)
    }

    /// Copies consecutive slices of `flat` into the targets in place (any device), each slice the
    /// size of its shape; a nil target's slice is skipped.
    private static func scatter(_ flat: Tensor, into targets: [(tensor: Tensor?, shape: [Int])]) throws {
        var offset = 0
        for (tensor, shape) in targets {
            let n = shape.reduce(1, *)
            if let tensor { try tensor.copy_(flat.slice(dim: 0, start: offset, end: offset + n).view(shape)) }
            offset += n
        }
    }
}
