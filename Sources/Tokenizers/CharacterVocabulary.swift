/// The starting symbols of SentencePiece-style BPE (Gemma, Llama 2): tokens are plain UTF-8
/// strings ("▁the"), and a word starts as its Unicode characters, each looked up in the
/// vocabulary. A character outside it becomes its UTF-8 bytes as `<0xXX>` tokens when
/// `byte_fallback` is on (and all of them exist), else the unk token, a run of unknown
/// characters giving one unk with `fuse_unk` (HF `BPE::merge_word`).
struct CharacterVocabulary: Sendable {
    /// Token UTF-8 -> id, for every vocabulary token.
    let tokens: ByteStringTable
    /// Id of `<0xXX>` for each byte (-1 when absent); nil without byte fallback.
    let byteFallback: [Int32]?
    let unkId: Int32?
    let fuseUnk: Bool

    /// `vocab`: every token's exact UTF-8 with its id.
    init(vocab: [(token: [UInt8], id: Int)], byteFallback: Bool, unkId: Int?, fuseUnk: Bool) {
        var table = ByteStringTable(capacity: vocab.count * 2)
        for (token, id) in vocab {
            token.withUnsafeBufferPointer { table.insert($0, value: [Int32(id)]) }
        }
        tokens = table
        self.byteFallback = byteFallback ? (0..<256).map { byte in
            Int32(table.lookupString("<0x\(Self.hex(byte))>") ?? -1)
        } : nil
        self.unkId = unkId.map(Int32.init)
        self.fuseUnk = fuseUnk
    }

    /// Uppercase two-digit hex, as HF formats byte tokens (`<0x0A>`).
    private static func hex(_ byte: Int) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[byte >> 4], digits[byte & 15]])
    }

    /// The ids a word starts from, before merging. `word` is valid UTF-8.
    func initialIds(_ word: UnsafeBufferPointer<UInt8>) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(word.count)
        var pendingUnk = false  // an unk not yet appended (so the next unknown one can fuse)
        func flushUnk() {
            if pendingUnk, let unkId { ids.append(unkId) }
            pendingUnk = false
        }
        var start = 0
        while start < word.count {
            let end = Swift.min(word.count, start + Self.scalarLength(leadByte: word[start]))
            let character = UnsafeBufferPointer(rebasing: word[start..<end])
            defer { start = end }
            if let id = tokens.lookup(character)?.first {
                flushUnk()
                ids.append(id)
                continue
            }
            if let byteFallback, character.allSatisfy({ byteFallback[Int($0)] >= 0 }) {
                flushUnk()
                ids.append(contentsOf: character.map { byteFallback[Int($0)] })
                continue
            }
            guard unkId != nil else { continue }  // no unk token: the character is dropped, as in HF
            if !(pendingUnk && fuseUnk) { flushUnk() }
            pendingUnk = true
        }
        flushUnk()
        return ids
    }

    /// Bytes of the UTF-8 sequence starting with `lead`.
    private static func scalarLength(leadByte lead: UInt8) -> Int {
        switch lead {
        case 0..<0xC0: return 1
        case 0xC0..<0xE0: return 2
        case 0xE0..<0xF0: return 3
        default: return 4
        }
    }
}

private extension ByteStringTable {
    func lookupString(_ text: String) -> Int32? {
        Array(text.utf8).withUnsafeBufferPointer { lookup($0)?.first }
    }
}
