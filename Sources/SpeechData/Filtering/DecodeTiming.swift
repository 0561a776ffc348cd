import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time of the calling thread: work done, not time spent waiting for a core, so estimates
/// hold on a busy machine too.
public enum ThreadClock {
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

extension DatasetIndex {
    /// Decodes the kept rows `indices` (positions in `entries`) and measures the CPU time of the
    /// decoding and resampling only, not of the chunk reads: what a loader worker spends per
    /// sample once the chunk is cached, for `steermoe data inspect`'s throughput estimate. One
    /// chunk is held at a time.
    public func timedSamples(at indices: [Int]) throws -> (samples: [Sample], decodeSeconds: Double) {
        var samples: [Sample] = []
        var nanoseconds: UInt64 = 0
        var held: (key: ChunkCache.Key, rows: [RawRow])?
        for i in indices {
            let entry = entries[i]
            let key = ChunkCache.Key(file: entry.file, chunk: entry.chunk)
            if held?.key != key { held = (key, try shards[Int(entry.file)].rows(chunk: Int(entry.chunk))) }
            let start = ThreadClock.nanoseconds()
            samples.append(try decode(entry, in: held!.rows))
            nanoseconds += ThreadClock.nanoseconds() - start
        }
        return (samples, Double(nanoseconds) / 1e9)
    }
}
