import Foundation

/// Raw rows of recently used chunks, shared by the loader's workers. A chunk is read once even
/// when several workers ask at the same time; at most `capacity` chunks are kept (LRU).
final class ChunkCache: @unchecked Sendable {
    struct Key: Hashable {
        var file: Int32
        var chunk: Int32
    }

    private enum Slot {
        case loading
        case ready([RawRow])
        case failed(String)
    }

    private let condition = NSCondition()
    private var slots: [Key: Slot] = [:]
    private var recency: [Key] = []  // least recently used first
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Chunks held right now (ready, failed or loading).
    var heldCount: Int { condition.withLock { slots.count } }

    func rows(_ key: Key, load: () throws -> [RawRow]) throws -> [RawRow] {
        condition.lock()
        while true {
            switch slots[key] {
            case .ready(let rows):
                touch(key)
                condition.unlock()
                return rows
            case .failed(let message):
                condition.unlock()
                throw RowFailure(.unreadableChunk, message)
            case .loading:
                condition.wait()
            case nil:
                slots[key] = .loading
                condition.unlock()
                let slot: Slot
                do { slot = .ready(try load()) } catch { slot = .failed("\(error)") }
                condition.lock()
                slots[key] = slot
                touch(key)
                evict()
                condition.broadcast()
                // Loop once more to return the value or throw the failure.
            }
        }
    }

    private func touch(_ key: Key) {
        recency.removeAll { $0 == key }
        recency.append(key)
    }

    private func evict() {
        var index = 0
        while recency.count > capacity, index < recency.count {
            let key = recency[index]
            if case .loading = slots[key] {
                index += 1  // being loaded: keep
            } else {
                slots[key] = nil
                recency.remove(at: index)
            }
        }
    }
}
