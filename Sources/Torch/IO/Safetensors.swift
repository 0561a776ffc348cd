import CTorch
import Foundation

/// Reading and writing the safetensors format (8-byte little-endian header length, JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, raw data).
public enum Safetensors {
    static let dtypeNames: [String: DType] = [
        "F32": .float32, "F16": .float16, "BF16": .bfloat16, "F64": .float64,
        "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8, "U8": .uint8, "BOOL": .bool,
    ]
    static func name(of dtype: DType) -> String? { dtypeNames.first { $0.value == dtype }?.key }

    public struct Entry: Sendable {
        public let dtype: DType
        public let shape: [Int]
        public let begin: Int, end: Int
    }

    /// A parsed file: header entries plus the memory-mapped bytes.
    public final class File: @unchecked Sendable {
        public let path: String
        public let entries: [String: Entry]
        public let metadata: [String: String]
        let mapping: MappedFile
        let dataStart: Int

        public init(path: String) throws {
            self.path = path
            mapping = try MappedFile(path: path)
            let size = mapping.size
            guard size >= 8 else { throw TorchError("\(path): not a safetensors file (only \(size) bytes, header length needs 8)") }
            let headerLength = Int(mapping.bytes.loadUnaligned(as: UInt64.self).littleEndian)
            guard headerLength > 1, headerLength <= size - 8 else {
                throw TorchError("\(path): truncated or malformed safetensors header (declares \(headerLength) header bytes, file has \(size - 8) after the length)")
            }
            dataStart = 8 + headerLength
            let headerData = Data(bytes: mapping.bytes + 8, count: headerLength)
            guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
                throw TorchError("\(path): safetensors header is not a JSON object")
            }
            var entries: [String: Entry] = [:]
            var metadata: [String: String] = [:]
            let dataSize = size - dataStart
            for (key, value) in json {
                if key == "__metadata__" {
                    metadata = (value as? [String: String]) ?? [:]
                    continue
                }
                guard let info = value as? [String: Any], let dt = info["dtype"] as? String,
                      let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
                else { throw TorchError("\(path): tensor '\(key)' has a malformed header entry (needs dtype, shape, data_offsets)") }
                guard let dtype = dtypeNames[dt] else {
                    throw TorchError("\(path): tensor '\(key)' has unsupported dtype \(dt) (supported: \(dtypeNames.keys.sorted().joined(separator: ", ")))")
                }
                let (b, e) = (offsets[0], offsets[1])
                let need = shape.reduce(1, *) * dtype.byteSize
                guard b >= 0, e >= b, e <= dataSize, e - b == need else {
                    throw TorchError("\(path): tensor '\(key)' data_offsets [\(b), \(e)] do not fit \(shape) \(dt) in \(dataSize) data bytes (file truncated?)")
                }
                entries[key] = Entry(dtype: dtype, shape: shape, begin: b, end: e)
            }
            self.entries = entries
            self.metadata = metadata
        }

        public var names: [String] { entries.keys.sorted() }

        /// The tensor `name`. Without `dtype` it aliases the mapped file (no copy; copy-on-write
        /// pages); with a different `dtype` it is converted into fresh memory.
        public func tensor(_ name: String, dtype: DType? = nil) throws -> Tensor {
            guard let e = entries[name] else { throw TorchError("\(path): no tensor named '\(name)'") }
            let pointer = mapping.bytes + dataStart + e.begin
            let aligned = Int(bitPattern: pointer) % e.dtype.byteSize == 0
            let raw: Tensor
            if aligned && e.end > e.begin {
                let shape = e.shape.map(Int64.init)
                let ctx = Unmanaged.passRetained(mapping).toOpaque()
                var out: ct_tensor? = nil
                try check(ct_from_blob(pointer, shape, Int64(shape.count), e.dtype.rawValue, { ctx in
                    Unmanaged<MappedFile>.fromOpaque(ctx!).release()
                }, ctx, &out))
                raw = Tensor(owning: out!)
            } else {
                raw = try Tensor.fromBytes(UnsafeRawBufferPointer(start: pointer, count: e.end - e.begin), shape: e.shape, dtype: e.dtype)
            }
            guard let dtype, dtype != e.dtype else { return raw }
            return try raw.to(dtype: dtype)
        }

        public func tensors(dtype: DType? = nil) throws -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for n in entries.keys { out[n] = try tensor(n, dtype: dtype) }
            return out
        }
    }

    /// Loads every tensor of a file, or of a sharded checkpoint when `path` is a
    /// `*.safetensors.index.json` (or a folder holding `model.safetensors[.index.json]`).
    public static func load(_ path: String, dtype: DType? = nil) throws -> [String: Tensor] {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let single = (path as NSString).appendingPathComponent("model.safetensors")
            let index = single + ".index.json"
            if FileManager.default.fileExists(atPath: index) { return try load(index, dtype: dtype) }
            if FileManager.default.fileExists(atPath: single) { return try load(single, dtype: dtype) }
            throw TorchError("\(path): no model.safetensors or model.safetensors.index.json in this folder")
        }
        if path.hasSuffix(".index.json") { return try loadSharded(indexPath: path, dtype: dtype) }
        return try File(path: path).tensors(dtype: dtype)
    }

    static func loadSharded(indexPath: String, dtype: DType?) throws -> [String: Tensor] {
        guard let data = FileManager.default.contents(atPath: indexPath) else { throw TorchError("\(indexPath): cannot read") }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["weight_map"] as? [String: String]
        else { throw TorchError("\(indexPath): not a safetensors index (expected a \"weight_map\" object)") }
        let folder = (indexPath as NSString).deletingLastPathComponent
        var files: [String: File] = [:]
        var out: [String: Tensor] = [:]
        for (name, shard) in map {
            let shardPath = (folder as NSString).appendingPathComponent(shard)
            if files[shard] == nil { files[shard] = try File(path: shardPath) }
            guard files[shard]!.entries[name] != nil else {
                throw TorchError("\(indexPath): '\(name)' is mapped to \(shard), which does not contain it")
            }
            out[name] = try files[shard]!.tensor(name, dtype: dtype)
        }
        return out
    }

    /// Writes tensors atomically: a temporary file in the same folder, fsync, rename, fsync folder.
    public static func save(_ tensors: [String: Tensor], to path: String, metadata: [String: String] = [:]) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        var contiguous: [Tensor] = []
        for name in names {
            let t = try tensors[name]!.detach().to(.cpu).contiguous()
            guard let dt = Safetensors.name(of: t.dtype) else { throw TorchError("save: '\(name)' has unsupported dtype \(t.dtype)") }
            let n = t.count * t.dtype.byteSize
            header[name] = ["dtype": dt, "shape": t.shape, "data_offsets": [offset, offset + n]] as [String: Any]
            offset += n
            contiguous.append(t)
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }  // pad with spaces, as the reference writer
        let tmp = path + ".tmp-\(getpid())"
        guard let fh = fopen(tmp, "wb") else { throw TorchError("\(tmp): cannot create (\(String(cString: strerror(errno))))") }
        var ok = true
        var length = UInt64(headerBytes.count).littleEndian
        ok = ok && fwrite(&length, 8, 1, fh) == 1
        ok = ok && headerBytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, fh) == $0.count }
        for t in contiguous where ok {
            var buf = [UInt8](repeating: 0, count: t.count * t.dtype.byteSize)
            try buf.withUnsafeMutableBytes { try t.copyBytes(to: $0) }
            ok = buf.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, fh) == $0.count || $0.count == 0 }
        }
        ok = ok && fflush(fh) == 0 && fsync(fileno(fh)) == 0
        fclose(fh)
        guard ok else {
            unlink(tmp)
            throw TorchError("\(path): write failed (\(String(cString: strerror(errno))))")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw TorchError("\(path): rename failed (\(String(cString: strerror(errno))))")
        }
        syncDirectory(of: path)
    }

    public static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

/// A read-only file mapped private copy-on-write (so aliasing tensors may be written in place
/// without touching the file). Unmapped when the last tensor using it is freed.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeMutableRawPointer
    let size: Int
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TorchError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TorchError("\(path): cannot stat") }
        size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 8)
            return
        }
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw TorchError("\(path): mmap failed (\(String(cString: strerror(errno))))") }
        bytes = p
    }
    deinit {
        if size == 0 { bytes.deallocate() } else { munmap(bytes, size) }
    }
}
