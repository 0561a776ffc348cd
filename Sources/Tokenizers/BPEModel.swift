/// BPE (tokenizer.json "model": {"type": "BPE"}): vocabulary, merge ranks, and the merge
/// loop. Byte-level BPE works on raw bytes (byte-level characters only appear at load);
/// SentencePiece-style BPE starts from characters (see `CharacterVocabulary`).
struct BPEModel: Sendable {
    /// Token string (byte-level characters, or plain text when SentencePiece-style) -> id, as in the file.
    let vocab: [String: Int]
    /// id -> token string for ids of the model vocabulary.
    let tokens: [Int: String]
    /// Pair of ids -> merge rank and merged id.
    let merges: MergeTable
    /// Byte-level: vocabulary id of each single byte, -1 when the vocabulary lacks it.
    let byteIds: [Int32]
    /// SentencePiece-style: the character vocabulary; nil for byte-level BPE.
    let characters: CharacterVocabulary?
    /// Llama-3: a word that is itself in the vocabulary is not merged piece by piece.
    let ignoreMerges: Bool
    /// Raw (UTF-8) bytes -> id, used for ignore_merges.
    let wholeWords: ByteStringTable?

    /// Appends the ids of one pre-token (`word` are its raw bytes).
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, into ids: inout [Int32]) {
        if ignoreMerges, let id = wholeWords?.lookup(word)?.first {
            ids.append(id)
            return
        }
        var symbols = characters.map { SymbolList(ids: $0.initialIds(word)) } ?? SymbolList(word: word, byteIds: byteIds)
        symbols.mergeAll(merges)
        symbols.appendIds(to: &ids)
    }
}

/// Merge ranks keyed by the pair of ids packed in 64 bits.
struct MergeTable: Sendable {
    struct Merge { let rank: Int32; let merged: Int32 }
    private var table: [UInt64: Merge] = [:]

    @inline(__always) static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always) func merge(_ left: Int32, _ right: Int32) -> Merge? { table[MergeTable.key(left, right)] }

    mutating func add(left: Int32, right: Int32, rank: Int32, merged: Int32) {
        table[MergeTable.key(left, right)] = Merge(rank: rank, merged: merged)  // a repeated pair keeps its last rank, as in HF
    }

    var count: Int { table.count }
}

/// The symbols of one word during merging: a doubly linked list over an array, with a
/// min-heap of candidate merges by (rank, position), exactly HF's Word::merge_all.
private struct SymbolList {
    private var ids: [Int32] = []
    private var prev: [Int32] = []
    private var next: [Int32] = []
    private var alive: [Bool] = []

    init(word: UnsafeBufferPointer<UInt8>, byteIds: [Int32]) {
        var ids: [Int32] = []
        ids.reserveCapacity(word.count)
        for byte in word {
            let id = byteIds[Int(byte)]
            if id >= 0 { ids.append(id) }  // no unk token in these families: unknown bytes vanish, as in HF
        }
        self.init(ids: ids)
    }

    init(ids: [Int32]) {
        self.ids = ids
        let count = Int32(ids.count)
        prev = (0..<count).map { $0 - 1 }
        next = (0..<count).map { $0 + 1 == count ? -1 : $0 + 1 }
        alive = [Bool](repeating: true, count: ids.count)
    }

    mutating func mergeAll(_ merges: MergeTable) {
        guard ids.count > 1 else { return }
        var heap = MergeHeap()
        for position in 0..<(ids.count - 1) {
            if let merge = merges.merge(ids[position], ids[position + 1]) {
                heap.push(rank: merge.rank, position: Int32(position), merged: merge.merged)
            }
        }
        while let top = heap.pop() {
            let position = Int(top.position)
            guard alive[position], next[position] >= 0 else { continue }
            let right = Int(next[position])
            // Skip entries made stale by earlier merges.
            guard let current = merges.merge(ids[position], ids[right]), current.merged == top.merged else { continue }
            ids[position] = top.merged
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { prev[Int(next[right])] = Int32(position) }
            if prev[position] >= 0, let merge = merges.merge(ids[Int(prev[position])], ids[position]) {
                heap.push(rank: merge.rank, position: prev[position], merged: merge.merged)
            }
            if next[position] >= 0, let merge = merges.merge(ids[position], ids[Int(next[position])]) {
                heap.push(rank: merge.rank, position: Int32(position), merged: merge.merged)
            }
        }
    }

    func appendIds(to output: inout [Int32]) {
        for (index, id) in ids.enumerated() where alive[index] { output.append(id) }
    }
}

/// Binary min-heap of candidate merges ordered by rank, then position (leftmost first).
private struct MergeHeap {
    struct Entry { let order: UInt64; let merged: Int32; var position: Int32 { Int32(truncatingIfNeeded: order) } }
    private var entries: [Entry] = []

    mutating func push(rank: Int32, position: Int32, merged: Int32) {
        entries.append(Entry(order: UInt64(UInt32(rank)) << 32 | UInt64(UInt32(position)), merged: merged))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].order < entries[parent].order else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < entries.count && entries[left].order < entries[smallest].order { smallest = left }
                if right < entries.count && entries[right].order < entries[smallest].order { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

extension BPEModel {
    /// Parses tokenizer.json "model". `byteLevel`: the pipeline has a ByteLevel pre-tokenizer
    /// (GPT-2 style); otherwise tokens are plain text (SentencePiece style).
    init(json: [String: Any], file: JSONFile, byteLevel: Bool) throws {
        let type = try file.string(json["type"] ?? "BPE", "model.type")
        guard type == "BPE" else {
            throw file.unsupported("model type '\(type)' (expected \"BPE\")")
        }
        if let prefix = json["continuing_subword_prefix"] as? String, !prefix.isEmpty {
            throw file.unsupported("BPE continuing_subword_prefix '\(prefix)' (byte-level BPE has none)")
        }
        if let suffix = json["end_of_word_suffix"] as? String, !suffix.isEmpty {
            throw file.unsupported("BPE end_of_word_suffix '\(suffix)' (byte-level BPE has none)")
        }
        let byteFallback = try file.bool(json["byte_fallback"], "model.byte_fallback", default: false)
        if byteFallback && byteLevel {
            throw file.unsupported("BPE byte_fallback with a ByteLevel pre-tokenizer")
        }
        if !byteLevel {
            // Plain-text tokens: read byte for byte (see RawVocabulary).
            let raw = try RawVocabulary(json: file.data, path: file.path)
            var ids: [[UInt8]: Int] = [:]
            var vocab: [String: Int] = [:]
            var tokens: [Int: String] = [:]
            for (token, id) in raw.vocab {
                ids[token] = id
                let text = String(decoding: token, as: UTF8.self)
                vocab[text] = vocab[text] ?? id  // canonically equal spellings: the first id answers tokenToId
                tokens[id] = text
            }
            self.vocab = vocab
            self.tokens = tokens
            var unkId: Int?
            if let unk = json["unk_token"] as? String {
                guard let id = ids[Array(unk.utf8)] else { throw file.invalid("model.unk_token", "a token of model.vocab, not '\(unk)'") }
                unkId = id
            }
            byteIds = []
            characters = CharacterVocabulary(vocab: raw.vocab, byteFallback: byteFallback, unkId: unkId,
                                             fuseUnk: try file.bool(json["fuse_unk"], "model.fuse_unk", default: false))
            var table = MergeTable()
            for (rank, merge) in raw.merges.enumerated() {
                guard let left = ids[merge.left], let right = ids[merge.right], let merged = ids[merge.left + merge.right] else {
                    throw file.invalid("model.merges[\(rank)]", "a merge of vocabulary tokens whose concatenation is in the vocabulary")
                }
                table.add(left: Int32(left), right: Int32(right), rank: Int32(rank), merged: Int32(merged))
            }
            merges = table
        } else {
            guard let vocabJSON = json["vocab"] as? [String: Any] else {
                throw file.invalid("model.vocab", "an object mapping token strings to ids")
            }
            var vocab: [String: Int] = [:]
            vocab.reserveCapacity(vocabJSON.count)
            var tokens: [Int: String] = [:]
            tokens.reserveCapacity(vocabJSON.count)
            for (token, value) in vocabJSON {
                let id = try file.int(value, "model.vocab[\"\(token)\"]")
                vocab[token] = id
                tokens[id] = token
            }
            self.vocab = vocab
            self.tokens = tokens
            byteIds = ByteLevelAlphabet.scalarForByte.map { scalar in
                Int32(vocab[String(Unicode.Scalar(scalar)!)] ?? -1)
            }
            characters = nil
            merges = try BPEModel.parseMerges(json["merges"], vocab: vocab, file: file)
        }
        ignoreMerges = try file.bool(json["ignore_merges"], "model.ignore_merges", default: false)
        if let characters, ignoreMerges {
            wholeWords = characters.tokens
        } else if ignoreMerges {
            var table = ByteStringTable()
            for (token, id) in vocab {
                guard let bytes = ByteLevelAlphabet.decode(token) else { continue }
                bytes.withUnsafeBufferPointer { table.insert($0, value: [Int32(id)]) }
            }
            wholeWords = table
        } else {
            wholeWords = nil
        }
    }

    /// Merges come as "a b" strings (older files) or as ["a", "b"] pairs (tokenizers >= 0.20).
    private static func parseMerges(_ value: Any?, vocab: [String: Int], file: JSONFile) throws -> MergeTable {
        let entries = try file.array(value ?? [Any](), "model.merges")
        var table = MergeTable()
        for (rank, entry) in entries.enumerated() {
            let field = "model.merges[\(rank)]"
            let left: String, right: String
            if let pair = entry as? String {
                let parts = pair.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw file.invalid(field, "\"left right\" with one space") }
                left = String(parts[0]); right = String(parts[1])
            } else if let pair = entry as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String {
                left = a; right = b
            } else {
                throw file.invalid(field, "a \"left right\" string or a [left, right] pair")
            }
            guard let leftId = vocab[left], let rightId = vocab[right], let mergedId = vocab[left + right] else {
                throw file.invalid(field, "a merge of vocabulary tokens whose concatenation is in the vocabulary")
            }
            table.add(left: Int32(leftId), right: Int32(rightId), rank: Int32(rank), merged: Int32(mergedId))
        }
        return table
    }
}
