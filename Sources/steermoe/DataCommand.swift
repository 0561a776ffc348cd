import ArgumentParser
import Foundation
import SpeechData
import SteerMoE
import Torch

/// `steermoe data ...`: look at speech data before training on it.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Inspect speech datasets.", subcommands: [DataInspect.self])
}

/// `steermoe data inspect PATH...`: schema, row counts, duration and text-length histograms, a
/// few examples, and how fast one loader worker featurises the rows.
struct DataInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise data sources: schema, rows, histograms, examples, feature throughput.")

    @Argument(help: "Parquet or Arrow files, folders of them, or JSONL manifests.") var paths: [String]
    @Option(help: "Column holding the audio (HF Audio struct, waveform list or path).") var audioColumn = "audio"
    @Option(help: "Column holding the transcript.") var textColumn = "text"
    @Option(help: "Keep clips up to this many seconds (default: no limit).") var maxAudioLength: Double?
    @Option(help: "Examples to print.") var examples = 3
    @Option(help: "Kept rows to time decoding and log-mel on (0: skip).") var timingRows = 8
    @Option(help: "Mel bins of the timed log-mel.") var melBins = 80
    @Flag(help: "Decode every row while indexing (slow; finds corrupt audio past the header).") var verifyAudio = false
    @Option(help: "Threads reading the sources.") var workers = 2

    func validate() throws {
        if let maxAudioLength, !(maxAudioLength > 0) { throw ValidationError("--max-audio-length must be positive") }
        if examples < 0 || timingRows < 0 || workers < 1 { throw ValidationError("counts must not be negative, workers at least 1") }
    }

    func run() throws {
        Torch.numThreads = 1  // one loader worker's view: each worker runs libtorch on one thread
        let inspection = try DataInspection.run(
            paths: paths, mapping: ColumnMapping(audio: audioColumn, text: textColumn),
            filter: FilterOptions(maxAudioLength: maxAudioLength ?? .infinity, verifyAudio: verifyAudio),
            examples: examples, timingRows: timingRows, melBins: melBins, workers: workers)
        print(inspection)
    }
}
