import ArgumentParser
import Foundation
import SteerMoE
import Torch

/// `steermoe average CHECKPOINT... --out DIR`
struct AverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "average",
        abstract: "Average the adapter weights of checkpoints of one model (e.g. a run's last few) into one adapter folder.")

    @Argument(help: "Two or more checkpoint folders of one model (checkpoint-N, best, final or exports).") var checkpoints: [String]
    @Option(help: "Destination folder: new, empty, or an earlier adapter folder (replaced whole).") var out: String
    @Option(help: "Store the averaged weights as float16 or bfloat16 (half the size; read back as float32). Default: float32.")
    var dtype: String?

    func run() throws {
        for note in try Checkpoint.average(checkpoints, to: out, dtype: adapterStorageType(dtype)) { print("note: \(note)") }
        print("averaged \(checkpoints.joined(separator: ", ")) -> \(out)")
    }
}
