import Foundation

/// Results slots shared by parallelMap's workers.
private final class ParallelResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var results: [T?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
}

/// Runs body for 0..<count on up to `workers` threads (GCD caps them at the core count);
/// results come back in index order whatever the scheduling.
func parallelMap<T: Sendable>(count: Int, workers: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let shared = ParallelResults<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
        while true {
            let task: Int = shared.lock.withLock {
                defer { shared.next += 1 }
                return shared.next
            }
            if task >= count { return }
            let result = body(task)
            shared.lock.withLock { shared.results[task] = result }
        }
    }
    return shared.results.map { $0! }
}
