import Foundation

/// BPE results per pre-token, shared by copies of a Tokenizer. Words repeat heavily in
/// real text, so most pre-tokens skip the merge loop. Bounded like HF's cache: once full,
/// new words are computed but no longer stored.
final class WordCache: @unchecked Sendable {  // all access goes through `lock`
    private let lock = NSLock()
    private var table = ByteStringTable(capacity: 4096)
    private let capacity: Int
    /// Longer pieces are not stored (ids are the same either way): with SentencePiece-style
    /// files a piece is a whole text, which rarely repeats and would only fill the table.
    private let maxCachedBytes = 256

    init(capacity: Int = 500_000) { self.capacity = capacity }

    /// Appends the ids of each piece of `bytes`, computing misses with `model`.
    func tokenize(_ pieces: [Range<Int>], of bytes: UnsafeBufferPointer<UInt8>, model: BPEModel,
                  into output: inout [Int32]) {
        lock.lock()
        defer { lock.unlock() }
        for piece in pieces {
            let word = UnsafeBufferPointer(rebasing: bytes[piece])
            if let hit = table.lookup(word) {
                output.append(contentsOf: hit)
                continue
            }
            let start = output.count
            model.tokenize(word, into: &output)
            if table.count < capacity && word.count <= maxCachedBytes { table.insert(word, value: output[start...]) }
        }
    }
}
