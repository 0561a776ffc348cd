import ArgumentParser
import Foundation
import Torch

@main
struct Steermoe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steermoe",
        abstract: "Train and run SteerMoE speech-language models (Swift over libtorch).",
        subcommands: [Demo.self, Train.self, Evaluate.self, Transcribe.self, ExportCommand.self, AverageCommand.self, Convert.self, DataCommand.self, Info.self,
                      Corpus.self]
    )
}

/// Prints what this build links against.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show libtorch version, threads and devices.")
    func run() throws {
        let cuda = (try? Torch.loadCUDA()) != nil && Torch.cudaIsAvailable
        print("libtorch \(Torch.version), \(Torch.numThreads) threads, CUDA devices: \(cuda ? Torch.cudaDeviceCount : 0)")
    }
}
