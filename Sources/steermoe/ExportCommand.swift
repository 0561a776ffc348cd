import ArgumentParser
import Foundation
import SteerMoE

/// `steermoe export CHECKPOINT --out DIR`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy a trained adapter for sharing or bundling (no optimizer state; CTC classes listed).")

    @Argument(help: "Checkpoint folder written by train (checkpoint-N, best, final).") var checkpoint: String
    @Option(help: "Destination folder (replaced).") var out: String

    func run() throws {
        for note in try Checkpoint.export(from: checkpoint, to: out) { print("note: \(note)") }
        print("exported \(checkpoint) -> \(out)")
    }
}
