/// How a file's columns map onto a sample, decided once per file from its schema.
struct ColumnLayout: Sendable {
    enum AudioKind: Sendable, Equatable {
        case audioStruct   // HF Audio: struct<bytes, path> (or decoded struct<array, sampling_rate>)
        case waveform      // list<float> + sampling-rate column
        case path          // string path
        case none          // precomputed features only
    }

    var audioKind: AudioKind
    var mapping: ColumnMapping
    var hasFeatures: Bool
    var hasInputIds: Bool
    var hasLabels: Bool

    /// Columns to read from the file, in a fixed order.
    var columns: [String] {
        var names = [mapping.text]
        if audioKind != .none { names.append(mapping.audio) }
        if audioKind == .waveform { names.append(mapping.samplingRate) }
        if hasFeatures { names.append(mapping.inputFeatures) }
        if hasInputIds { names.append(mapping.inputIds) }
        if hasLabels { names.append(mapping.labels) }
        return names
    }

    /// Validates the schema; errors name the file and list the columns it has.
    init(schema: TableSchema, mapping: ColumnMapping, file: String) throws {
        self.mapping = mapping
        let available = schema.names
        func missing(_ column: String) -> SpeechDataError {
            .missingColumn(column: column, file: file, available: available)
        }
        hasFeatures = schema.column(mapping.inputFeatures) != nil
        hasInputIds = schema.column(mapping.inputIds) != nil
        hasLabels = schema.column(mapping.labels) != nil
        guard schema.column(mapping.text) != nil else { throw missing(mapping.text) }
        guard let audio = schema.column(mapping.audio) else {
            if hasFeatures {
                audioKind = .none
                return
            }
            throw missing(mapping.audio)
        }
        let type = audio.type
        if type.hasPrefix("struct<") {
            audioKind = .audioStruct
        } else if type.hasPrefix("list<") || type.hasPrefix("large_list<") || type.hasPrefix("fixed_size_list<") {
            guard schema.column(mapping.samplingRate) != nil else { throw missing(mapping.samplingRate) }
            audioKind = .waveform
        } else if ["string", "large_string", "string_view"].contains(type) {
            audioKind = .path
        } else {
            throw SpeechDataError.unsupportedColumnType(
                column: mapping.audio, type: type, file: file,
                expected: "struct<bytes: binary, path: string>, list<float> with '\(mapping.samplingRate)', or a path string")
        }
    }
}
