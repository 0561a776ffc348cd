import Foundation

/// Writes TensorBoard event files (`events.out.tfevents.*`) with scalar summaries: TFRecord
/// framing (length, masked CRC-32C, payload, masked CRC-32C) around hand-encoded `Event` protos.
public final class TensorBoardWriter {
    private let handle: FileHandle
    public let path: String

    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName
        path = "\(directory)/events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host).\(getpid())"
        _ = FileManager.default.createFile(atPath: path, contents: nil)  // the open below reports failure
        guard let h = FileHandle(forWritingAtPath: path) else { throw ConfigError("\(path): cannot create TensorBoard event file") }
        handle = h
        var version = Proto()
        version.double(1, Date().timeIntervalSince1970)
        version.string(3, "brain.Event:2")
        write(version.bytes)
    }
    deinit { try? handle.close() }

    /// One scalar per tag at `step`.
    public func scalars(_ values: [String: Double], step: Int) {
        var summary = Proto()
        for (tag, value) in values.sorted(by: { $0.key < $1.key }) where value.isFinite {
            var v = Proto()
            v.string(1, tag)
            v.float(2, Float(value))
            summary.message(1, v)
        }
        var event = Proto()
        event.double(1, Date().timeIntervalSince1970)
        event.int(2, Int64(step))
        event.message(5, summary)
        write(event.bytes)
    }

    public func flush() { try? handle.synchronize() }

    private func write(_ payload: [UInt8]) {
        var length = UInt64(payload.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
        var record = lengthBytes
        record += le32(CRC32C.masked(lengthBytes))
        record += payload
        record += le32(CRC32C.masked(payload))
        handle.write(Data(record))
    }
    private func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}

/// Minimal protobuf encoder for the few field types an Event needs.
struct Proto {
    var bytes: [UInt8] = []
    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    mutating func key(_ field: Int, _ wire: Int) { varint(UInt64(field << 3 | wire)) }
    mutating func double(_ field: Int, _ v: Double) {
        key(field, 1)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
    }
    mutating func float(_ field: Int, _ v: Float) {
        key(field, 5)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
    }
    mutating func int(_ field: Int, _ v: Int64) { key(field, 0); varint(UInt64(bitPattern: v)) }
    mutating func string(_ field: Int, _ s: String) { key(field, 2); let u = Array(s.utf8); varint(UInt64(u.count)); bytes += u }
    mutating func message(_ field: Int, _ m: Proto) { key(field, 2); varint(UInt64(m.bytes.count)); bytes += m.bytes }
}

/// CRC-32C (Castagnoli), with TFRecord's masking.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }
    static func checksum(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
    static func masked(_ data: [UInt8]) -> UInt32 {
        let c = checksum(data)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
