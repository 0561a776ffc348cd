/// What indexing learned about one row before any length limit is applied: its duration and
/// text, or why it is unusable. Cached per data file, so changing limits needs no new pass.
struct RowMeasure: Sendable, Equatable {
    var chunk: Int32
    var rowInChunk: Int32
    /// Row number in the data file (for reports).
    var row: Int
    var outcome: Outcome

    enum Outcome: Sendable, Equatable {
        case usable(duration: Double, text: String)
        case failed(reason: SkipReason, detail: String)
    }

    /// Decodes (or probes) every row of one chunk.
    static func measure(_ shard: ShardAccess, chunk: Int, verifyAudio: Bool) -> [RowMeasure] {
        let rows: [RawRow]
        do {
            rows = try shard.rows(chunk: chunk)
        } catch {
            let start = shard.chunkStarts[chunk]
            return (0..<shard.chunkSizes[chunk]).map {
                RowMeasure(chunk: Int32(chunk), rowInChunk: Int32($0), row: start + $0,
                           outcome: .failed(reason: .unreadableChunk, detail: "\(error)"))
            }
        }
        return rows.enumerated().map { offset, raw in
            let outcome: Outcome
            do throws(RowFailure) {
                if verifyAudio {
                    let sample = try SampleDecoding.decode(raw)
                    outcome = .usable(duration: sample.duration, text: sample.text)
                } else {
                    let duration = try SampleDecoding.probeDuration(raw)
                    outcome = .usable(duration: duration, text: try SampleDecoding.checkText(raw))
                }
            } catch {
                outcome = .failed(reason: error.reason, detail: error.detail)
            }
            return RowMeasure(chunk: Int32(chunk), rowInChunk: Int32(offset), row: raw.row, outcome: outcome)
        }
    }

    /// Applies the duration and text-length limits.
    func filtered(file: Int, options: FilterOptions, textLength: (@Sendable (String) -> Int)?) -> Result<IndexEntry, RowFailure> {
        switch outcome {
        case let .failed(reason, detail):
            return .failure(RowFailure(reason, detail))
        case let .usable(duration, text):
            if duration <= 0 { return .failure(RowFailure(.emptyAudio, "duration \(duration) s")) }
            if duration > options.maxAudioLength {
                return .failure(RowFailure(.tooLong, String(format: "%.2f s > %.2f s", duration, options.maxAudioLength)))
            }
            if let limit = options.maxTextLength, let textLength {
                let length = textLength(text)
                if length >= limit { return .failure(RowFailure(.textTooLong, "text length \(length) >= \(limit)")) }
            }
            return .success(IndexEntry(file: Int32(file), chunk: chunk, rowInChunk: rowInChunk,
                                       duration: Float(duration), textCharacters: Int32(text.count)))
        }
    }
}
