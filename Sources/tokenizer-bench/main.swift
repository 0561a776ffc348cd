// tokenizer-bench: times Tokenizer.encode over a corpus, one line per document.
// Usage: tokenizer-bench <tokenizer-folder> <corpus.txt>
// Prints one line: "seconds=<encode time> ids=<total ids> checksum=<hash of all ids> bytes=<corpus bytes>"
// (the checksum is the one scripts/bench/tokenizer_reference.py computes, so ids can be compared).
import Foundation
import Tokenizers

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write("usage: tokenizer-bench <tokenizer-folder> <corpus.txt>\n".data(using: .utf8)!)
    exit(2)
}
do {
    let loadStart = DispatchTime.now().uptimeNanoseconds
    let tokenizer = try Tokenizer(folder: URL(fileURLWithPath: arguments[1]))
    let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
    let corpus = try String(contentsOfFile: arguments[2], encoding: .utf8)
    let lines = corpus.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = DispatchTime.now().uptimeNanoseconds
    var totalIds = 0
    var checksum: UInt64 = 0
    for line in lines {
        let ids = tokenizer.encode(line, addSpecialTokens: false)
        totalIds += ids.count
        for id in ids { checksum = checksum &* 1_000_003 &+ UInt64(id + 1) }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("seconds=\(seconds) ids=\(totalIds) checksum=\(checksum) load=\(loadSeconds) bytes=\(lines.reduce(0) { $0 + $1.utf8.count })")
} catch {
    FileHandle.standardError.write("tokenizer-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
