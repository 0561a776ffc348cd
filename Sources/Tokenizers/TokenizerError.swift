/// Errors thrown while loading a tokenizer. Every message names the file involved and
/// what was expected of it, so a bad model folder can be fixed without reading code.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String, expected: String)
    case malformedJSON(path: String, detail: String)
    case invalidField(path: String, field: String, expected: String)
    case unsupported(path: String, what: String)
    case missingPadToken
    case unknownToken(String)

    public var description: String {
        switch self {
        case let .fileNotFound(path, expected):
            return "\(path): file not found (expected \(expected))"
        case let .malformedJSON(path, detail):
            return "\(path): malformed JSON (\(detail))"
        case let .invalidField(path, field, expected):
            return "\(path): field '\(field)' is missing or invalid (expected \(expected))"
        case let .unsupported(path, what):
            return "\(path): unsupported \(what)"
        case .missingPadToken:
            return "tokenizer has no pad token: call setPadToken(_:) before padding a batch"
        case let .unknownToken(token):
            return "token '\(token)' is not in the vocabulary or added tokens"
        }
    }
}
