import Foundation
import XCTest
@testable import SteerMoE

/// The bundled default and the model folders its config names are found from any current folder.
final class ProjectPathsTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "paths-\(UUID().uuidString)"
        let fm = FileManager.default
        for folder in ["checkpoints/default", ".build/release", "models/whisper", "elsewhere/bin"] {
            try fm.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try Data().write(to: URL(fileURLWithPath: root + "/checkpoints/default/adapter.safetensors"))
        try Data().write(to: URL(fileURLWithPath: root + "/.build/release/steermoe"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/models/whisper/config.json"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func testBundledDefaultIsFoundBesideTheBinaryFromAnyFolder() throws {
        let expected = URL(fileURLWithPath: root + "/checkpoints/default").standardizedFileURL.path
        XCTAssertEqual(ProjectPaths.locateBundledDefault(currentDirectory: "/", executable: root + "/.build/release/steermoe"), expected)
        // Through a symbolic link elsewhere (e.g. ~/bin/steermoe): the link's target decides.
        try FileManager.default.createSymbolicLink(atPath: root + "/elsewhere/bin/steermoe", withDestinationPath: root + "/.build/release/steermoe")
        XCTAssertEqual(ProjectPaths.locateBundledDefault(currentDirectory: "/", executable: root + "/elsewhere/bin/steermoe"), expected)
        // In the checkout itself the relative path is kept (as the README runs it).
        XCTAssertEqual(ProjectPaths.locateBundledDefault(currentDirectory: root, executable: nil), ProjectPaths.bundledDefault)
        // A binary outside any checkout, run from a folder without one: nothing to find.
        XCTAssertNil(ProjectPaths.locateBundledDefault(currentDirectory: "/", executable: NSTemporaryDirectory() + "\(UUID().uuidString)/steermoe"))
    }

    func testAFolderThatIsNoAdapterIsNamed() throws {
        XCTAssertThrowsError(try Transcriber(checkpoint: root + "/models")) {
            XCTAssertTrue("\($0)".contains("checkpoint '\(root)/models': no adapter.safetensors (expected a checkpoint folder"), "\($0)")
        }
        XCTAssertThrowsError(try Transcriber(checkpoint: root + "/nothing-here")) {
            XCTAssertTrue("\($0)".contains("checkpoint '\(root)/nothing-here': no adapter.safetensors (no such folder)"), "\($0)")
        }
    }

    func testModelFoldersResolveAboveTheCheckpoint() throws {
        let checkpoint = root + "/checkpoints/default"
        let found = try Transcriber.locate("models/whisper", near: checkpoint, what: "Whisper model folder")
        XCTAssertEqual(URL(fileURLWithPath: found).standardizedFileURL.path,
                       URL(fileURLWithPath: root + "/models/whisper").standardizedFileURL.path)
        XCTAssertThrowsError(try Transcriber.locate("models/llm", near: checkpoint, what: "LLM model folder")) {
            XCTAssertTrue("\($0)".contains("LLM model folder 'models/llm' not found"), "\($0)")
            XCTAssertTrue("\($0)".contains(checkpoint), "\($0)")
        }
    }
}
