// swift-tools-version: 6.0
// steermoe-swift: SteerMoE speech-language models in Swift over libtorch.
//
// Layers (lower never imports higher):
//   CTorch (C++ shim, C ABI)  ->  Torch (tensors, autograd, nn, optim, safetensors)
//   CAudio (libsndfile/soxr), CArrow (Arrow/Parquet shim)  ->  SpeechData (sources, audio)
//   Tokenizers (pure Swift BPE)
//   SkyCorpus, QueenCorpus (game speech extractors)  ->  CorpusBuilder (+ SpeechData: parquet corpus build)
//   SteerMoE (models, features, training)  ->  steermoe (CLI)
import PackageDescription
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let env = ProcessInfo.processInfo.environment

/// site-packages of the project venv made by scripts/bootstrap (or $STEERMOE_SITE_PACKAGES).
func sitePackages() -> String {
    if let s = env["STEERMOE_SITE_PACKAGES"], !s.isEmpty { return s }
    let lib = root + "/.venv/lib"
    let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
    for p in pythons.sorted() where p.hasPrefix("python3") {
        let site = "\(lib)/\(p)/site-packages"
        if FileManager.default.fileExists(atPath: site) { return site }
    }
    return lib + "/python3/site-packages"  // not bootstrapped: the build error names this path
}
let site = sitePackages()
let libtorch = env["LIBTORCH"].flatMap { $0.isEmpty ? nil : $0 } ?? site + "/torch"
let pyarrow = env["PYARROW"].flatMap { $0.isEmpty ? nil : $0 } ?? site + "/pyarrow"
// libtorch_cpu needs libcudart.so.13 / libcupti.so.13 at load time, even on CPU.
let cudaLibDirs = [site + "/nvidia/cu13/lib", site + "/nvidia/cuda_runtime/lib", site + "/nvidia/cuda_cupti/lib"]

func rpath(_ dirs: [String]) -> [String] { dirs.flatMap { ["-Xlinker", "-rpath", "-Xlinker", $0] } }

let torchCxx: [CXXSetting] = [
    .unsafeFlags([
        "-std=c++17", "-O2", "-D_GLIBCXX_USE_CXX11_ABI=1",
        "-DUSE_C10D_GLOO",  // c10d's Gloo process group (headers: Debian libgloo-dev; code: libtorch_cpu)
        "-isystem", libtorch + "/include",
        "-isystem", libtorch + "/include/torch/csrc/api/include",
        "-Wno-deprecated-declarations",
    ]),
]
let torchLink: [LinkerSetting] = [
    .unsafeFlags(["-L" + libtorch + "/lib"] + cudaLibDirs.map { "-L" + $0 }
                 + rpath([libtorch + "/lib"] + cudaLibDirs)),
    .linkedLibrary("torch_cpu"), .linkedLibrary("c10"),
]
let arrowCxx: [CXXSetting] = [
    .unsafeFlags(["-std=c++20", "-O2", "-D_GLIBCXX_USE_CXX11_ABI=1", "-isystem", pyarrow + "/include"]),
]
let arrowLink: [LinkerSetting] = [
    .unsafeFlags(["-L" + pyarrow, "-l:libarrow.so.2600", "-l:libparquet.so.2600"] + rpath([pyarrow])),
]

let package = Package(
    name: "steermoe-swift",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "steermoe", targets: ["steermoe"]),
        .executable(name: "sky-extract", targets: ["sky-extract"]),
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "SteerMoE", targets: ["SteerMoE"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .target(name: "CTorch", cxxSettings: torchCxx, linkerSettings: torchLink),
        .target(name: "Torch", dependencies: ["CTorch"]),
        .target(name: "CAudio", linkerSettings: [.linkedLibrary("sndfile"), .linkedLibrary("soxr")]),
        .target(name: "CArrow", cxxSettings: arrowCxx, linkerSettings: arrowLink),
        .target(name: "SpeechData", dependencies: ["CAudio", "CArrow"]),
        .target(name: "Tokenizers"),
        .target(name: "SkyCorpus", dependencies: []),
        .target(name: "QueenCorpus", dependencies: []),
        .target(name: "CorpusBuilder", dependencies: ["SkyCorpus", "QueenCorpus", "SpeechData"], resources: [.copy("Resources")]),
        .target(name: "CStopSignal"),
        .target(name: "SteerMoE", dependencies: ["Torch", "Tokenizers", "SpeechData", "Yams", "CStopSignal"]),
        .executableTarget(name: "sky-extract", dependencies: ["SkyCorpus"]),
        .executableTarget(name: "steermoe", dependencies: [
            "SteerMoE", "SkyCorpus", "CorpusBuilder", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "torch-cuda-check", dependencies: ["Torch"]),
        .executableTarget(name: "steermoe-bench", dependencies: ["Torch", "SpeechData", "SteerMoE"]),
        .executableTarget(name: "tokenizer-bench", dependencies: ["Tokenizers"]),
        .testTarget(name: "TorchTests", dependencies: ["Torch"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpeechDataTests", dependencies: ["SpeechData"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyCorpusTests", dependencies: ["SkyCorpus"], resources: [.copy("Fixtures")]),
        .testTarget(name: "QueenCorpusTests", dependencies: ["QueenCorpus"]),
        .testTarget(name: "CorpusBuilderTests", dependencies: ["CorpusBuilder", "SpeechData"]),
        .testTarget(name: "SteerMoETests", dependencies: ["SteerMoE"], resources: [.copy("Fixtures")]),
    ]
)
