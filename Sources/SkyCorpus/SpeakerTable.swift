/// Maps text numbers to the character who speaks them (see `SpeakerAttribution`).
/// Empty means "unknown" for every line.
public struct SpeakerTable: Sendable, Equatable {
    public let names: [Int: String]
    public init(names: [Int: String] = [:]) { self.names = names }
    public func speaker(forTextNumber t: Int) -> String? { names[t] }
}
