// sky-extract: dumps the subtitled speech of Beneath a Steel Sky as 16-bit WAV files at the
// game's 11,025 Hz plus manifest.jsonl (see docs/corpus.md).
//
//   sky-extract OUTPUT_DIR [--game-dir DIR]
import Foundation
import SkyCorpus

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: sky-extract OUTPUT_DIR [--game-dir DIR]\n".utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
var gameDir = DiskArchive.defaultGameDirectory
if let i = args.firstIndex(of: "--game-dir") {
    guard i + 1 < args.count else { usage() }
    gameDir = URL(fileURLWithPath: args[i + 1])
    args.removeSubrange(i...(i + 1))
}
guard args.count == 1, !args[0].hasPrefix("-") else { usage() }
let output = URL(fileURLWithPath: args[0])

do {
    let start = Date()
    let game = try SkySpeech(directory: gameDir)
    let exporter = CorpusExporter(game: game)
    let summary = try exporter.export(to: output) { done, total in
        if done % 500 == 0 || done == total { print("\(done)/\(total) clips") }
    }
    let seconds = Date().timeIntervalSince(start)
    print("wrote \(summary.written) WAV files, kept \(summary.keptExisting) existing, in \(String(format: "%.1f", seconds)) s")
    print("split  clips   hours  words")
    var all = SplitTotals()
    for split in CorpusSplit.allCases {
        let t = summary.totals[split] ?? SplitTotals()
        all.clips += t.clips; all.samples += t.samples; all.words += t.words
        print(split.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0),
              String(format: "%5d  %6.3f  %5d", t.clips, t.hours(sampleRate: SkySpeech.sampleRate), t.words))
    }
    print("total ", String(format: "%5d  %6.3f  %5d", all.clips, all.hours(sampleRate: SkySpeech.sampleRate), all.words))
} catch {
    FileHandle.standardError.write(Data("sky-extract: \(error)\n".utf8))
    exit(1)
}
