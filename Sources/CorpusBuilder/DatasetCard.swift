import Foundation
import SkyCorpus

/// The dataset card `README.md`: Hugging Face YAML header (one config per source), then
/// sources, licences, clips/hours/words per split, how it was built and the command.
/// Holds nothing run-dependent (no paths, dates or timings), so rebuilds are byte-identical.
struct DatasetCard {
    let results: [CorpusBuild.SourceResult]
    let seed: UInt64
    let splitter: LineSplitter
    let commandLine: String

    var markdown: String {
        var out = "---\nconfigs:\n"
        for r in results where r.totals.values.contains(where: { $0.clips > 0 }) {
            out += "- config_name: \(r.name)\n  data_files:\n"
            for split in CorpusSplit.allCases where (r.totals[split]?.clips ?? 0) > 0 {
                out += "  - split: \(split.rawValue)\n    path: \(r.name)/\(split.rawValue)/*.parquet\n"
            }
        }
        out += "---\n\n# SteerMoE English speech corpus\n\n"
        out += "Built by `steermoe corpus build` (steermoe-swift, Sources/CorpusBuilder). "
        out += "Each source is a folder `<source>/<split>/*.parquet`, laid out like the hub's LibriSpeech parquet.\n\n"
        let real = results.filter(\.description.isReal).map { "`\($0.name)/test`" }
        if real.count == 1 {
            out += "**Decisive test set: \(real[0])** (real speech; no sentence in it occurs in any train or dev "
                + "split of any source).\n\n"
        } else if real.count > 1 {
            out += "**Real-speech test sets: \(real.joined(separator: ", "))** (no sentence in them occurs in any train "
                + "or dev split of any source).\n\n"
        }
        out += "## Contents\n\n| source | kind | split | clips | hours | words |\n| --- | --- | --- | ---: | ---: | ---: |\n"
        var all = ShardTotals()
        for r in results {
            for split in CorpusSplit.allCases {
                let t = r.totals[split] ?? ShardTotals()
                all = all + t
                out += "| \(r.name) | \(r.description.isReal ? "real" : "synthetic") | \(split.rawValue) | "
                    + "\(t.clips) | \(Self.hours(t)) | \(t.words) |\n"
            }
        }
        out += "| **all** | | | **\(all.clips)** | **\(Self.hours(all))** | **\(all.words)** |\n\n"
        out += "## Columns\n\n"
        out += "| column | type | meaning |\n| --- | --- | --- |\n"
        out += "| `audio` | struct<bytes: binary, path: string> | 16 kHz mono 16-bit FLAC (resampled with soxr HQ); "
            + "`path` is `<clip id>.flac` |\n"
        out += "| `text` | string | normalised transcript: what is spoken, lowercase, letters, apostrophes and spaces; "
            + "numbers and symbols written out as words |\n"
        out += "| `source` | string | the source folder name |\n"
        out += "| `speaker` | string | speaker or voice label |\n"
        out += "| `duration` | float64 | seconds (16 kHz samples / 16000) |\n"
        out += "| `text_raw` | string | the text as it came (game subtitle, or the example sentence before expansion) |\n\n"
        out += "## Sources and licences\n\n"
        for r in results {
            out += "### \(r.name)\n\n\(r.description.summary)\n\nLicence: \(r.description.licence)\n\n"
        }
        out += "## How it was built\n\n"
        out += "- Split by line: every row's split is decided by its normalised `text` alone (seeded FNV-1a 64 + "
            + "SplitMix64 finaliser, bucket = hash mod 100: 0-\(splitter.testPercent - 1) test, "
            + "\(splitter.testPercent)-\(splitter.testPercent + splitter.devPercent - 1) dev, rest train; split seed "
            + "0x\(String(splitter.seed, radix: 16, uppercase: true))), with the same function for every source, so a "
            + "sentence never appears in two splits, across sources too.\n"
        out += "- Synthetic sources: sentences chosen, voices and speaking rates assigned with build seed \(seed); "
            + "the hours of synthetic speech are bounded by `--hours` (planned from an estimated speaking rate).\n"
        out += "- Deterministic: the same command and seed give byte-identical files.\n\n"
        out += "Command:\n\n```sh\n\(commandLine)\n```\n"
        return out
    }

    static func hours(_ t: ShardTotals) -> String { String(format: "%.3f", t.hours) }
}
