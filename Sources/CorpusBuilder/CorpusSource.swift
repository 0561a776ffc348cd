import Foundation
import SkyCorpus

/// What the dataset card says about a source.
public struct SourceDescription: Sendable {
    /// One paragraph: what the audio is and where the text comes from.
    public let summary: String
    /// Licences of the audio and of the text, with their holders.
    public let licence: String
    /// Real recordings (true) or synthetic speech.
    public let isReal: Bool

    public init(summary: String, licence: String, isReal: Bool) {
        self.summary = summary
        self.licence = licence
        self.isReal = isReal
    }
}

/// A source of utterances: plans its rows cheaply (no audio), then renders audio shard by
/// shard. Implementations must be deterministic: the same plan and shard seed give the same
/// samples, whatever ran before in the process.
public protocol CorpusSource: Sendable {
    /// Folder name under the output and the `source` column ("sky", "piper", "flite").
    var name: String { get }
    var description: SourceDescription { get }
    /// Rows in output order, each with its split from `splitter` applied to the normalised text.
    func utterances(splitter: LineSplitter) throws -> [Utterance]
    /// Audio for `batch`, in order. `scratch` is an empty folder private to this call.
    func render(_ batch: [Utterance], shardSeed: UInt64, scratch: URL) throws -> [RenderedAudio]
}

public enum CorpusBuildError: Error, CustomStringConvertible, Equatable {
    case missingPrerequisites([Prerequisite])
    case unknownSource(String, known: [String])
    case renderFailed(source: String, id: String, reason: String)
    case emptyAudio(source: String, id: String)
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingPrerequisites(missing):
            "missing prerequisites:\n" + missing.map { "  - \($0.what): \($0.installCommand)" }.joined(separator: "\n")
                + "\n  (or run scripts/bootstrap --corpus, which installs all of them)"
        case let .unknownSource(name, known): "unknown source '\(name)' (known: \(known.joined(separator: ", ")))"
        case let .renderFailed(source, id, reason): "\(source): rendering \(id) failed: \(reason)"
        case let .emptyAudio(source, id): "\(source): \(id) produced no audio"
        case let .fileSystem(path, reason): "\(path): \(reason)"
        }
    }
}
