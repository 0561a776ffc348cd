/// Decodes ggml block formats to float32, block by block as ggml's `dequantize_row_*`.
/// Each formula keeps the reference's float32 operation order (scale × quant, then − min), so
/// the results equal gguf-py's `dequantize` bit for bit (which is what transformers loads).
public enum GGUFDequantizer {
    public static func dequantize(_ src: UnsafeRawBufferPointer, type: GGMLType, count: Int) throws -> [Float] {
        guard let need = type.byteCount(elements: count), src.count >= need else {
            throw GGUFError("dequantize \(type): \(count) elements need \(type.byteCount(elements: count).map(String.init) ?? "whole blocks"), have \(src.count) bytes")
        }
        let blocks = count / type.blockSize
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            let base = src.baseAddress!
            let y = out.baseAddress!
            let decode: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void
            switch type {
            case .f32: decode = { b, y in y[0] = Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(as: UInt32.self))) }
            case .f16: decode = { b, y in y[0] = half(b) }
            case .bf16: decode = { b, y in y[0] = Float(bitPattern: UInt32(UInt16(littleEndian: b.loadUnaligned(as: UInt16.self))) << 16) }
            case .q4_0: decode = q4_0
            case .q4_1: decode = q4_1
            case .q5_0: decode = q5_0
            case .q5_1: decode = q5_1
            case .q8_0: decode = q8_0
            case .q2_K: decode = q2_K
            case .q3_K: decode = q3_K
            case .q4_K: decode = q4_K
            case .q5_K: decode = q5_K
            case .q6_K: decode = q6_K
            }
            for i in 0..<blocks {
                decode(base + i * type.blockBytes, y + i * type.blockSize)
            }
            initialized = count
        }
    }
}

@inline(__always) private func half(_ p: UnsafeRawPointer) -> Float {
    Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(as: UInt16.self))))
}
@inline(__always) private func u8(_ p: UnsafeRawPointer, _ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
@inline(__always) private func i8(_ p: UnsafeRawPointer, _ i: Int) -> Int8 { p.load(fromByteOffset: i, as: Int8.self) }

// 32-element blocks. Quants 0..15 come from low nibbles, 16..31 from high nibbles.

private func q4_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), qs = b + 2
    for j in 0..<16 {
        y[j] = d * Float(Int(u8(qs, j) & 0x0F) - 8)
        y[j + 16] = d * Float(Int(u8(qs, j) >> 4) - 8)
    }
}

private func q4_1(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), m = half(b + 2), qs = b + 4
    for j in 0..<16 {
        y[j] = d * Float(u8(qs, j) & 0x0F) + m
        y[j + 16] = d * Float(u8(qs, j) >> 4) + m
    }
}

/// Bit j of the u32 `qh` is the fifth bit of quant j.
private func q5_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), qh = UInt32(littleEndian: (b + 2).loadUnaligned(as: UInt32.self)), qs = b + 6
    for j in 0..<16 {
        let lo = Int(u8(qs, j) & 0x0F) | Int((qh >> UInt32(j)) & 1) << 4
        let hi = Int(u8(qs, j) >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
        y[j] = d * Float(lo - 16)
        y[j + 16] = d * Float(hi - 16)
    }
}

private func q5_1(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), m = half(b + 2), qh = UInt32(littleEndian: (b + 4).loadUnaligned(as: UInt32.self)), qs = b + 8
    for j in 0..<16 {
        let lo = Int(u8(qs, j) & 0x0F) | Int((qh >> UInt32(j)) & 1) << 4
        let hi = Int(u8(qs, j) >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
        y[j] = d * Float(lo) + m
        y[j + 16] = d * Float(hi) + m
    }
}

private func q8_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b)
    for j in 0..<32 { y[j] = Float(i8(b + 2, j)) * d }
}

// 256-element super-blocks (k-quants).

/// Q4_K / Q5_K: eight 6-bit (scale, min) pairs packed in 12 bytes.
@inline(__always) private func scaleMin(_ s: UnsafeRawPointer, _ j: Int) -> (Float, Float) {
    if j < 4 { return (Float(u8(s, j) & 63), Float(u8(s, j + 4) & 63)) }
    let sc = (u8(s, j + 4) & 0x0F) | ((u8(s, j - 4) >> 6) << 4)
    let m = (u8(s, j + 4) >> 4) | ((u8(s, j) >> 6) << 4)
    return (Float(sc), Float(m))
}

private func q4_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), dmin = half(b + 2), scales = b + 4, qs = b + 16
    for g in 0..<8 {  // 32-value groups; bytes of pair g/2 hold group g in low (even) or high (odd) nibbles
        let (sc, m) = scaleMin(scales, g)
        let dl = d * sc, ml = dmin * m
        let q = qs + (g / 2) * 32, shift = UInt8((g % 2) * 4)
        for l in 0..<32 { y[g * 32 + l] = dl * Float((u8(q, l) >> shift) & 0x0F) - ml }
    }
}

private func q5_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), dmin = half(b + 2), scales = b + 4, qh = b + 16, qs = b + 48
    for g in 0..<8 {  // group g takes its fifth bit from bit g of qh[l]
        let (sc, m) = scaleMin(scales, g)
        let dl = d * sc, ml = dmin * m
        let q = qs + (g / 2) * 32, shift = UInt8((g % 2) * 4)
        for l in 0..<32 {
            let v = ((u8(q, l) >> shift) & 0x0F) | (((u8(qh, l) >> UInt8(g)) & 1) << 4)
            y[g * 32 + l] = dl * Float(v) - ml
        }
    }
}

private func q6_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let ql = b, qh = b + 128, scales = b + 192, d = half(b + 208)
    for h in 0..<2 {          // two halves of 128
        for g in 0..<4 {      // quarters of 32: low bits from ql (g&1 picks the 32-byte run, g>>1 the nibble)
            let lowBase = h * 64 + (g & 1) * 32, nibble = UInt8((g >> 1) * 4), highShift = UInt8(2 * g)
            for l in 0..<32 {
                let v = h * 128 + g * 32 + l
                let q = Int(((u8(ql, lowBase + l) >> nibble) & 0x0F) | (((u8(qh, h * 32 + l) >> highShift) & 3) << 4)) - 32
                y[v] = (d * Float(i8(scales, v / 16))) * Float(q)
            }
        }
    }
}

private func q2_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let scales = b, qs = b + 16, d = half(b + 80), dmin = half(b + 82)
    for v in 0..<256 {  // 16 groups of 16; value v: byte (v/128)*32 + v%32, bits 2*((v/32)%4)
        let s = u8(scales, v / 16)
        let dl = d * Float(s & 0x0F), ml = dmin * Float(s >> 4)
        let q = (u8(qs, (v / 128) * 32 + v % 32) >> UInt8(2 * ((v / 32) % 4))) & 3
        y[v] = dl * Float(q) - ml
    }
}

private func q3_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let hmask = b, qs = b + 32, packed = b + 96, d = half(b + 108)
    for v in 0..<256 {
        let j = v / 16  // 16 signed 6-bit scales: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11
        let low = (u8(packed, j % 8) >> UInt8((j / 8) * 4)) & 0x0F
        let high = (u8(packed, 8 + j % 4) >> UInt8((j / 4) * 2)) & 3
        let dl = d * Float(Int(low | high << 4) - 32)
        let q = Int((u8(qs, (v / 128) * 32 + v % 32) >> UInt8(2 * ((v / 32) % 4))) & 3)
        let h = (u8(hmask, v % 32) >> UInt8(v / 32)) & 1  // a clear bit subtracts 4
        y[v] = dl * Float(q - (h == 0 ? 4 : 0))
    }
}
