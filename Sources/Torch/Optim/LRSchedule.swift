import Foundation

/// Learning-rate multiplier by step, as Hugging Face's schedulers (warmup then decay).
public enum LRSchedule: Sendable, Equatable {
    case constant(warmupSteps: Int)
    case linear(warmupSteps: Int, totalSteps: Int)
    case cosine(warmupSteps: Int, totalSteps: Int)

    /// Multiplier of the base learning rate at `step` (0-based count of completed updates).
    public func factor(at step: Int) -> Double {
        switch self {
        case .constant(let w):
            return step < w ? Double(step) / Double(Swift.max(1, w)) : 1
        case .linear(let w, let total):
            if step < w { return Double(step) / Double(Swift.max(1, w)) }
            return Swift.max(0, Double(total - step) / Double(Swift.max(1, total - w)))
        case .cosine(let w, let total):
            if step < w { return Double(step) / Double(Swift.max(1, w)) }
            let progress = Double(step - w) / Double(Swift.max(1, total - w))
            return Swift.max(0, 0.5 * (1 + Foundation.cos(Double.pi * progress)))
        }
    }

    /// Parses "constant", "linear", "cosine".
    public init?(name: String, warmupSteps: Int, totalSteps: Int) {
        switch name.lowercased() {
        case "constant", "constant_with_warmup": self = .constant(warmupSteps: warmupSteps)
        case "linear": self = .linear(warmupSteps: warmupSteps, totalSteps: totalSteps)
        case "cosine": self = .cosine(warmupSteps: warmupSteps, totalSteps: totalSteps)
        default: return nil
        }
    }
}
