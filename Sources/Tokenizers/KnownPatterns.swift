/// Hand-written matchers for the split patterns the supported families ship. They give the
/// same matches as the regexes (leftmost-first alternation, greedy, with the lookahead),
/// checked against HF's output in the tests, and are far faster than ICU regex.
enum KnownPattern: Sendable, Equatable {
    /// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    case gpt2
    /// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}
    /// | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+   (Qwen2/2.5/3: 1 digit, Llama-3: 3)
    case chatStyle(maxDigits: Int)

    static let gpt2Source = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    static func chatStyleSource(digits: String) -> String {
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"# + digits
            + #"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    }

    /// Recognises a pattern source string, or nil for patterns that need the regex engine.
    init?(source: String) {
        switch source {
        case KnownPattern.gpt2Source: self = .gpt2
        case KnownPattern.chatStyleSource(digits: ""): self = .chatStyle(maxDigits: 1)
        case KnownPattern.chatStyleSource(digits: "{1,3}"): self = .chatStyle(maxDigits: 3)
        default: return nil
        }
    }

    /// Ends (scalar indices) of consecutive matches covering `text`: these patterns match
    /// every character, so the matches tile the input.
    func matchEnds(_ text: DecodedScalars) -> [Int] {
        var ends: [Int] = []
        ends.reserveCapacity(text.count / 3 + 1)
        text.values.withUnsafeBufferPointer { values in
            text.classes.withUnsafeBufferPointer { classes in
                let scanner = Scanner(values: values, classes: classes)
                var position = 0
                while position < values.count {
                    let end: Int
                    switch self {
                    case .gpt2: end = scanner.gpt2Match(at: position)
                    case let .chatStyle(maxDigits): end = scanner.chatStyleMatch(at: position, maxDigits: maxDigits)
                    }
                    ends.append(end)
                    position = end
                }
            }
        }
        return ends
    }
}

private let apostrophe: UInt32 = 0x27, space: UInt32 = 0x20, cr: UInt32 = 0x0D, lf: UInt32 = 0x0A

private struct Scanner {
    let values: UnsafeBufferPointer<UInt32>
    let classes: UnsafeBufferPointer<ScalarClass>
    var count: Int { values.count }

    @inline(__always) func isClass(_ i: Int, _ c: ScalarClass) -> Bool { i < count && classes[i] == c }

    @inline(__always) func runEnd(from start: Int, _ c: ScalarClass) -> Int {
        var i = start
        while i < count && classes[i] == c { i += 1 }
        return i
    }

    /// Length of a contraction ('s 't 're 've 'm 'll 'd) at i, or 0.
    @inline(__always) func contraction(at i: Int, caseInsensitive: Bool) -> Int {
        guard values[i] == apostrophe, i + 1 < count else { return 0 }
        func folded(_ v: UInt32) -> UInt32 {
            guard caseInsensitive else { return v }
            if v == 0x17F { return 0x73 }  // ſ case-folds to s
            return (0x41...0x5A).contains(v) ? v + 0x20 : v
        }
        let first = folded(values[i + 1])
        switch first {
        case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
        case 0x72, 0x76, 0x6C:  // r v l: need e e l
            guard i + 2 < count else { return 0 }
            let second = folded(values[i + 2])
            let wanted: UInt32 = first == 0x6C ? 0x6C : 0x65
            return second == wanted ? 3 : 0
        default: return 0
        }
    }

    /// \s+(?!\S) falling back to \s+ : a whitespace run leaves its last character to
    /// prefix the next word, unless the run ends the text or is one character long.
    @inline(__always) func whitespaceMatch(at i: Int) -> Int {
        let end = runEnd(from: i, .whitespace)
        if end == count || end - i == 1 { return end }
        return end - 1
    }

    func gpt2Match(at i: Int) -> Int {
        let contractionLength = contraction(at: i, caseInsensitive: false)
        if contractionLength > 0 { return i + contractionLength }
        let c = classes[i]
        // ` ?X+` for X in letter, number, other: the optional space binds to the run after it.
        if values[i] == space, i + 1 < count, classes[i + 1] != .whitespace {
            return runEnd(from: i + 1, classes[i + 1])
        }
        if c != .whitespace { return runEnd(from: i, c) }
        return whitespaceMatch(at: i)
    }

    func chatStyleMatch(at i: Int, maxDigits: Int) -> Int {
        let contractionLength = contraction(at: i, caseInsensitive: true)
        if contractionLength > 0 { return i + contractionLength }
        let c = classes[i], value = values[i]
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if c == .letter { return runEnd(from: i, .letter) }
        if c != .number, value != cr, value != lf, isClass(i + 1, .letter) {
            return runEnd(from: i + 1, .letter)
        }
        // \p{N}{1,maxDigits}
        if c == .number { return min(runEnd(from: i, .number), i + maxDigits) }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        let otherStart = (value == space && isClass(i + 1, .other)) ? i + 1 : i
        if classes[otherStart] == .other {
            var end = runEnd(from: otherStart, .other)
            while end < count && (values[end] == cr || values[end] == lf) { end += 1 }
            return end
        }
        // \s*[\r\n]+ : up to the last line break inside the whitespace run.
        let runEnd = runEnd(from: i, .whitespace)
        var lastBreak = -1
        for j in i..<runEnd where values[j] == cr || values[j] == lf { lastBreak = j }
        if lastBreak >= 0 { return lastBreak + 1 }
        return whitespaceMatch(at: i)
    }
}
