/// Turns a subtitle into an ASR-style transcript of what is spoken.
///
/// Rules, in order (documented in docs/corpus.md):
/// 1. Quotation marks go: a backtick opens a quote, and the first apostrophe after it that
///    is not followed by a letter closes it. A word wrapped in apostrophes ('OVERMANN')
///    loses both. Other apostrophes stay when they touch a letter (don't, tryin', 'em).
/// 2. Numbers become words: "1,000" -> one thousand, "3.5" -> three point five,
///    "007" -> zero zero seven. A token mixing letters and digits is spelled: its letter
///    runs letter by letter, its digit runs as numbers ("WD40" -> w d forty).
/// 3. Symbols that are spoken become words (& and, % percent, + plus, = equals, @ at,
///    # number, $ dollars, £ pounds); a dot between single letters (O.D.) separates them.
/// 4. Everything is lowercased: the game writes emphasis in CAPITALS, so case carries
///    no lexical information. Hyphens and all other punctuation become spaces; runs of
///    spaces collapse. Stylised spellings (yer, dah-ling -> dah ling) are kept as spoken.
public struct TextNormalizer: Sendable {
    public init() {}

    static let spokenSymbols: [Character: String] = [
        "&": "and", "%": "percent", "+": "plus", "=": "equals", "@": "at", "#": "number",
        "$": "dollars", "£": "pounds",
    ]

    public func normalize(_ raw: String) -> String {
        let tokens = separate(Array(raw)).split(separator: " ").map(String.init)
        return tokens.compactMap(normalizeToken).filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Rules 1 and 3 plus number punctuation: returns letters, digits, kept apostrophes,
    /// number-internal "." and spoken symbols, everything else replaced by spaces.
    func separate(_ c: [Character]) -> String {
        var out = ""
        var quoteOpen = false
        func isLetter(_ i: Int) -> Bool { i >= 0 && i < c.count && c[i].isLetter }
        func isDigit(_ i: Int) -> Bool { i >= 0 && i < c.count && c[i].isASCII && c[i].isNumber }
        for (i, ch) in c.enumerated() {
            switch ch {
            case "`":
                quoteOpen = true
                out.append(" ")
            case "'":
                if quoteOpen && !isLetter(i + 1) {
                    quoteOpen = false
                    out.append(" ")
                } else {
                    out.append(isLetter(i - 1) || isLetter(i + 1) ? "'" : " ")
                }
            case "," where isDigit(i - 1) && isDigit(i + 1) && isDigit(i + 2) && isDigit(i + 3) && !isDigit(i + 4):
                continue  // thousands separator
            case "." where isDigit(i - 1) && isDigit(i + 1):
                out.append(".")  // decimal point, read in normalizeToken
            default:
                if ch.isLetter || (ch.isASCII && ch.isNumber) {
                    out.append(ch)
                } else if let word = Self.spokenSymbols[ch] {
                    out.append(" \(word) ")
                } else {
                    out.append(" ")
                }
            }
        }
        return out
    }

    func normalizeToken(_ token: String) -> String? {
        var t = token
        if t.count > 2 && t.hasPrefix("'") && t.hasSuffix("'") { t = String(t.dropFirst().dropLast()) }
        if t.allSatisfy({ $0 == "'" }) { return nil }
        t = t.lowercased()
        guard t.contains(where: { $0.isASCII && $0.isNumber }) else { return t }
        return spellMixed(t)
    }

    /// Splits into letter runs and digit runs; letters next to digits are spelled singly.
    func spellMixed(_ t: String) -> String {
        var words: [String] = []
        var run = ""
        var runIsDigits = false
        func flush() {
            guard !run.isEmpty else { return }
            if runIsDigits {
                let parts = run.split(separator: ".", omittingEmptySubsequences: false)
                words.append(NumberWords.read(digits: String(parts[0])))
                if parts.count > 1 {
                    words.append("point")
                    words.append(contentsOf: parts[1...].joined().map { NumberWords.ones[Int(String($0))!] })
                }
            } else {
                words.append(contentsOf: run.filter { $0 != "'" }.map { String($0) })
            }
            run = ""
        }
        for ch in t {
            let digitLike = (ch.isASCII && ch.isNumber) || (ch == "." && runIsDigits)
            if !run.isEmpty && digitLike != runIsDigits { flush() }
            runIsDigits = digitLike
            run.append(ch)
        }
        flush()
        return words.joined(separator: " ")
    }
}
