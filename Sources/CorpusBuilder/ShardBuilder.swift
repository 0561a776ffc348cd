import Foundation
import SpeechData

/// Renders one planned shard and writes it as a hub-style parquet file: `audio`
/// struct<bytes, path> holding 16 kHz FLAC, then `text`, `source`, `speaker`, `duration`
/// (float64 seconds) and `text_raw`.
enum ShardBuilder {
    static let schema = [
        ShardColumn("audio", .audio), ShardColumn("text", .string), ShardColumn("source", .string),
        ShardColumn("speaker", .string), ShardColumn("duration", .float64), ShardColumn("text_raw", .string),
    ]
    /// Rows per row group: ~1 MB of FLAC for 2-second clips, small enough for the loader's
    /// chunk cache and large enough to keep the footer small.
    static let rowGroupRows = 64

    /// Builds the shard unless its marker already matches; returns its totals and whether it
    /// was (re)built.
    static func build(_ shard: PlannedShard, source: CorpusSource, output: URL) throws -> (ShardTotals, built: Bool) {
        let folder = output.appendingPathComponent(shard.folder)
        let parquet = folder.appendingPathComponent(shard.fileName)
        let markerURL = folder.appendingPathComponent(shard.markerName)
        let fingerprint = shard.fingerprint
        if let marker = ShardMarker.read(markerURL), marker.fingerprint == fingerprint,
           FileManager.default.fileExists(atPath: parquet.path) {
            return (marker.totals, false)
        }
        // Marker first: from here until the new marker is written the shard counts as unfinished.
        try? FileManager.default.removeItem(at: markerURL)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        let scratch = output.appendingPathComponent(".scratch/\(shard.source)/\(shard.split.rawValue)-\(shard.index)")
        try? FileManager.default.removeItem(at: scratch)  // leftovers of an interrupted run
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let audio = try source.render(shard.utterances, shardSeed: shard.seed, scratch: scratch)
        guard audio.count == shard.utterances.count else {
            throw CorpusBuildError.renderFailed(source: source.name, id: shard.fileName,
                                                reason: "\(audio.count) clips for \(shard.utterances.count) rows")
        }
        let writer = try ParquetShardWriter(path: parquet.path, schema: schema, rowGroupRows: rowGroupRows,
                                            audioSamplingRate: Audio.targetSampleRate)
        var totals = ShardTotals()
        for (utterance, clip) in zip(shard.utterances, audio) {
            let samples = try Audio.resample(clip.samples, from: clip.sampleRate, to: Audio.targetSampleRate,
                                             source: utterance.id)
            guard !samples.isEmpty else { throw CorpusBuildError.emptyAudio(source: source.name, id: utterance.id) }
            let flac = try Audio.encode(samples, sampleRate: Audio.targetSampleRate, as: .flac)
            try writer.append([
                .audio(bytes: flac, path: utterance.id + ".flac"), .string(utterance.text), .string(source.name),
                .string(utterance.speaker), .float64(Double(samples.count) / Double(Audio.targetSampleRate)),
                .string(utterance.textRaw),
            ])
            totals = totals + ShardTotals(clips: 1, samples: samples.count,
                                          words: utterance.text.split(separator: " ").count)
        }
        try writer.close()  // renames the finished file onto its final name
        try ShardMarker(fingerprint: fingerprint, totals: totals).write(to: markerURL)
        return (totals, true)
    }
}
