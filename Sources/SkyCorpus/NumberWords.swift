/// English (British) cardinal numbers in words, as the game's actors read them:
/// 30 -> "thirty", 105 -> "one hundred and five", 2023 -> "two thousand and twenty three".
/// Words are separated by spaces (no hyphens), matching `TextNormalizer` output.
public enum NumberWords {
    static let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                       "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                       "seventeen", "eighteen", "nineteen"]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    static let scales: [(value: UInt64, name: String)] = [
        (1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"),
    ]

    public static func cardinal(_ n: UInt64) -> String {
        if n == 0 { return "zero" }
        var words: [String] = []
        var rest = n
        for (value, name) in scales where rest >= value {
            words.append(belowThousand(Int(rest / value)) + " " + name)
            rest %= value
        }
        if rest > 0 {
            // British usage: "and" before a final part under 100 that follows larger units.
            if !words.isEmpty && rest < 100 { words.append("and") }
            words.append(belowThousand(Int(rest)))
        }
        return words.joined(separator: " ")
    }

    /// 1...999.
    static func belowThousand(_ n: Int) -> String {
        var parts: [String] = []
        if n >= 100 {
            parts.append(ones[n / 100] + " hundred")
            if n % 100 > 0 { parts.append("and") }
        }
        let r = n % 100
        if r >= 20 {
            parts.append(r % 10 == 0 ? tens[r / 10] : tens[r / 10] + " " + ones[r % 10])
        } else if r > 0 {
            parts.append(ones[r])
        }
        return parts.joined(separator: " ")
    }

    /// A digit string: read as a cardinal, or digit by digit when it has a leading zero
    /// ("007") or is too long to be a quantity (more than 15 digits).
    public static func read(digits: String) -> String {
        if digits.count > 1 && digits.hasPrefix("0") || digits.count > 15 {
            return digits.map { ones[Int(String($0))!] }.joined(separator: " ")
        }
        return cardinal(UInt64(digits)!)
    }
}
