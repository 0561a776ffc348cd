import Foundation
import XCTest
@testable import Torch

/// c10d collectives over Gloo: two ranks in one process (one thread each), rendezvous through a
/// TCPStore on a free local port.
final class ProcessGroupTests: XCTestCase {
    /// Runs `body(group)` on two ranks at once; returns each rank's result.
    func twoRanks<R>(_ body: @escaping @Sendable (ProcessGroup) throws -> R) throws -> [R] {
        let port = try ProcessGroup.freeLocalPort()
        let results = UnsafeMutableBufferPointer<Result<R, Error>?>.allocate(capacity: 2)
        defer { results.deallocate() }
        results.initialize(repeating: nil)
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            slots[rank] = Result {
                let group = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: 2, isServer: rank == 0,
                                             timeoutSeconds: 60)
                return try body(group)
            }
        }
        return try results.map { try $0!.get() }
    }

    func testAllReduceSumsAndBroadcastCopiesRankZero() throws {
        let out = try twoRanks { group -> ([Float], [Float]) in
            let r = Float(group.rank + 1)
            let sum = try Tensor([r, 10 * r, -r], shape: [3])
            try group.allReduceSum(sum)
            let b = try Tensor([r, r], shape: [2])
            try group.broadcast(b, root: 0)
            try group.barrier()
            return (try sum.toArray(Float.self), try b.toArray(Float.self))
        }
        for (sum, b) in out {
            XCTAssertEqual(sum, [3, 30, -3])
            XCTAssertEqual(b, [1, 1])
        }
    }

    /// Gradients (and the extras riding along, e.g. the loss) become the mean over ranks; a
    /// parameter without a gradient stays without one; broadcastValues copies rank 0's values.
    func testAverageGradientsAndBroadcastValues() throws {
        let out = try twoRanks { group -> ([Float], [Float], Double, Bool, [Float]) in
            let r = Double(group.rank + 1)
            let p = try Parameter(Tensor([Float(r), 2], shape: [2]))
            let q = try Parameter(Tensor([Float(5), 6, 7], shape: [3]))   // no gradient on either rank
            let w = try Parameter(Tensor([Float(1), 2, 3, 4], shape: [2, 2]))
            let loss = try (p.value * (r * 3)).sum() + (w.value * r).sum()
            try loss.backward()
            let extras = try group.averageGradients([p, q, w], extras: [r * 10])
            try group.broadcastValues([p, w])
            return (try p.grad!.toArray(Float.self), try w.grad!.toArray(Float.self), extras[0], q.grad == nil,
                    try p.value.detach().toArray(Float.self))
        }
        for (pGrad, wGrad, loss, qHasNone, pValue) in out {
            XCTAssertEqual(pGrad, [4.5, 4.5])           // mean of 3 and 6
            XCTAssertEqual(wGrad, [1.5, 1.5, 1.5, 1.5])
            XCTAssertEqual(loss, 15, accuracy: 1e-6)
            XCTAssertTrue(qHasNone)
            XCTAssertEqual(pValue, [1, 2])              // rank 0's
        }
    }

    func testEnvironmentDescribesTheGroupOrNone() throws {
        XCTAssertNil(try ProcessGroup.fromEnvironment([:]))
        XCTAssertThrowsError(try ProcessGroup.fromEnvironment(["WORLD_SIZE": "2", "RANK": "x", "MASTER_PORT": "1"])) {
            XCTAssertTrue("\($0)".contains("RANK is 'x'"), "\($0)")
        }
        XCTAssertThrowsError(try ProcessGroup.fromEnvironment(["WORLD_SIZE": "2", "RANK": "2", "MASTER_PORT": "29500"])) {
            XCTAssertTrue("\($0)".contains("rank 2 is outside a world of 2"), "\($0)")
        }
    }
}
