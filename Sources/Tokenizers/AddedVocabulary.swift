/// One entry of tokenizer.json "added_tokens".
public struct AddedToken: Sendable, Equatable {
    public let id: Int
    public let content: String
    public let special: Bool
    /// Match only when not inside a word.
    public let singleWord: Bool
    /// Absorb the whitespace on the left / right of the match.
    public let lstrip: Bool
    public let rstrip: Bool
    /// Matched on normalized text (true) or on the raw input (false).
    public let normalized: Bool

    public init(id: Int, content: String, special: Bool, singleWord: Bool = false,
                lstrip: Bool = false, rstrip: Bool = false, normalized: Bool? = nil) {
        self.id = id
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized ?? !special  // HF's default
    }
}

/// A part of the input: either text for the model, or an added token already resolved.
enum Segment: Equatable {
    case text(Range<Int>)
    case token(Int)
}

/// Finds added tokens in text the way HF's AddedVocabulary does: leftmost-longest,
/// non-overlapping matches, then the single_word / lstrip / rstrip rules.
struct AddedTokenMatcher: Sendable {
    private let tokens: [AddedToken]
    private let contents: [[UInt8]]
    /// Token indices by first byte, longest first, so the first hit is the longest.
    private let candidatesByFirstByte: [[Int]]

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        contents = tokens.map { Array($0.content.utf8) }
        var buckets = [[Int]](repeating: [], count: 256)
        for (index, bytes) in contents.enumerated() where !bytes.isEmpty {
            buckets[Int(bytes[0])].append(index)
        }
        let lengths = contents.map(\.count)
        candidatesByFirstByte = buckets.map { $0.sorted { lengths[$0] > lengths[$1] } }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Splits bytes[range] into text and token segments (empty text segments omitted).
    func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Segment] {
        var segments: [Segment] = []
        var textStart = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            guard let index = longestMatch(bytes, at: i, end: range.upperBound) else { i += 1; continue }
            let token = tokens[index]
            var start = i, stop = i + contents[index].count
            i = stop
            if token.singleWord {
                let wordBefore = start > range.lowerBound && Self.isWordScalar(Self.scalar(before: start, bytes, floor: range.lowerBound))
                let wordAfter = stop < range.upperBound && Self.isWordScalar(DecodedScalars.decodeScalar(bytes, at: stop, end: range.upperBound).0)
                if wordBefore || wordAfter { continue }
            }
            if token.lstrip {
                // Earlier text, not an earlier token, gives up its trailing whitespace.
                while start > textStart, let previous = Self.scalarStart(before: start, bytes, floor: textStart),
                      Self.isWhitespace(DecodedScalars.decodeScalar(bytes, at: previous, end: range.upperBound).0) {
                    start = previous
                }
            }
            if token.rstrip {
                while stop < range.upperBound {
                    let (value, length) = DecodedScalars.decodeScalar(bytes, at: stop, end: range.upperBound)
                    guard Self.isWhitespace(value) else { break }
                    stop += length
                }
                i = stop
            }
            if textStart < start { segments.append(.text(textStart..<start)) }
            segments.append(.token(token.id))
            textStart = stop
        }
        if textStart < range.upperBound { segments.append(.text(textStart..<range.upperBound)) }
        return segments
    }

    private func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
        for index in candidatesByFirstByte[Int(bytes[i])] {
            let content = contents[index]
            guard i + content.count <= end else { continue }
            var matched = true
            for k in 1..<content.count where bytes[i + k] != content[k] { matched = false; break }
            if matched { return index }
        }
        return nil
    }

    private static func scalarStart(before offset: Int, _ bytes: UnsafeBufferPointer<UInt8>, floor: Int) -> Int? {
        guard offset > floor else { return nil }
        var start = offset - 1
        while start > floor && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return start
    }

    private static func scalar(before offset: Int, _ bytes: UnsafeBufferPointer<UInt8>, floor: Int) -> UInt32 {
        guard let start = scalarStart(before: offset, bytes, floor: floor) else { return 0 }
        return DecodedScalars.decodeScalar(bytes, at: start, end: offset).0
    }

    /// Rust's char::is_alphanumeric() || c == '_', as HF's single_word check uses.
    private static func isWordScalar(_ value: UInt32) -> Bool {
        if value == 0x5F { return true }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || ScalarClass(scalar: value) == .number
    }

    private static func isWhitespace(_ value: UInt32) -> Bool {
        Unicode.Scalar(value)?.properties.isWhitespace ?? false
    }
}
