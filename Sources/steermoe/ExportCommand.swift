import ArgumentParser
import Foundation
import SteerMoE
import Torch

/// `steermoe export CHECKPOINT --out DIR`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy a trained adapter for sharing or bundling (no optimizer state; CTC classes listed).")

    @Argument(help: "Checkpoint folder written by train (checkpoint-N, best, final).") var checkpoint: String
    @Option(help: "Destination folder: new, empty, or an earlier export (replaced whole).") var out: String
    @Option(help: "Store the adapter weights as float16 or bfloat16 (half the size; read back as float32). Default: as trained.")
    var dtype: String?

    func run() throws {
        for note in try Checkpoint.export(from: checkpoint, to: out, dtype: adapterStorageType(dtype)) { print("note: \(note)") }
        print("exported \(checkpoint) -> \(out)")
    }
}
