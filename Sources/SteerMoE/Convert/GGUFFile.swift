import Foundation

/// A tensor as the file describes it. `dims` are ggml's order (fastest-varying first); `shape` is
/// the row-major (PyTorch / safetensors) order, i.e. `dims` reversed.
public struct GGUFTensorInfo: Sendable {
    public let name: String
    public let dims: [Int]
    public let type: GGMLType
    /// Offset of the data from the start of the data section.
    public let offset: Int
    public var shape: [Int] { dims.reversed() }
    public var elementCount: Int { dims.reduce(1, *) }
    public var byteCount: Int { type.byteCount(elements: elementCount)! }
}

/// A parsed GGUF file (versions 2 and 3, little endian): metadata, tensor directory, and the
/// memory-mapped bytes. Every read is bounds-checked, so a truncated or corrupt file (e.g. a
/// multi-part download joined in the wrong order) fails with the offset instead of crashing.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    /// Metadata in file order (the order matters for nothing but messages).
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute file offset of the tensor data section.
    public let dataStart: Int
    private let bytes: UnsafeRawPointer
    private let size: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GGUFError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GGUFError("\(path): cannot stat") }
        size = Int(st.st_size)
        guard size >= 24 else { throw GGUFError("\(path): \(size) bytes is too short for a GGUF header") }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw GGUFError("\(path): mmap failed (\(String(cString: strerror(errno))))")
        }
        bytes = UnsafeRawPointer(p)

        var r = Reader(base: bytes, size: size, path: path)
        do {
            guard try r.u32() == 0x4655_4747 else { throw GGUFError("\(path): not a GGUF file (magic is not 'GGUF')") }
            version = try r.u32()
            guard version == 2 || version == 3 else {
                throw GGUFError("\(path): GGUF version \(version) is not supported (2 and 3 are)")
            }
            let tensorCount = try r.count("tensor count")
            let kvCount = try r.count("metadata count")
            var keys: [String] = [], values: [String: GGUFValue] = [:]
            for _ in 0..<kvCount {
                let key = try r.string()
                let type = try r.u32()
                values[key] = try r.value(type: type, key: key)
                keys.append(key)
            }
            metadataKeys = keys
            metadata = values
            alignment = values["general.alignment"]?.int ?? 32
            guard alignment > 0, alignment % 8 == 0 else { throw GGUFError("\(path): general.alignment \(alignment) is not a positive multiple of 8") }

            var infos: [GGUFTensorInfo] = []
            for _ in 0..<tensorCount {
                let name = try r.string()
                let nDims = Int(try r.u32())
                guard (1...4).contains(nDims) else { throw GGUFError("\(path): tensor '\(name)' has \(nDims) dimensions") }
                let dims = try (0..<nDims).map { _ in try r.count("dimension of '\(name)'") }
                let code = try r.u32()
                guard let type = GGMLType(rawValue: code) else {
                    throw GGUFError("\(path): tensor '\(name)' has ggml type \(code), which this converter does not decode (supported: \(GGMLType.allCases.map(\.description).joined(separator: ", ")))")
                }
                let offset = try r.count("offset of '\(name)'")
                let info = GGUFTensorInfo(name: name, dims: dims, type: type, offset: offset)
                guard type.byteCount(elements: info.elementCount) != nil, dims[0] % type.blockSize == 0 else {
                    throw GGUFError("\(path): tensor '\(name)' rows of \(dims[0]) are not whole \(type) blocks of \(type.blockSize)")
                }
                infos.append(info)
            }
            tensors = infos
            dataStart = (r.offset + alignment - 1) / alignment * alignment
        } catch {
            munmap(p, size)
            throw error
        }
        for t in tensors where dataStart + t.offset + t.byteCount > size {
            munmap(p, size)
            throw GGUFError("\(path): tensor '\(t.name)' ends at byte \(dataStart + t.offset + t.byteCount), past the end of the file (\(size) bytes): truncated, or parts joined in the wrong order?")
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes), size) }

    public func tensor(named name: String) -> GGUFTensorInfo? { tensors.first { $0.name == name } }

    /// The raw stored bytes of a tensor (valid while this object lives).
    public func data(of t: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bytes + dataStart + t.offset, count: t.byteCount)
    }

    /// The tensor decoded to float32, in row-major order of `t.shape`.
    public func floats(_ t: GGUFTensorInfo) throws -> [Float] {
        try GGUFDequantizer.dequantize(data(of: t), type: t.type, count: t.elementCount)
    }

    public subscript(key: String) -> GGUFValue? { metadata[key] }
}

public struct GGUFError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Sequential little-endian reads over the mapped header, each checked against the file size.
private struct Reader {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    var offset = 0

    mutating func take(_ n: Int) throws -> UnsafeRawPointer {
        guard n >= 0, offset <= size - n else {
            throw GGUFError("\(path): header runs past the end of the file at byte \(offset) (needs \(n) more)")
        }
        defer { offset += n }
        return base + offset
    }
    mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }
    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    /// A u64 count or offset that must fit comfortably in memory-sized arithmetic.
    mutating func count(_ what: String) throws -> Int {
        let v = try load(UInt64.self)
        guard v <= UInt64(size) * 8 + 1 << 20 else { throw GGUFError("\(path): implausible \(what) \(v) at byte \(offset - 8)") }
        return Int(v)
    }
    mutating func string() throws -> String {
        let n = try count("string length")
        let p = try take(n)
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }
    mutating func value(type code: UInt32, key: String) throws -> GGUFValue {
        guard let type = GGUFValueType(rawValue: code) else { throw GGUFError("\(path): metadata '\(key)' has unknown value type \(code)") }
        switch type {
        case .uint8: return .uint(UInt64(try load(UInt8.self)))
        case .int8: return .int(Int64(try load(Int8.self)))
        case .uint16: return .uint(UInt64(try load(UInt16.self)))
        case .int16: return .int(Int64(try load(Int16.self)))
        case .uint32: return .uint(UInt64(try load(UInt32.self)))
        case .int32: return .int(Int64(try load(Int32.self)))
        case .uint64: return .uint(try load(UInt64.self))
        case .int64: return .int(try load(Int64.self))
        case .float32: return .float(Double(Float(bitPattern: try load(UInt32.self))))
        case .float64: return .float(Double(bitPattern: try load(UInt64.self)))
        case .bool: return .bool(try load(UInt8.self) != 0)
        case .string: return .string(try string())
        case .array:
            let elementType = try u32()
            let n = try count("array length of '\(key)'")
            // every element takes at least one byte: a larger count is corruption, not a big array
            guard n <= size - offset else { throw GGUFError("\(path): metadata '\(key)' claims \(n) elements, more than the \(size - offset) bytes left") }
            var items: [GGUFValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try value(type: elementType, key: key)) }
            return .array(items)
        }
    }
}
