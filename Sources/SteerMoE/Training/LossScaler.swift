/// Dynamic loss scaling for fp16 training, with torch.amp.GradScaler's rules and defaults: the loss
/// is multiplied by `scale` before backward so small gradients survive float16; the gradients are
/// divided by it again before clipping. A step whose gradients hold inf/NaN is skipped and halves
/// the scale; `growthInterval` good steps in a row double it. Saved in trainer_state.json, so a
/// resumed run continues with the same scale.
public struct LossScaler: Codable, Equatable, Sendable {
    public var scale: Double
    public var growthFactor = 2.0
    public var backoffFactor = 0.5
    public var growthInterval = 2000
    /// Good steps since the last change of scale.
    public var goodSteps = 0
    /// Steps skipped because their gradients overflowed.
    public var skippedSteps = 0

    public init(scale: Double = 65536) { self.scale = scale }

    /// After each step's unscale: `overflow` when any gradient was not finite (the step is skipped).
    public mutating func update(overflow: Bool) {
        if overflow {
            scale *= backoffFactor
            goodSteps = 0
            skippedSteps += 1
        } else {
            goodSteps += 1
            if goodSteps == growthInterval {
                scale *= growthFactor
                goodSteps = 0
            }
        }
    }
}
