import Foundation
import Torch

/// Writes a safetensors file one tensor at a time, so a conversion holds one tensor in memory
/// instead of the whole model. Layout, header and padding are those of `Safetensors.save`
/// (names sorted, JSON with sorted keys, space-padded to 8 bytes), so the bytes are the same.
/// Atomic like `Safetensors.save`: a temporary file in the folder, fsync, rename.
struct GGUFSafetensorsWriter {
    struct Entry {
        let name: String
        let shape: [Int]
        let dtype: DType
        var byteCount: Int { shape.reduce(1, *) * dtype.byteSize }
    }

    static let dtypeNames: [DType: String] = [.float32: "F32", .float16: "F16", .bfloat16: "BF16"]

    /// `produce(entry)` returns the tensor for `entry`, which must have its shape and dtype.
    static func write(_ entries: [Entry], to path: String, metadata: [String: String],
                      produce: (Entry) throws -> Tensor) throws {
        let sorted = entries.sorted { $0.name < $1.name }
        var header: [String: Any] = metadata.isEmpty ? [:] : ["__metadata__": metadata]
        var offset = 0
        for e in sorted {
            guard let dt = dtypeNames[e.dtype] else { throw GGUFError("safetensors: unsupported dtype \(e.dtype) for '\(e.name)'") }
            header[e.name] = ["dtype": dt, "shape": e.shape, "data_offsets": [offset, offset + e.byteCount]] as [String: Any]
            offset += e.byteCount
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        let tmp = path + ".tmp-\(getpid())"
        guard let fh = fopen(tmp, "wb") else { throw GGUFError("\(tmp): cannot create (\(String(cString: strerror(errno))))") }
        var closed = false
        defer { if !closed { fclose(fh); unlink(tmp) } }
        func put(_ bytes: UnsafeRawBufferPointer) throws {
            guard bytes.isEmpty || fwrite(bytes.baseAddress, 1, bytes.count, fh) == bytes.count else {
                throw GGUFError("\(path): write failed (\(String(cString: strerror(errno))))")
            }
        }
        var length = UInt64(headerBytes.count).littleEndian
        try withUnsafeBytes(of: &length) { try put($0) }
        try headerBytes.withUnsafeBytes { try put($0) }
        for e in sorted {
            let t = try produce(e).contiguous()
            guard t.shape == e.shape, t.dtype == e.dtype else {
                throw GGUFError("\(e.name): produced \(t.shape) \(t.dtype), header says \(e.shape) \(e.dtype)")
            }
            var buffer = [UInt8](repeating: 0, count: e.byteCount)
            try buffer.withUnsafeMutableBytes { try t.copyBytes(to: $0) }
            try buffer.withUnsafeBytes { try put($0) }
        }
        guard fflush(fh) == 0, fsync(fileno(fh)) == 0 else { throw GGUFError("\(path): flush failed (\(String(cString: strerror(errno))))") }
        fclose(fh)
        closed = true
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw GGUFError("\(path): rename failed (\(String(cString: strerror(errno))))")
        }
        Safetensors.syncDirectory(of: path)
    }
}
