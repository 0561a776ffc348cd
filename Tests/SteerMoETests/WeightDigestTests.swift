import Foundation
import XCTest
@testable import SteerMoE

/// The frozen weights' identity that adapters record (steermoe.json) and transcription checks.
final class WeightDigestTests: XCTestCase {
    func makeFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "weight-digests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }

    func testDigestsAreTheSafetensorsFilesSHA256() throws {
        let folder = try makeFolder()
        try Data("abc".utf8).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        // sha256("abc"), the FIPS 180-2 test vector.
        XCTAssertEqual(weightDigests(folder: folder),
                       ["model.safetensors": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"])
    }

    func testAStagedCopyReportsItsSourcesDigests() throws {
        let folder = try makeFolder()
        try Data("float16 copy".utf8).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        let source = ["model.safetensors": String(repeating: "5", count: 64)]
        try JSONSerialization.data(withJSONObject: source).write(to: URL(fileURLWithPath: folder + "/" + sourceDigestsFile))
        XCTAssertEqual(weightDigests(folder: folder), source)
    }

    func testAFolderWithoutWeightsHasNoDigests() throws {
        XCTAssertEqual(weightDigests(folder: try makeFolder()), [:])
    }
}
