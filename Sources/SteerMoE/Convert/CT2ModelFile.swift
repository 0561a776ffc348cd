import Foundation
import Torch

/// Element types of a CTranslate2 `model.bin`, numbered as its `DataType` enum
/// (include/ctranslate2/types.h; the Python writer's `_dtype_to_type_id`).
public enum CT2DataType: UInt8, Sendable, CustomStringConvertible {
    case float32 = 0, int8 = 1, int16 = 2, int32 = 3, float16 = 4, bfloat16 = 5

    public var torch: DType {
        switch self {
        case .float32: .float32
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .float16: .float16
        case .bfloat16: .bfloat16
        }
    }
    public var byteSize: Int { torch.byteSize }
    public var isFloatingPoint: Bool { torch.isFloatingPoint }
    public var description: String { torch.description }
}

/// One stored variable: where its bytes lie in the joined file.
public struct CT2Variable: Sendable {
    public let name: String
    public let shape: [Int]
    public let dtype: CT2DataType
    public let offset: Int
    public let byteCount: Int
}

/// A parsed CTranslate2 `model.bin` (binary version 6), possibly joined from several parts.
///
/// Layout (little endian): u32 version, spec name, u32 revision, u32 variable count; per
/// variable: name, u8 rank, u32 × rank dims, u8 dtype, u32 byte count, bytes; then u32 alias
/// count and (alias, target) name pairs. Strings are u16 length (with the NUL) + bytes + NUL.
/// Scalars (rank 0) carry the spec's settings, e.g. `encoder/num_heads` (int16).
public final class CT2ModelFile: @unchecked Sendable {
    public static let supportedVersion = 6

    /// "a/model.bin.part1 + b/model.bin.part2", for error messages.
    public let source: String
    public let version: Int
    public let specName: String
    public let revision: Int
    /// Variables in file order (the writer sorts them by name).
    public let variables: [CT2Variable]
    public let byName: [String: CT2Variable]
    /// alias name → the variable it stands for (e.g. `decoder/projection/weight` →
    /// `decoder/embeddings/weight`: CTranslate2 stores tied weights once).
    public let aliases: [String: String]
    let bytes: Data

    /// Reads and joins `parts` in order (a split model.bin is plain concatenation).
    public convenience init(parts: [String]) throws {
        guard !parts.isEmpty else { throw TorchError("CTranslate2 model: no model.bin given") }
        var joined = Data()
        var sizes: [(String, Int)] = []
        for part in parts {
            guard let data = FileManager.default.contents(atPath: part) else {
                throw TorchError("\(part): cannot read (missing file or no permission?)")
            }
            joined.append(data)
            sizes.append((part, data.count))
        }
        try self.init(bytes: joined, parts: sizes)
    }

    /// `parts`: the file names and sizes the bytes were joined from (for error messages).
    public init(bytes: Data, parts: [(name: String, size: Int)]) throws {
        // Offsets below are 0-based; a Data slice keeps its parent's indices, so rebase it.
        let bytes = bytes.startIndex == 0 ? bytes : bytes.withUnsafeBytes { Data($0) }
        self.bytes = bytes
        source = parts.map { $0.name }.joined(separator: " + ")
        var reader = CT2Reader(bytes: bytes, source: source, parts: parts)
        let version = Int(try reader.u32("the format version"))
        guard version == Self.supportedVersion else {
            let hint = parts.count > 1 || parts.first.map { $0.name.contains(".part") } == true
                ? " (a split model.bin must be joined in order: part1 first)" : ""
            throw TorchError("\(source): not a CTranslate2 model.bin of binary version \(Self.supportedVersion): "
                             + "the first 4 bytes read \(version)\(hint)")
        }
        self.version = version
        specName = try reader.string("the spec name")
        revision = Int(try reader.u32("the spec revision"))
        let count = Int(try reader.u32("the variable count"))
        var variables: [CT2Variable] = []
        var byName: [String: CT2Variable] = [:]
        for index in 0..<count {
            let name = try reader.string("the name of variable \(index + 1) of \(count)")
            let what = "variable '\(name)' (\(index + 1) of \(count))"
            let rank = Int(try reader.u8("the rank of \(what)"))
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try reader.u32("the shape of \(what)"))) }
            let code = try reader.u8("the dtype of \(what)")
            guard let dtype = CT2DataType(rawValue: code) else {
                throw TorchError("\(source): \(what) has unknown dtype code \(code) (known: 0 f32, 1 int8, 2 int16, 3 int32, 4 f16, 5 bf16)")
            }
            let byteCount = Int(try reader.u32("the byte count of \(what)"))
            let expected = shape.reduce(1, *) * dtype.byteSize
            guard byteCount == expected else {
                throw TorchError("\(source): \(what) declares \(byteCount) bytes but shape \(shape) of \(dtype) needs \(expected)")
            }
            let offset = try reader.skip(byteCount, "the data of \(what)")
            guard byName[name] == nil else { throw TorchError("\(source): variable '\(name)' is stored twice") }
            let v = CT2Variable(name: name, shape: shape, dtype: dtype, offset: offset, byteCount: byteCount)
            variables.append(v)
            byName[name] = v
        }
        let aliasCount = Int(try reader.u32("the alias count"))
        var aliases: [String: String] = [:]
        for index in 0..<aliasCount {
            let alias = try reader.string("alias \(index + 1) of \(aliasCount)")
            let target = try reader.string("the target of alias '\(alias)'")
            guard byName[target] != nil else {
                throw TorchError("\(source): alias '\(alias)' points to '\(target)', which is not stored")
            }
            aliases[alias] = target
        }
        guard reader.position == bytes.count else {
            throw TorchError("\(source): \(bytes.count - reader.position) unexpected bytes after the alias table "
                             + "(ends at byte \(reader.position) of \(bytes.count)): parts given in the wrong order, or one too many?")
        }
        self.variables = variables
        self.byName = byName
        self.aliases = aliases
    }

    /// Every name the file defines: stored variables and aliases.
    public var allNames: [String] { variables.map(\.name) + aliases.keys.sorted() }

    /// The stored variable for `name`, following an alias.
    public func variable(_ name: String) -> CT2Variable? { byName[aliases[name] ?? name] }

    /// The variable's data as a CPU tensor of its stored type (a copy of the bytes).
    public func tensor(_ name: String) throws -> Tensor {
        guard let v = variable(name) else { throw TorchError("\(source): no variable '\(name)'") }
        return try bytes.withUnsafeBytes { raw in
            try Tensor.fromBytes(UnsafeRawBufferPointer(rebasing: raw[v.offset..<(v.offset + v.byteCount)]), shape: v.shape, dtype: v.dtype.torch)
        }
    }

    /// An integer scalar setting (e.g. `encoder/num_heads`, `decoder/pre_norm`), nil if absent.
    public func scalarInt(_ name: String) throws -> Int? {
        guard let v = variable(name) else { return nil }
        guard v.shape.isEmpty || v.shape == [1], !v.dtype.isFloatingPoint else {
            throw TorchError("\(source): '\(name)' should be an integer scalar, found \(v.dtype) \(v.shape)")
        }
        return try tensor(name).itemInt()
    }

    /// A numeric scalar setting read as a Double (CTranslate2 stores some as float32).
    public func scalarDouble(_ name: String) throws -> Double? {
        guard let v = variable(name) else { return nil }
        guard v.shape.isEmpty || v.shape == [1] else {
            throw TorchError("\(source): '\(name)' should be a scalar, found shape \(v.shape)")
        }
        return try tensor(name).item()
    }

    /// Whether two names hold byte-identical data (same stored variable, or equal copies).
    public func sameData(_ a: String, _ b: String) -> Bool {
        guard let x = variable(a), let y = variable(b) else { return false }
        if x.offset == y.offset { return true }
        guard x.shape == y.shape, x.dtype == y.dtype else { return false }
        return bytes[x.offset..<(x.offset + x.byteCount)] == bytes[y.offset..<(y.offset + y.byteCount)]
    }
}

/// Sequential little-endian reads with errors that say what was being read, where, and
/// which part of a split file ran out.
struct CT2Reader {
    /// 0-based (startIndex 0).
    let bytes: Data
    let source: String
    let parts: [(name: String, size: Int)]
    private(set) var position = 0

    init(bytes: Data, source: String, parts: [(name: String, size: Int)]) {
        self.bytes = bytes
        self.source = source
        self.parts = parts
    }

    /// Advances over `count` bytes, returning where they start.
    mutating func skip(_ count: Int, _ what: String) throws -> Int {
        guard count >= 0, position + count <= bytes.count else { throw truncated(what, need: count) }
        defer { position += count }
        return position
    }

    mutating func u8(_ what: String) throws -> UInt8 {
        let at = try skip(1, what)
        return bytes[at]
    }

    mutating func u16(_ what: String) throws -> UInt16 {
        let at = try skip(2, what)
        return bytes.withUnsafeBytes { UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    }

    mutating func u32(_ what: String) throws -> UInt32 {
        let at = try skip(4, what)
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    /// u16 length including the trailing NUL, then the UTF-8 bytes and the NUL.
    mutating func string(_ what: String) throws -> String {
        let length = Int(try u16("the length of \(what)"))
        guard length >= 1 else { throw TorchError("\(source): \(what) at byte \(position - 2) has length 0 (expected ≥ 1 with its NUL)") }
        let at = try skip(length, what)
        let body = bytes[at..<(at + length - 1)]
        guard bytes[at + length - 1] == 0, let text = String(data: body, encoding: .utf8) else {
            throw TorchError("\(source): \(what) at byte \(at) is not a NUL-terminated UTF-8 string (corrupt file or parts out of order?)")
        }
        return text
    }

    private func truncated(_ what: String, need: Int) -> TorchError {
        let sizes = parts.map { "\($0.name) \($0.size) bytes" }.joined(separator: ", ")
        var hint = "the file is truncated"
        if let last = parts.last?.name, let range = last.range(of: #"\.part(\d+)$"#, options: .regularExpression),
           let n = Int(last[range].dropFirst(5)) {
            hint = "is model.bin.part\(n + 1) missing? A split model.bin needs all its parts, in order"
        } else if parts.count > 1 {
            hint = "a part is missing or truncated"
        }
        return TorchError("\(source): ends at byte \(bytes.count) while reading \(what) (\(need) bytes at byte \(position)); "
                          + "\(hint) (read: \(sizes))")
    }
}
