import Foundation
import XCTest

/// Fixtures written by scripts/fixtures/sky_corpus_fixtures.py (see its docstring).
enum Fixture {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/sky")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent(name))
    }

    static func expected() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: data("expected.json")) as! [String: Any]
    }
}

/// The installed game (Debian package beneath-a-steel-sky), or a skip saying how to get it.
enum InstalledGame {
    static let directory = URL(fileURLWithPath: "/usr/share/scummvm/beneath-a-steel-sky")

    static func require() throws -> URL {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("sky.dnr").path) else {
            throw XCTSkip("Beneath a Steel Sky is not installed (apt-get install beneath-a-steel-sky); "
                          + "real-data checks skipped")
        }
        return directory
    }
}
