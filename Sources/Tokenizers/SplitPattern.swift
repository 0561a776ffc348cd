import Foundation

/// What a Split pre-tokenizer matches: a known family regex (hand-written matcher),
/// any other regex (ICU via NSRegularExpression), or a literal string.
enum SplitPattern: Sendable {
    case known(KnownPattern)
    case regex(RegexBox)
    case literal([UInt8])

    init(regexSource: String, path: String) throws {
        if let known = KnownPattern(source: regexSource) {
            self = .known(known)
        } else {
            self = .regex(try RegexBox(source: regexSource, path: path))
        }
    }

    /// Matched byte ranges inside `range`, in order and non-overlapping.
    func matches(in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> [Range<Int>] {
        switch self {
        case let .known(pattern):
            let text = DecodedScalars(bytes, range)
            var start = 0
            return pattern.matchEnds(text).map { end in
                defer { start = end }
                return text.offsets[start]..<text.offsets[end]
            }
        case let .regex(box):
            return box.matches(in: bytes, range: range)
        case let .literal(needle):
            return LiteralMatcher.matches(of: needle, in: bytes, range: range)
        }
    }
}

/// NSRegularExpression (ICU) for patterns without a hand-written matcher.
final class RegexBox: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
    let regex: NSRegularExpression
    let source: String

    init(source: String, path: String) throws {
        self.source = source
        do { regex = try NSRegularExpression(pattern: source) } catch {
            throw TokenizerError.unsupported(path: path, what: "split regex '\(source)' (ICU cannot compile it)")
        }
    }

    func matches(in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> [Range<Int>] {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        // NSRange counts UTF-16 units; map them to byte offsets at scalar boundaries (a match
        // may end inside a grapheme such as "\r\n", so Character-based conversion cannot be used).
        var byteOffsetAtUTF16: [Int] = []
        byteOffsetAtUTF16.reserveCapacity(range.count + 1)
        var byteOffset = range.lowerBound
        for scalar in text.unicodeScalars {
            byteOffsetAtUTF16.append(byteOffset)
            if scalar.value > 0xFFFF { byteOffsetAtUTF16.append(byteOffset) }
            byteOffset += UTF8.width(scalar)
        }
        byteOffsetAtUTF16.append(byteOffset)
        let whole = NSRange(location: 0, length: byteOffsetAtUTF16.count - 1)
        return regex.matches(in: text, range: whole).compactMap { match in
            guard match.range.length > 0 else { return nil }
            return byteOffsetAtUTF16[match.range.lowerBound]..<byteOffsetAtUTF16[match.range.upperBound]
        }
    }
}

enum LiteralMatcher {
    static func matches(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> [Range<Int>] {
        guard !needle.isEmpty else { return [] }
        var found: [Range<Int>] = []
        var i = range.lowerBound
        while i + needle.count <= range.upperBound {
            if bytes[i] == needle[0] && needle.indices.allSatisfy({ bytes[i + $0] == needle[$0] }) {
                found.append(i..<(i + needle.count))
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }
}

/// What happens to the matched parts, as in HF's SplitDelimiterBehavior.
enum SplitBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"

    /// Pieces of `range` given the pattern's matches (`invert` swaps matches and gaps).
    func pieces(of range: Range<Int>, matches: [Range<Int>], invert: Bool) -> [Range<Int>] {
        // Tile the range with (piece, isMatch) like HF's find_matches.
        var tiles: [(Range<Int>, Bool)] = []
        var cursor = range.lowerBound
        for match in matches {
            if cursor < match.lowerBound { tiles.append((cursor..<match.lowerBound, invert)) }
            tiles.append((match, !invert))
            cursor = match.upperBound
        }
        if cursor < range.upperBound { tiles.append((cursor..<range.upperBound, invert)) }

        var result: [Range<Int>] = []
        switch self {
        case .isolated:
            result = tiles.map(\.0)
        case .removed:
            result = tiles.filter { !$0.1 }.map(\.0)
        case .contiguous:
            var previousMatch = false
            for (piece, isMatch) in tiles {
                if isMatch == previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<piece.upperBound
                } else {
                    result.append(piece)
                }
                previousMatch = isMatch
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for (piece, isMatch) in tiles {
                if isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<piece.upperBound
                } else {
                    result.append(piece)
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for (piece, isMatch) in tiles.reversed() {
                if isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = piece.lowerBound..<last.upperBound
                } else {
                    result.append(piece)
                }
                previousMatch = isMatch
            }
            result.reverse()
        }
        return result.filter { !$0.isEmpty }
    }
}
