/// Open-addressing hash map from byte strings to short id sequences, with keys and values
/// stored in flat arenas: the per-word BPE cache is hit once per pre-token, and this avoids
/// building a String (and Swift's Unicode-aware hashing) for every lookup.
struct ByteStringTable: Sendable {
    private var slots: [Int32]            // entry index + 1, 0 = empty
    private var hashes: [UInt64] = []
    private var keyStarts: [Int32] = []
    private var valueStarts: [Int32] = []  // entry i spans keyStarts[i]..<keyStarts[i+1], same for values
    private var keyBytes: [UInt8] = []
    private var values: [Int32] = []
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        keyStarts = [0]
        valueStarts = [0]
    }

    var count: Int { hashes.count }

    func lookup(_ key: UnsafeBufferPointer<UInt8>) -> ArraySlice<Int32>? {
        let hash = ByteStringTable.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot]) - 1
            if entry < 0 { return nil }
            if hashes[entry] == hash && keyEquals(entry, key) {
                return values[Int(valueStarts[entry])..<Int(valueStarts[entry + 1])]
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: some Collection<Int32>) {
        if (hashes.count + 1) * 2 > slots.count { grow() }
        let hash = ByteStringTable.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let entry = Int(slots[slot]) - 1
            if hashes[entry] == hash && keyEquals(entry, key) { return }  // already present
            slot = (slot + 1) & mask
        }
        hashes.append(hash)
        keyBytes.append(contentsOf: key)
        keyStarts.append(Int32(keyBytes.count))
        values.append(contentsOf: value)
        valueStarts.append(Int32(values.count))
        slots[slot] = Int32(hashes.count)
    }

    private func keyEquals(_ entry: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(keyStarts[entry]), end = Int(keyStarts[entry + 1])
        guard end - start == key.count else { return false }
        return keyBytes.withUnsafeBufferPointer { stored in
            for i in 0..<key.count where stored[start + i] != key[i] { return false }
            return true
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for (entry, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry + 1)
        }
    }

    /// 8 bytes at a time multiply-xorshift hash (not cryptographic; keys are our own text).
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        var i = 0
        let raw = UnsafeRawBufferPointer(key)
        while i + 8 <= key.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < key.count {
            tail |= UInt64(key[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return h
    }
}
