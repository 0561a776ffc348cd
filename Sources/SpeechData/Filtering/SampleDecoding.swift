import Foundation

/// Raw row -> sample, classifying every failure so the caller can skip and report the row.
enum SampleDecoding {
    static func checkText(_ raw: RawRow) throws(RowFailure) -> String {
        if let problem = raw.rowProblem { throw problem }
        guard let text = raw.text else { throw RowFailure(.invalidText, raw.textProblem ?? "text missing") }
        if text.allSatisfy(\.isWhitespace) { throw RowFailure(.emptyText, "text is empty") }
        return text
    }

    /// Full decode to 16 kHz (the loader's path, and the index's when verifying audio).
    static func decode(_ raw: RawRow) throws(RowFailure) -> Sample {
        let text = try checkText(raw)
        let label = "\(raw.file) row \(raw.row)"
        var waveform: [Float] = []
        var duration: Double
        do {
            switch raw.audio {
            case .encoded(let bytes):
                waveform = try bytes.withUnsafeBytes { try Audio.load16k($0, source: label) }
            case .file(let path):
                guard FileManager.default.fileExists(atPath: path) else { throw RowFailure(.missingFile, "\(path) does not exist") }
                waveform = try Audio.load16k(file: path)
            case .waveform(let samples, let rate):
                guard rate > 0 else { throw RowFailure(.undecodable, "sampling rate \(rate)") }
                try checkFinite(samples)  // before resampling: soxr would smear a NaN over its neighbours
                waveform = try Audio.resample(samples, from: rate, source: label)
            case .none:
                break
            case .unavailable(let reason, let detail):
                throw RowFailure(reason, detail)
            }
        } catch let failure as RowFailure {
            throw failure
        } catch {
            throw RowFailure.undecodable(error)
        }
        if case .none = raw.audio {
            guard let features = raw.inputFeatures else { throw RowFailure(.missingAudio, "no audio and no input_features") }
            duration = Double(features.cols) * featureFrameSeconds
        } else {
            if waveform.isEmpty { throw RowFailure(.emptyAudio, "no samples") }
            try checkFinite(waveform)
            duration = Double(waveform.count) / Double(Audio.targetSampleRate)
        }
        return Sample(waveform: waveform, text: text, source: raw.file, row: raw.row, duration: duration,
                      inputFeatures: raw.inputFeatures, inputIds: raw.inputIds, labels: raw.labels)
    }

    /// Duration from headers only (fast index pass; corrupt data past the header is caught later).
    static func probeDuration(_ raw: RawRow) throws(RowFailure) -> Double {
        _ = try checkText(raw)
        let label = "\(raw.file) row \(raw.row)"
        do {
            switch raw.audio {
            case .encoded(let bytes):
                return try bytes.withUnsafeBytes { try Audio.probe($0, source: label) }.duration
            case .file(let path):
                guard FileManager.default.fileExists(atPath: path) else { throw RowFailure(.missingFile, "\(path) does not exist") }
                return try Audio.probe(file: path).duration
            case .waveform(let samples, let rate):
                guard rate > 0 else { throw RowFailure(.undecodable, "sampling rate \(rate)") }
                try checkFinite(samples)
                return Double(samples.count) / Double(rate)
            case .none:
                guard let features = raw.inputFeatures else { throw RowFailure(.missingAudio, "no audio and no input_features") }
                return Double(features.cols) * featureFrameSeconds
            case .unavailable(let reason, let detail):
                throw RowFailure(reason, detail)
            }
        } catch let failure as RowFailure {
            throw failure
        } catch {
            throw RowFailure.undecodable(error)
        }
    }

    static func checkFinite(_ samples: [Float]) throws(RowFailure) {
        if let bad = samples.firstIndex(where: { !$0.isFinite }) {
            throw RowFailure(.nonFiniteSamples, "sample \(bad) is \(samples[bad])")
        }
    }
}
