import CTorch

/// A Swift number usable as a tensor scalar; keeps integer vs floating kind as PyTorch does.
public protocol TensorScalar: Sendable {
    var ctScalar: ct_scalar { get }
}
extension Double: TensorScalar { public var ctScalar: ct_scalar { ct_scalar(f: self, i: 0, kind: 0) } }
extension Float: TensorScalar { public var ctScalar: ct_scalar { ct_scalar(f: Double(self), i: 0, kind: 0) } }
extension Int: TensorScalar { public var ctScalar: ct_scalar { ct_scalar(f: 0, i: Int64(self), kind: 1) } }
extension Int64: TensorScalar { public var ctScalar: ct_scalar { ct_scalar(f: 0, i: self, kind: 1) } }
extension Int32: TensorScalar { public var ctScalar: ct_scalar { ct_scalar(f: 0, i: Int64(self), kind: 1) } }
extension Bool: TensorScalar { public var ctScalar: ct_scalar { ct_scalar(f: 0, i: self ? 1 : 0, kind: 2) } }

/// Swift element types that map to a tensor dtype (for creation from arrays and reading back).
public protocol TensorElement: TensorScalar {
    static var dtype: DType { get }
}
extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
extension Int: TensorElement { public static var dtype: DType { .int64 } }
extension UInt8: TensorScalar { public var ctScalar: ct_scalar { ct_scalar(f: 0, i: Int64(self), kind: 1) } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
