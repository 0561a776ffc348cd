/// A trainable (or frozen) tensor owned by a module. A class, so optimisers and modules share it:
/// replacing `value` (e.g. when loading a checkpoint) is seen by everyone holding the parameter.
public final class Parameter: @unchecked Sendable {
    public var value: Tensor
    public init(_ value: Tensor, requiresGrad: Bool = true) throws {
        self.value = value
        try value.requiresGrad(requiresGrad)
    }
    public var requiresGrad: Bool { value.requiresGrad }
    public var grad: Tensor? { value.grad }
}

/// Gives a stored property a checkpoint key different from its Swift name. Declare
/// `@Key var attention: Attention` and initialise it with its key in `init`:
/// `_attention = Key(wrappedValue: try Attention(...), "self_attn")`. Keys follow HF naming.
@propertyWrapper
public final class Key<Value> {
    public let key: String
    public var wrappedValue: Value
    public init(wrappedValue: Value, _ key: String) {
        self.key = key
        self.wrappedValue = wrappedValue
    }
}

private protocol KeyedProperty {
    var key: String { get }
    var anyValue: Any { get }
}
extension Key: KeyedProperty {
    var anyValue: Any { wrappedValue }
}

/// Base class of every layer and model. Parameters and sub-modules are found by reflection over
/// stored properties (Parameter, Module, [Module], optionals of these), named by their property
/// label or `@Key`, joined with "." — so `model.layers.0.self_attn.q_proj.weight` loads by name.
open class Module: @unchecked Sendable {
    public private(set) var training = true

    public init() {}

    /// Direct children in declaration order: (key, value) for Parameters and Modules.
    private func directChildren() -> [(String, Any)] {
        var result: [(String, Any)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [[(String, Any)]] = []
        while let m = mirror {
            var level: [(String, Any)] = []
            for child in m.children {
                guard var label = child.label else { continue }
                var value = child.value
                if let keyed = value as? KeyedProperty {
                    label = keyed.key
                    value = keyed.anyValue
                } else if label.hasPrefix("_") {
                    continue  // other property wrappers / private storage
                }
                level.append((label, value))
            }
            levels.append(level)
            mirror = m.superclassMirror
        }
        for level in levels.reversed() { result.append(contentsOf: level) }
        return result
    }

    private static func unwrap(_ value: Any) -> Any? {
        let m = Mirror(reflecting: value)
        if m.displayStyle == .optional { return m.children.first?.value }
        return value
    }

    /// Every parameter with its full dotted name. Open for modules whose parameters are not
    /// stored properties (e.g. low-rank updates named after the layers they modify).
    open func namedParameters(prefix: String = "") -> [(name: String, parameter: Parameter)] {
        var out: [(String, Parameter)] = []
        for (key, raw) in directChildren() {
            guard let value = Module.unwrap(raw) else { continue }
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let p = value as? Parameter {
                out.append((name, p))
            } else if let m = value as? Module {
                out.append(contentsOf: m.namedParameters(prefix: name))
            } else if let ms = value as? [Module] {
                for (i, m) in ms.enumerated() { out.append(contentsOf: m.namedParameters(prefix: "\(name).\(i)")) }
            } else if let ps = value as? [Parameter] {
                for (i, p) in ps.enumerated() { out.append(("\(name).\(i)", p)) }
            }
        }
        return out
    }

    /// Every sub-module (not including self) with its dotted name.
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var out: [(String, Module)] = []
        for (key, raw) in directChildren() {
            guard let value = Module.unwrap(raw) else { continue }
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let m = value as? Module {
                out.append((name, m))
                out.append(contentsOf: m.namedModules(prefix: name))
            } else if let ms = value as? [Module] {
                for (i, m) in ms.enumerated() {
                    out.append(("\(name).\(i)", m))
                    out.append(contentsOf: m.namedModules(prefix: "\(name).\(i)"))
                }
            }
        }
        return out
    }

    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }
    public func trainableParameters() -> [Parameter] { parameters().filter(\.requiresGrad) }
    public func parameterCount(trainableOnly: Bool = false) -> Int {
        (trainableOnly ? trainableParameters() : parameters()).reduce(0) { $0 + $1.value.count }
    }

    /// Stops gradients for every parameter (frozen pretrained weights).
    public func freeze() throws { for p in parameters() { try p.value.requiresGrad(false) } }
    public func unfreeze() throws { for p in parameters() { try p.value.requiresGrad(true) } }

    /// Training mode (dropout active) for this module and all sub-modules.
    public func train(_ on: Bool = true) {
        training = on
        for (_, m) in namedModules() { m.training = on }
    }
    public func eval() { train(false) }

    /// Name → tensor, as saved to safetensors.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedParameters().map { ($0.name, $0.parameter.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Replaces parameter values by name. Shapes must match. `strict` requires every parameter
    /// to be present; unknown keys in `weights` are reported in the result. Loaded tensors are
    /// converted to `dtype` when given, and keep each parameter's requires-grad flag.
    @discardableResult
    public func load(_ weights: [String: Tensor], strict: Bool = true, dtype: DType? = nil,
                     device: Device? = nil) throws -> (missing: [String], unexpected: [String]) {
        let params = namedParameters()
        var missing: [String] = []
        var used = Set<String>()
        for (name, p) in params {
            guard let w = weights[name] else { missing.append(name); continue }
            used.insert(name)
            guard w.shape == p.value.shape else {
                throw TorchError("load: '\(name)' has shape \(w.shape) in the checkpoint, the model expects \(p.value.shape)")
            }
            let trainable = p.requiresGrad
            // detach(): a new autograd identity, so the caller's tensor keeps its own flags.
            let v = try Autograd.noGrad { try w.to(device: device ?? p.value.device, dtype: dtype ?? w.dtype).detach() }
            p.value = try v.requiresGrad(trainable)
        }
        if strict && !missing.isEmpty {
            throw TorchError("load: missing \(missing.count) parameter(s): \(missing.prefix(8).joined(separator: ", "))")
        }
        let unexpected = weights.keys.filter { !used.contains($0) }.sorted()
        return (missing, unexpected)
    }

    /// Moves/casts every parameter (keeping requires-grad flags).
    public func to(device: Device? = nil, dtype: DType? = nil) throws {
        for p in parameters() {
            let trainable = p.requiresGrad
            let moved = try Autograd.noGrad { try p.value.to(device: device, dtype: dtype).detach() }
            p.value = try moved.requiresGrad(trainable)
        }
    }
}

/// Layers callable as functions of one tensor.
public protocol UnaryLayer: AnyObject {
    func callAsFunction(_ x: Tensor) throws -> Tensor
}
