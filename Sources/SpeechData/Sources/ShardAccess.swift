import Foundation

/// Random access to one data file by chunk (parquet row group, Arrow record batch, or a block of
/// manifest lines), yielding raw rows. Chunks are the unit of I/O: the loader shuffles chunks,
/// then rows within a window of chunks, so it never needs a whole file in memory.
final class ShardAccess: @unchecked Sendable {
    static let manifestChunkRows = 64

    let file: DataFile
    let schema: TableSchema
    let layout: ColumnLayout
    /// Rows per chunk, and the file row number each chunk starts at.
    let chunkSizes: [Int]
    let chunkStarts: [Int]
    private let folder: String
    private let storage: Storage

    private enum Storage {
        case parquet(ParquetReader)
        case arrow(ArrowIPCReader)
        case manifest(JSONLManifest)
    }

    init(file: DataFile, mapping: ColumnMapping) throws {
        self.file = file
        folder = URL(fileURLWithPath: file.path).deletingLastPathComponent().path
        switch file.kind {
        case .parquet:
            let reader = try ParquetReader(path: file.path)
            storage = .parquet(reader)
            schema = reader.schema
            chunkSizes = reader.rowGroupSizes
        case .arrowIPC:
            let reader = try ArrowIPCReader(path: file.path)
            storage = .arrow(reader)
            schema = reader.schema
            chunkSizes = reader.batchSizes
        case .jsonl:
            let manifest = try JSONLManifest(path: file.path)
            storage = .manifest(manifest)
            schema = manifest.schema
            let count = manifest.lines.count
            chunkSizes = stride(from: 0, to: count, by: Self.manifestChunkRows).map { min(Self.manifestChunkRows, count - $0) }
        }
        layout = try ColumnLayout(schema: schema, mapping: mapping, file: file.path)
        var start = 0
        chunkStarts = chunkSizes.map { size in defer { start += size }; return start }
    }

    var rowCount: Int { chunkSizes.reduce(0, +) }

    func rows(chunk: Int) throws -> [RawRow] {
        switch storage {
        case .parquet(let reader): return try rows(of: reader.readRowGroup(chunk, columns: layout.columns), chunk: chunk)
        case .arrow(let reader): return try rows(of: reader.readBatch(chunk, columns: layout.columns), chunk: chunk)
        case .manifest(let manifest):
            let start = chunkStarts[chunk]
            return (start..<start + chunkSizes[chunk]).map { manifest.row($0, mapping: layout.mapping, folder: folder) }
        }
    }

    /// The text (and precomputed `input_ids`, where the file has them) of every row of a chunk,
    /// reading only those columns: no audio bytes are read.
    func transcripts(chunk: Int) throws -> [Transcript] {
        let mapping = layout.mapping
        let names = [mapping.text] + (layout.hasInputIds ? [mapping.inputIds] : [])
        let table: ArrowTable
        switch storage {
        case .parquet(let reader): table = try reader.readRowGroup(chunk, columns: names)
        case .arrow(let reader): table = try reader.readBatch(chunk, columns: names)
        case .manifest: return try rows(chunk: chunk).map { Transcript(text: $0.text, inputIds: $0.inputIds) }
        }
        let text = try table.column(mapping.text)
        let ids = layout.hasInputIds ? try table.column(mapping.inputIds) : nil
        return try (0..<table.rowCount).map { i in
            Transcript(text: try? text.string(i), inputIds: try ids.flatMap { $0.isNull(i) ? nil : try $0.int64s(i) })
        }
    }

    /// Resolves a stored audio path: absolute as is, relative against the data file's folder.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : folder + "/" + path
    }

    private func rows(of table: ArrowTable, chunk: Int) throws -> [RawRow] {
        let mapping = layout.mapping
        let text = try table.column(mapping.text)
        let audio = layout.audioKind == .none ? nil : try table.column(mapping.audio)
        let rates = layout.audioKind == .waveform ? try table.column(mapping.samplingRate) : nil
        let features = layout.hasFeatures ? try table.column(mapping.inputFeatures) : nil
        let ids = layout.hasInputIds ? try table.column(mapping.inputIds) : nil
        let labels = layout.hasLabels ? try table.column(mapping.labels) : nil
        let structParts = try audio.flatMap { try AudioStructColumns($0) }

        return (0..<table.rowCount).map { i in
            var row = RawRow(file: file.path, row: chunkStarts[chunk] + i, audio: .none)
            do {
                row.text = try text.string(i)
                if row.text == nil { row.textProblem = "text is null" }
            } catch {
                row.textProblem = "\(error)"
            }
            // A bad value (ragged features, non-UTF-8 path, ...) spoils its row, not the chunk.
            do {
                if let audio { row.audio = try payload(audio, structParts, rates, i) }
                row.inputFeatures = try features.flatMap { $0.isNull(i) ? nil : try $0.matrix(i) }
                row.inputIds = try ids.flatMap { $0.isNull(i) ? nil : try $0.int64s(i) }
                row.labels = try labels.flatMap { $0.isNull(i) ? nil : try $0.int64s(i) }
            } catch {
                row.rowProblem = RowFailure(.malformed, "\(error)")
            }
            return row
        }
    }

    private func payload(_ audio: ArrowColumn, _ parts: AudioStructColumns?, _ rates: ArrowColumn?, _ i: Int) throws -> AudioPayload {
        if audio.isNull(i) { return .unavailable(.missingAudio, "audio is null") }
        switch layout.audioKind {
        case .audioStruct:
            guard let parts else { return .unavailable(.missingAudio, "audio struct unreadable") }
            if let array = parts.array, let rate = parts.samplingRate, !array.isNull(i) {
                return .waveform(try array.floats(i), sampleRate: Int(try rate.int64(i)))
            }
            if let bytes = try parts.bytes?.bytes(i) { return .encoded(bytes) }
            if let path = try parts.path?.string(i), !path.isEmpty { return .file(resolve(path)) }
            return .unavailable(.missingAudio, "audio has neither bytes nor path")
        case .waveform:
            guard let rates, !rates.isNull(i) else { return .unavailable(.missingAudio, "sampling rate is null") }
            return .waveform(try audio.floats(i), sampleRate: Int(try rates.double(i)))
        case .path:
            guard let path = try audio.string(i), !path.isEmpty else { return .unavailable(.missingAudio, "audio path is empty") }
            return .file(resolve(path))
        case .none:
            return .none
        }
    }
}

/// The fields of an audio struct column that are present: HF `{bytes, path}` or decoded `{array, sampling_rate}`.
private struct AudioStructColumns {
    var bytes: ArrowColumn?
    var path: ArrowColumn?
    var array: ArrowColumn?
    var samplingRate: ArrowColumn?

    init?(_ column: ArrowColumn) throws {
        guard column.isStruct else { return nil }
        bytes = try? column.field("bytes")
        path = try? column.field("path")
        array = try? column.field("array")
        samplingRate = try? column.field("sampling_rate")
        if bytes == nil && path == nil && array == nil {
            throw SpeechDataError.unsupportedColumnType(
                column: column.context, type: column.typeDescription, file: column.context,
                expected: "struct<bytes: binary, path: string>")
        }
    }
}
