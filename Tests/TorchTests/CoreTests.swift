import XCTest
@testable import Torch

final class CoreTests: XCTestCase {
    func testCreationAndReadback() throws {
        XCTAssertEqual(try Tensor.zeros([2, 3]).floats(), [Float](repeating: 0, count: 6))
        XCTAssertEqual(try Tensor.ones([2], dtype: .int64).ints(), [1, 1])
        XCTAssertEqual(try Tensor.full([2], 7, dtype: .int32).toArray(Int32.self), [7, 7])
        XCTAssertEqual(try Tensor.arange(5).ints(), [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.arange(1.0, 2.0, step: 0.5, dtype: .float32).floats(), [1, 1.5])
        let t = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(t.device, .cpu)
        XCTAssertEqual(try Tensor(rows: [[1, 2], [3, 4]] as [[Int64]]).shape, [2, 2])
        XCTAssertThrowsError(try Tensor([1, 2, 3] as [Float], shape: [2, 2]))
        let raw: [Float] = [0.5, -1]
        let fromBytes = try raw.withUnsafeBytes { try Tensor.fromBytes($0, shape: [2], dtype: .float32) }
        XCTAssertEqual(try fromBytes.floats(), raw)
    }

    func testDtypeConversions() throws {
        let t = try Tensor([1.5, -2.25] as [Float])
        for dtype in [DType.float16, .bfloat16, .float64] {
            XCTAssertEqual(try t.to(dtype: dtype).floats(), [1.5, -2.25], "\(dtype)")
        }
        XCTAssertEqual(try t.to(dtype: .int64).ints(), [1, -2])
        XCTAssertEqual(try t.gt(0).toArray(Bool.self), [true, false])
        XCTAssertThrowsError(try t.toArray(Int64.self))
    }

    func testSeededGeneratorsAreReproducible() throws {
        let x = try Tensor.randn([5], generator: Generator(seed: 42)).floats()
        let y = try Tensor.randn([5], generator: Generator(seed: 42)).floats()
        let z = try Tensor.randn([5], generator: Generator(seed: 43)).floats()
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, z)
        // Same stream as torch.randn(5, generator=torch.Generator().manual_seed(42)).
        XCTAssertEqual(Double(x[0]), 0.3367, accuracy: 1e-4)
        let g = try Generator(seed: 7)
        let state = try g.state()
        let first = try Tensor.rand([3], generator: g).floats()
        try g.setState(state)
        XCTAssertEqual(try Tensor.rand([3], generator: g).floats(), first)
        let u = try Tensor.rand([1000], generator: Generator(seed: 1))
        XCTAssertGreaterThanOrEqual(try u.amin().item(), 0)
        XCTAssertLessThan(try u.amax().item(), 1)
    }

    func testShapeMismatchIsAnErrorNotACrash() throws {
        let a = try Tensor.ones([2, 3]), b = try Tensor.ones([4, 5])
        XCTAssertThrowsError(try a.matmul(b)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("cannot be multiplied") || message.contains("shape"), message)
        }
        XCTAssertThrowsError(try a + b) { error in XCTAssertTrue("\(error)".contains("must match"), "\(error)") }
        XCTAssertThrowsError(try a.reshape(7))
        XCTAssertThrowsError(try a.select(dim: 5, index: 0))
        XCTAssertThrowsError(try Tensor.cat([a, b], dim: 0))
        XCTAssertThrowsError(try Functional.embedding(a, Tensor([9] as [Int64])))
        // The library is still usable afterwards.
        XCTAssertEqual(try (a + a).sum().item(), 12)
    }

    func testThreadsSetting() throws {
        let before = Torch.numThreads
        Torch.numThreads = 1
        XCTAssertEqual(Torch.numThreads, 1)
        Torch.numThreads = before
        XCTAssertTrue(Torch.version.hasPrefix("2.11"))
    }

    func testDefaultDeviceIsPerThreadAndScoped() throws {
        XCTAssertEqual(Device.current, .cpu)
        let gpu = (try? Torch.loadCUDA()) != nil && Torch.cudaIsAvailable && Torch.cudaDeviceCount > 0
        // Another thread's default does not leak into this one (the loader's workers rely on it).
        final class Seen: @unchecked Sendable { var current: Device = .cpu; var created: Device? = nil }
        let seen = Seen()
        let done = DispatchSemaphore(value: 0)
        Thread {
            Device.current = .cuda(0)
            seen.current = Device.current
            seen.created = (try? Tensor([1, 2] as [Float]))?.device
            done.signal()
        }.start()
        done.wait()
        XCTAssertEqual(seen.current, .cuda(0))
        XCTAssertEqual(seen.created, gpu ? .cuda(0) : nil, "Tensor(values) lands on the thread's default device (fails without CUDA)")
        XCTAssertEqual(Device.current, .cpu)
        XCTAssertEqual(try Tensor([1] as [Float]).device, .cpu)
        // `with` restores the previous default, also when the body throws.
        XCTAssertThrowsError(try Device.with(.cuda(3)) { () throws -> Void in
            XCTAssertEqual(Device.current, .cuda(3))
            throw TorchError("body failed")
        })
        XCTAssertEqual(Device.current, .cpu)
        // Samples follow their generator's device, whatever the thread's default (no CUDA needed).
        let g = try Generator(seed: 1)
        XCTAssertEqual(try Device.with(.cuda(3)) { try Tensor.randn([2], generator: g).device }, .cpu)
        XCTAssertEqual(Device(name: "cuda:2"), .cuda(2))
        XCTAssertNil(Device(name: "tpu"))
    }

    func testCUDAPathReportsAbsenceCleanly() throws {
        // On CPU-only machines this must not crash; where a GPU exists, move a tensor there and back.
        if (try? Torch.loadCUDA()) != nil, Torch.cudaIsAvailable, Torch.cudaDeviceCount > 0 {
            let t = try Tensor([1, 2] as [Float]).to(.cuda(0))
            XCTAssertEqual(t.device, .cuda(0))
            XCTAssertEqual(try (t * 2).to(.cpu).floats(), [2, 4])
        } else {
            XCTAssertThrowsError(try Tensor.zeros([1], device: .cuda(0)))
        }
    }
}
