import XCTest
@testable import SkyCorpus

final class RNCDecoderTests: XCTestCase {
    func testCRC16ARCCheckValue() {
        XCTAssertEqual(CRC16.arc(Array("123456789".utf8)), 0xBB3D)
        XCTAssertEqual(CRC16.arc([UInt8]()), 0)
    }

    func testFixturesDecodeToExpectedBytes() throws {
        let cases = try Fixture.expected()["rnc"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let file = c["file"] as! Int
            let stream = try Fixture.bytes("rnc_\(file).bin")
            let header = try RNCHeader(stream)
            XCTAssertEqual(header.method, 1)
            XCTAssertEqual(header.chunkCount, c["chunks"] as? Int, "file \(file)")
            XCTAssertEqual(header.unpackedSize, c["unpacked"] as? Int, "file \(file)")
            let decoded = try RNCDecoder.decompress(stream)
            XCTAssertEqual(decoded, try Fixture.bytes("rnc_\(file).raw"), "file \(file)")
            XCTAssertEqual(Int(CRC16.arc(decoded)), c["crc"] as? Int)
        }
    }

    func testCorruptPayloadFailsPackedCRC() throws {
        var stream = try Fixture.bytes("rnc_2070.bin")
        stream[RNCHeader.size + 40] ^= 0x10
        XCTAssertThrowsError(try RNCDecoder.decompress(stream)) { error in
            guard case .packedCRCMismatch? = error as? RNCError else { return XCTFail("unexpected \(error)") }
        }
    }

    func testWrongUnpackedCRCIsReported() throws {
        var stream = try Fixture.bytes("rnc_8244.bin")
        stream[12] ^= 0x01  // stored unpacked CRC, high byte
        XCTAssertThrowsError(try RNCDecoder.decompress(stream)) { error in
            guard case .unpackedCRCMismatch? = error as? RNCError else { return XCTFail("unexpected \(error)") }
        }
    }

    func testTruncatedWrongMethodAndMissingSignature() throws {
        let stream = try Fixture.bytes("rnc_52402.bin")
        XCTAssertThrowsError(try RNCDecoder.decompress(stream.prefix(stream.count - 5))) { error in
            guard case .truncated? = error as? RNCError else { return XCTFail("unexpected \(error)") }
        }
        var method2 = stream
        method2[3] = 2
        XCTAssertThrowsError(try RNCDecoder.decompress(method2)) { XCTAssertEqual($0 as? RNCError, .unsupportedMethod(2)) }
        XCTAssertThrowsError(try RNCDecoder.decompress(Array("not packed at all".utf8))) {
            XCTAssertEqual($0 as? RNCError, .notRNC)
        }
        XCTAssertTrue(RNCDecoder.hasSignature(stream))
        XCTAssertFalse(RNCDecoder.hasSignature(method2))
    }
}
