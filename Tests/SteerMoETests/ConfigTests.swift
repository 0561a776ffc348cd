import Foundation
import XCTest
@testable import SteerMoE
import Torch

final class ConfigTests: XCTestCase {
    /// The original project's configs, from ../shared/reference (read, never copied).
    static let sharedReference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/reference").standardized.path

    func upstream(_ name: String) throws -> String {
        let path = Self.sharedReference + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) not present") }
        return path
    }

    /// The repository root, for the recipes in configs/ and the bundled checkpoints.
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path

    /// The recipe that trained the bundled default (checkpoints/default); the variants below are checked against it.
    static let defaultRecipePath = "configs/steermoe-smollm2-mixed-ctc-mlp-speed-long-lora-all.yaml"

    func recipe(_ relativePath: String) throws -> TrainingConfig {
        try TrainingConfig.load(path: Self.repoRoot + "/" + relativePath)
    }

    /// Every recipe in configs/ and configs/gpu/ loads (keys, values, validation).
    func testEveryRecipeLoads() throws {
        let root = Self.repoRoot
        let recipes = try FileManager.default.contentsOfDirectory(atPath: root + "/configs").filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThan(recipes.count, 10)
        for name in recipes {
            XCTAssertNoThrow(try TrainingConfig.load(path: root + "/configs/" + name), name)
        }
        let gpuRecipes = try FileManager.default.contentsOfDirectory(atPath: root + "/configs/gpu").filter { $0.hasSuffix(".yaml") }
        XCTAssertEqual(gpuRecipes.count, 27)
        for name in gpuRecipes {
            let c = try TrainingConfig.load(path: root + "/configs/gpu/" + name)
            XCTAssertEqual(c.device, "cuda", name)
        }
    }

    /// The GPU precision twins are the default's recipe cut to 200 steps, differing only in precision
    /// (and output folder), so their losses can be compared step for step.
    func testPrecisionTwinsDifferOnlyInPrecision() throws {
        let base = try recipe("configs/gpu/steermoe-smollm2-sky-ctc-pad30cut-speed-mlp.yaml")
        let twins = try ["fp32", "fp16", "bf16"].map { try recipe("configs/gpu/precision-\($0)-smollm2-short.yaml") }
        for (twin, precision) in zip(twins, ["fp32", "fp16", "bf16"]) {
            XCTAssertEqual(twin.model, base.model, precision)
            XCTAssertEqual(twin.augmentation, base.augmentation, precision)
            XCTAssertEqual(twin.seed, base.seed, precision)
            XCTAssertEqual(twin.maxSteps, 200, precision)
            XCTAssertEqual(twin.fp16, precision == "fp16")
            XCTAssertEqual(twin.bf16, precision == "bf16")
            XCTAssertEqual(twin.outputDir, "runs/gpu/precision-" + precision)
        }
    }

    /// The mixed-data pair is the default's recipe and its linear baseline with the synthetic train
    /// splits added, and nothing else changed (docs/results.md compares them with those runs).
    func testMixedDataTwinsOnlyAddTheSyntheticTrainSplits() throws {
        for mode in ["steermoe", "linear"] {
            let base = try recipe("configs/gpu/\(mode)-smollm2-sky-ctc-pad30cut-speed-mlp.yaml")
            let mixed = try recipe("configs/gpu/\(mode)-smollm2-mixed-ctc-pad30cut-speed-mlp.yaml")
            XCTAssertEqual(mixed.parquetDirs, base.parquetDirs + ["data/corpus-synth/piper/train", "data/corpus-synth/flite/train"], mode)
            XCTAssertEqual(mixed.evalParquetDirs, base.evalParquetDirs, mode)
            XCTAssertEqual(mixed.model, base.model, mode)
            XCTAssertEqual(mixed.augmentation, base.augmentation, mode)
            XCTAssertEqual(mixed.seed, base.seed, mode)
            XCTAssertEqual(mixed.maxSteps, base.maxSteps, mode)
            XCTAssertEqual(mixed.batchSize, base.batchSize, mode)
            XCTAssertEqual([mixed.learningRate, mixed.steeringLearningRate, mixed.routerLearningRate],
                           [base.learningRate, base.steeringLearningRate, base.routerLearningRate], mode)
            XCTAssertEqual(mixed.outputDir, "runs/gpu/\(mode)-mixed-pad30cut-speed-mlp")
        }
        // The seventh loan's two: the default's recipe with more of the same voices, or with more voices.
        let mixed = try recipe("configs/gpu/steermoe-smollm2-mixed-ctc-pad30cut-speed-mlp.yaml")
        let more = try recipe("configs/gpu/steermoe-smollm2-mixed3-ctc-pad30cut-speed-mlp.yaml")
        let voices = try recipe("configs/gpu/steermoe-smollm2-mixed-espeak-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(more.parquetDirs, ["data/corpus/sky/train", "data/corpus-synth3/piper/train", "data/corpus-synth3/flite/train"])
        XCTAssertEqual(voices.parquetDirs, mixed.parquetDirs + ["data/corpus-espeak/espeak/train"])
        for variant in [more, voices] {
            XCTAssertEqual(variant.model, mixed.model)
            XCTAssertEqual(variant.augmentation, mixed.augmentation)
            XCTAssertEqual([variant.maxSteps, variant.batchSize] as [Int?], [mixed.maxSteps, mixed.batchSize])
            XCTAssertEqual(variant.seed, mixed.seed)
            XCTAssertNotEqual(variant.outputDir, mixed.outputDir)
        }
        // The next loan's two: the real clips listed twice (weight 2), in the default's mixture and in the espeak one.
        let real2 = try recipe("configs/gpu/steermoe-smollm2-mixed-real2-ctc-pad30cut-speed-mlp.yaml")
        let voicesReal2 = try recipe("configs/gpu/steermoe-smollm2-mixed-espeak-real2-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(real2.parquetDirs, ["data/corpus/sky/train"] + mixed.parquetDirs)
        XCTAssertEqual(voicesReal2.parquetDirs, ["data/corpus/sky/train"] + voices.parquetDirs)
        for variant in [real2, voicesReal2] {
            XCTAssertEqual(variant.model, mixed.model)
            XCTAssertEqual(variant.augmentation, mixed.augmentation)
            XCTAssertEqual([variant.maxSteps, variant.batchSize] as [Int?], [mixed.maxSteps, mixed.batchSize])
            XCTAssertEqual([variant.learningRate, variant.steeringLearningRate, variant.routerLearningRate],
                           [mixed.learningRate, mixed.steeringLearningRate, mixed.routerLearningRate])
            XCTAssertEqual(variant.seed, mixed.seed)
            XCTAssertEqual(variant.evalParquetDirs, mixed.evalParquetDirs)
        }
        let kokoroReal2 = try recipe("configs/gpu/steermoe-smollm2-mixed-kokoro-real2-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(kokoroReal2.parquetDirs, real2.parquetDirs + ["data/corpus-kokoro/kokoro/train"])
        XCTAssertEqual(kokoroReal2.model, mixed.model)
        XCTAssertEqual(kokoroReal2.augmentation, mixed.augmentation)
        XCTAssertEqual([kokoroReal2.maxSteps, kokoroReal2.batchSize] as [Int?], [mixed.maxSteps, mixed.batchSize])
        XCTAssertEqual(kokoroReal2.seed, mixed.seed)
        XCTAssertEqual(Set([real2.outputDir, voicesReal2.outputDir, kokoroReal2.outputDir, mixed.outputDir, voices.outputDir]).count, 5)
        // A candidate beside them: the default's mixture with the real dev clips trained on too (its step fixed in advance).
        let trainDev = try recipe("configs/gpu/steermoe-smollm2-mixed-traindev-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(trainDev.parquetDirs, ["data/corpus/sky/train", "data/corpus/sky/dev"] + mixed.parquetDirs.dropFirst())
        XCTAssertEqual(trainDev.model, mixed.model)
        XCTAssertEqual(trainDev.augmentation, mixed.augmentation)
        XCTAssertEqual([trainDev.maxSteps, trainDev.batchSize, trainDev.saveSteps] as [Int?], [mixed.maxSteps, mixed.batchSize, mixed.saveSteps])
        XCTAssertEqual(trainDev.seed, mixed.seed)
        XCTAssertNotEqual(trainDev.outputDir, mixed.outputDir)
        // The same addition to the trimmed CPU recipe in bf16.
        let cpu = try recipe("configs/steermoe-smollm2-sky-ctc-mlp-speed-long-bf16.yaml")
        let cpuMixed = try recipe("configs/steermoe-smollm2-mixed-ctc-mlp-speed-long-bf16.yaml")
        let synthetic = ["data/corpus-synth/piper/train", "data/corpus-synth/flite/train"]
        assertDataChange(cpuMixed, of: cpu, parquetDirs: cpu.parquetDirs + synthetic)
        XCTAssertEqual(cpuMixed.device, "cpu")
        // Its float32 original beside the float32 trimmed recipe, and the same additions to the 1,000-step
        // trimmed CPU recipe with the MLP projector (float32), the real clips once and listed twice.
        let cpu32 = try recipe("configs/steermoe-smollm2-sky-ctc-mlp-speed-long.yaml")
        let cpu32Mixed = try recipe("configs/steermoe-smollm2-mixed-ctc-mlp-speed-long.yaml")
        assertDataChange(cpu32Mixed, of: cpu32, parquetDirs: cpu32.parquetDirs + synthetic)
        XCTAssertEqual([cpu32.bf16, cpu32.fp16], [false, false])
        XCTAssertNotEqual(cpu32Mixed.outputDir, cpuMixed.outputDir)
        let short = try recipe("configs/steermoe-smollm2-sky-ctc-mlp.yaml")
        let shortMixed = try recipe("configs/steermoe-smollm2-mixed-ctc-mlp.yaml")
        let shortReal2 = try recipe("configs/steermoe-smollm2-mixed-real2-ctc-mlp.yaml")
        assertDataChange(shortMixed, of: short, parquetDirs: short.parquetDirs + synthetic)
        assertDataChange(shortReal2, of: short, parquetDirs: short.parquetDirs + short.parquetDirs + synthetic)
        XCTAssertEqual([short.bf16, short.fp16], [false, false])
        XCTAssertNotEqual(shortMixed.outputDir, shortReal2.outputDir)
    }

    /// The channel-simulation recipes are their mixture recipes with the game's channel added.
    func testChannelRecipesAddOnlyTheGameChannel() throws {
        let game = Augmentation.Channel(sampleRate: 11025, bits: 8, levelDBFS: -15 ... -10, probability: 1)
        for (base, variant) in [
            ("configs/steermoe-smollm2-mixed-ctc-mlp-speed-long.yaml", "configs/steermoe-smollm2-mixed-channel-ctc-mlp-speed-long.yaml"),
            ("configs/steermoe-smollm2-mixed-ctc-mlp.yaml", "configs/steermoe-smollm2-mixed-channel-ctc-mlp.yaml"),
            ("configs/gpu/steermoe-smollm2-mixed-ctc-pad30cut-speed-mlp.yaml",
             "configs/gpu/steermoe-smollm2-mixed-channel-ctc-pad30cut-speed-mlp.yaml"),
        ] {
            let b = try recipe(base), v = try recipe(variant)
            XCTAssertNil(b.augmentation.channel, base)
            XCTAssertEqual(v.augmentation.channel, game, variant)
            assertSameOnceSetBack(v, as: b, variant) { $0.augmentation.channel = nil }
        }
    }

    /// The LoRA recipes are their frozen-LLM recipes with LoRA (rank 8, alpha 16, lr 2e-4) added.
    func testLoRARecipesAddOnlyLoRA() throws {
        let all = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        for (base, variant, targets) in [
            ("configs/steermoe-smollm2-mixed-ctc-mlp.yaml", "configs/steermoe-smollm2-mixed-ctc-mlp-lora-qv.yaml", ["q_proj", "v_proj"]),
            ("configs/steermoe-smollm2-mixed-ctc-mlp.yaml", "configs/steermoe-smollm2-mixed-ctc-mlp-lora-all.yaml", all),
            ("configs/steermoe-smollm2-mixed-ctc-mlp-speed-long.yaml", Self.defaultRecipePath, all),
            ("configs/gpu/steermoe-smollm2-mixed-ctc-pad30cut-speed-mlp.yaml",
             "configs/gpu/steermoe-smollm2-mixed-ctc-pad30cut-speed-mlp-lora.yaml", all),
            ("configs/gpu/linear-smollm2-mixed-ctc-pad30cut-speed-mlp.yaml",
             "configs/gpu/linear-smollm2-mixed-ctc-pad30cut-speed-mlp-lora.yaml", all),
        ] {
            let b = try recipe(base), v = try recipe(variant)
            XCTAssertEqual(b.model.loraRank, 0, base)
            XCTAssertEqual([Double(v.model.loraRank), v.model.resolvedLoRAAlpha, v.loraLearningRate], [8, 16, 2e-4], variant)
            XCTAssertEqual(v.model.loraTargets, targets, variant)
            assertSameOnceSetBack(v, as: b, variant) {
                $0.model.loraRank = 0
                $0.model.loraAlpha = nil
                $0.model.loraTargets = b.model.loraTargets
                $0.loraLearningRate = b.loraLearningRate
            }
        }
    }

    /// The one-change experiments on the LoRA recipes: rank 16 (alpha 32, the same scale) on the
    /// 1,000-step and the long schedule, and 16 steering experts.
    func testLoRARankAndExpertVariantsChangeOneThing() throws {
        let base = try recipe("configs/steermoe-smollm2-mixed-ctc-mlp-lora-all.yaml")
        for (baseName, variantName) in [
            ("configs/steermoe-smollm2-mixed-ctc-mlp-lora-all.yaml", "configs/steermoe-smollm2-mixed-ctc-mlp-lora-all-r16.yaml"),
            (Self.defaultRecipePath, "configs/steermoe-smollm2-mixed-ctc-mlp-speed-long-lora-all-r16.yaml"),
        ] {
            let rank8 = try recipe(baseName), rank16 = try recipe(variantName)
            XCTAssertEqual(rank16.model.resolvedLoRAAlpha / Double(rank16.model.loraRank),
                           rank8.model.resolvedLoRAAlpha / Double(rank8.model.loraRank), "same alpha / rank scale")
            assertSameOnceSetBack(rank16, as: rank8, variantName) {
                XCTAssertEqual($0.model.loraRank, 16)
                $0.model.loraRank = rank8.model.loraRank
                $0.model.loraAlpha = rank8.model.loraAlpha
            }
        }
        let experts16 = try recipe("configs/steermoe-smollm2-mixed-ctc-mlp-lora-all-e16.yaml")
        assertOneModelChange(experts16, of: base, \.numExperts, from: 8, to: 16)
    }

    /// The default's recipe with the Kokoro voices added and the real clips listed twice (their share kept):
    /// the data is all that differs.
    func testKokoroLoRARecipeChangesOnlyTheData() throws {
        let name = "configs/steermoe-smollm2-mixed-kokoro-real2-ctc-mlp-speed-long-lora-all.yaml"
        let defaultRecipe = try recipe(Self.defaultRecipePath)
        assertDataChange(try recipe(name), of: defaultRecipe,
                         parquetDirs: ["data/corpus/sky/train"] + defaultRecipe.parquetDirs + ["data/corpus-kokoro/kokoro/train"])
    }

    /// The default's recipe trained on the real dev clips too (its step fixed in advance): the data is all that differs.
    func testTrainDevLoRARecipeChangesOnlyTheData() throws {
        let defaultRecipe = try recipe(Self.defaultRecipePath)
        let trainDev = try recipe("configs/steermoe-smollm2-mixed-traindev-ctc-mlp-speed-long-lora-all.yaml")
        assertDataChange(trainDev, of: defaultRecipe,
                         parquetDirs: ["data/corpus/sky/train", "data/corpus/sky/dev"] + defaultRecipe.parquetDirs.dropFirst())
        XCTAssertEqual(defaultRecipe.parquetDirs.first, "data/corpus/sky/train")
        XCTAssertTrue(defaultRecipe.saveSteps.map { 2250 % $0 == 0 } ?? false, "checkpoint-2250 is saved")
    }

    /// The 1,000-step LoRA recipe with Flight of the Amazon Queen's train split added and the Beneath a Steel Sky
    /// clips listed twice: the data is all that differs.
    func testFotaqRecipeChangesOnlyTheData() throws {
        let base = try recipe("configs/steermoe-smollm2-mixed-ctc-mlp-lora-all.yaml")
        XCTAssertEqual(base.parquetDirs.first, "data/corpus/sky/train")
        assertDataChange(try recipe("configs/steermoe-smollm2-mixed-fotaq-real2-ctc-mlp-lora-all.yaml"), of: base,
                         parquetDirs: ["data/corpus/sky/train", "data/corpus/sky/train", "data/corpus-fotaq/fotaq/train"]
                             + base.parquetDirs.dropFirst())
    }

    /// The default's recipe with the same data change: the data is all that differs.
    func testFotaqLongRecipeChangesOnlyTheData() throws {
        let defaultRecipe = try recipe(Self.defaultRecipePath)
        assertDataChange(try recipe("configs/steermoe-smollm2-mixed-fotaq-real2-ctc-mlp-speed-long-lora-all.yaml"),
                         of: defaultRecipe,
                         parquetDirs: ["data/corpus/sky/train", "data/corpus/sky/train", "data/corpus-fotaq/fotaq/train"]
                             + defaultRecipe.parquetDirs.dropFirst())
    }

    /// The second schedule from the bundled default: its recipe and LoRA settings, started from its weights at half
    /// the learning rates over 1,000 steps (warmup 50, seed 8), with the same data change as the recipe above.
    func testDefaultCycleFromTheDefaultHalvesTheRatesAndAddsFotaq() throws {
        let defaultRecipe = try recipe(Self.defaultRecipePath)
        let cycle = try recipe("configs/default-cycle2-fotaq.yaml")
        XCTAssertEqual(cycle.initAdapter, "checkpoints/cpu-smollm2-mixed-trim-mlp-lora")
        XCTAssertEqual(cycle.parquetDirs, ["data/corpus/sky/train", "data/corpus/sky/train", "data/corpus-fotaq/fotaq/train"]
                           + defaultRecipe.parquetDirs.dropFirst())
        assertSameOnceSetBack(cycle, as: defaultRecipe) {
            XCTAssertEqual($0.learningRate * 2, defaultRecipe.learningRate)
            XCTAssertEqual($0.steeringLearningRate * 2, defaultRecipe.steeringLearningRate)
            XCTAssertEqual($0.routerLearningRate * 2, defaultRecipe.routerLearningRate)
            XCTAssertEqual($0.loraLearningRate * 2, defaultRecipe.loraLearningRate)
            $0.learningRate = defaultRecipe.learningRate
            $0.steeringLearningRate = defaultRecipe.steeringLearningRate
            $0.routerLearningRate = defaultRecipe.routerLearningRate
            $0.loraLearningRate = defaultRecipe.loraLearningRate
            $0.initAdapter = nil
            $0.parquetDirs = defaultRecipe.parquetDirs
            ($0.maxSteps, $0.warmupSteps, $0.seed) = (defaultRecipe.maxSteps, defaultRecipe.warmupSteps, defaultRecipe.seed)
        }
        XCTAssertEqual(cycle.maxSteps, 1000)
        XCTAssertEqual(cycle.warmupSteps, 50)
    }

    /// The quickstart's short run is the real-speech recipe with the bundled default's model (MLP projector,
    /// LoRA on the LLM) and its own budget; everything else as configs/steermoe-smollm2-sky-ctc.yaml.
    func testQuickstartRecipeIsTheDefaultsModelOnTheRealSpeechRecipe() throws {
        let quickstart = try recipe("configs/quickstart.yaml")
        let defaultRecipe = try recipe(Self.defaultRecipePath)
        let realSpeech = try recipe("configs/steermoe-smollm2-sky-ctc.yaml")
        XCTAssertEqual(quickstart.model, defaultRecipe.model)
        XCTAssertEqual(quickstart.loraLearningRate, defaultRecipe.loraLearningRate)
        XCTAssertEqual(quickstart.outputDir, "runs/quickstart")
        XCTAssertEqual([quickstart.maxSteps, quickstart.evalSteps, quickstart.saveSteps] as [Int?], [150, 150, 150])
        assertSameOnceSetBack(quickstart, as: realSpeech, "configs/quickstart.yaml") {
            $0.model = realSpeech.model
            $0.loraLearningRate = realSpeech.loraLearningRate
            ($0.maxSteps, $0.evalSteps, $0.saveSteps) = (realSpeech.maxSteps, realSpeech.evalSteps, realSpeech.saveSteps)
        }
    }

    /// Each bundled checkpoint's config is the recipe that trained it.
    func testBundledCheckpointsMatchTheirRecipes() throws {
        // The default (since 2026-11-29) is a second schedule from the LoRA adapter trained on the CPU (the default
        // before it) with a second game's speech added; their checks are below.
        let bundled = try recipe("checkpoints/cpu-smollm2-mixed-trim-mlp-lora/config.yaml")
        XCTAssertEqual(bundled.model.ctcWeight, 0.5)
        // The GPU mixed-data adapter (the default before it) was trained on a GPU by the MLP recipe on the
        // padded window (pad30_cut, speed perturbation, step 2,250 of 2,500) with the synthetic train splits
        // beside the real ones; the same recipe on real speech only (the default before that), the faster
        // CPU-trained adapters of that recipe on trimmed audio, and the earlier GPU default, stay next to it.
        let gpuMixed = try recipe("checkpoints/gpu-smollm2-mixed-pad30cut-mlp/config.yaml")
        let mixedRecipe = try recipe("configs/gpu/steermoe-smollm2-mixed-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(gpuMixed.model.audioPadding, .pad30Cut)
        XCTAssertEqual(gpuMixed.model.projector, .mlp)
        XCTAssertEqual(gpuMixed.model, mixedRecipe.model)
        XCTAssertEqual(gpuMixed.parquetDirs, mixedRecipe.parquetDirs)
        XCTAssertEqual(gpuMixed.maxSteps, mixedRecipe.maxSteps)
        XCTAssertEqual(gpuMixed.augmentation, mixedRecipe.augmentation)
        XCTAssertEqual(gpuMixed.augmentation.speedFactors, [0.9, 1.0, 1.1])
        XCTAssertEqual(gpuMixed.ctcDecodingWeight, mixedRecipe.ctcDecodingWeight, "it decodes as its recipe")
        XCTAssertEqual(gpuMixed.numBeams, mixedRecipe.numBeams)
        XCTAssertEqual(gpuMixed.ctcLengthBonus, mixedRecipe.ctcLengthBonus)
        let mlpRecipe = try recipe("configs/gpu/steermoe-smollm2-sky-ctc-pad30cut-speed-mlp.yaml")
        let realOnly = try recipe("checkpoints/gpu-smollm2-pad30cut-mlp/config.yaml")
        XCTAssertEqual(realOnly.model, mlpRecipe.model)
        XCTAssertEqual(realOnly.parquetDirs, ["data/corpus/sky/train"])
        XCTAssertEqual(realOnly.augmentation, mlpRecipe.augmentation)
        XCTAssertEqual(realOnly.numBeams, mlpRecipe.numBeams)
        let longCPU = try recipe("configs/steermoe-smollm2-sky-ctc-mlp-speed-long.yaml")
        let fast = try recipe("checkpoints/cpu-smollm2-trim-mlp/config.yaml")
        XCTAssertEqual(fast.model.audioPadding, .trim)
        XCTAssertEqual(fast.model, longCPU.model)
        XCTAssertEqual(fast.maxSteps, longCPU.maxSteps)
        XCTAssertEqual(fast.augmentation, longCPU.augmentation)
        XCTAssertEqual(fast.numBeams, longCPU.numBeams)
        // The fast CPU adapter since 2026-11-28: that recipe on the real + synthetic train splits.
        let mixedLongCPU = try recipe("configs/steermoe-smollm2-mixed-ctc-mlp-speed-long.yaml")
        let fastMixed = try recipe("checkpoints/cpu-smollm2-mixed-trim-mlp/config.yaml")
        XCTAssertEqual(fastMixed.model, longCPU.model)
        XCTAssertEqual(fastMixed.model, mixedLongCPU.model)
        XCTAssertEqual(fastMixed.parquetDirs, mixedLongCPU.parquetDirs)
        XCTAssertEqual(fastMixed.parquetDirs.count, 3)
        XCTAssertEqual(fastMixed.maxSteps, longCPU.maxSteps)
        XCTAssertEqual(fastMixed.augmentation, longCPU.augmentation)
        XCTAssertEqual(fastMixed.numBeams, mixedLongCPU.numBeams)
        XCTAssertEqual(fastMixed.ctcDecodingWeight, mixedLongCPU.ctcDecodingWeight)
        XCTAssertEqual(fastMixed.ctcLengthBonus, mixedLongCPU.ctcLengthBonus)
        // The default of 2026-11-28: that recipe with rank-8 LoRA on all seven projections of the LLM.
        let loraLongCPU = try recipe(Self.defaultRecipePath)
        // Its saved config is the recipe's, key for key, but for the `--threads 2` it was run with
        // (testLoRARecipesAddOnlyLoRA: the recipe is the fast adapter's plus LoRA only).
        var asRecipe = bundled
        asRecipe.threads = loraLongCPU.threads
        XCTAssertEqual(asRecipe, loraLongCPU)
        XCTAssertEqual(bundled.model.loraRank, 8)
        XCTAssertEqual(bundled.model.loraTargets.count, 7)
        // The bundled default: its second schedule (configs/default-cycle2-fotaq.yaml, run with `--threads 1`),
        // started from that adapter, which is where the recipe says.
        let cycleRecipe = try recipe("configs/default-cycle2-fotaq.yaml")
        var defaultAsRecipe = try recipe("checkpoints/default/config.yaml")
        defaultAsRecipe.threads = cycleRecipe.threads
        XCTAssertEqual(defaultAsRecipe, cycleRecipe)
        // testDefaultCycleFromTheDefaultHalvesTheRatesAndAddsFotaq checks which folder the recipe names; it must be bundled.
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.repoRoot + "/" + cycleRecipe.initAdapter! + "/adapter.safetensors"))
        XCTAssertEqual(cycleRecipe.model, loraLongCPU.model)
        let gpuDefault = try recipe("checkpoints/gpu-smollm2-pad30cut-speed/config.yaml")
        let gpuRecipe = try recipe("configs/gpu/steermoe-smollm2-sky-ctc-pad30cut-speed-long.yaml")
        XCTAssertEqual(gpuDefault.model, gpuRecipe.model)
        XCTAssertEqual(gpuDefault.model.audioPadding, .pad30Cut)
        XCTAssertEqual(gpuDefault.augmentation, gpuRecipe.augmentation)
        // The second schedule starts from the GPU default: same model, and the folder it names is there.
        let cycle2 = try recipe("configs/gpu/steermoe-smollm2-sky-ctc-pad30cut-speed-cycle2.yaml")
        XCTAssertEqual(cycle2.initAdapter, "checkpoints/gpu-smollm2-pad30cut-speed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.repoRoot + "/" + cycle2.initAdapter! + "/adapter.safetensors"))
        XCTAssertEqual(cycle2.model, gpuDefault.model)
        XCTAssertEqual(cycle2.augmentation, gpuDefault.augmentation)
        XCTAssertNil(longCPU.initAdapter)
        // The Qwen2.5 adapter is the default's recipe with Qwen2.5 as the LLM (GPU, step 2,250 of 2,500).
        let qwen = try recipe("checkpoints/gpu-qwen25-pad30cut-mlp/config.yaml")
        let qwenRecipe = try recipe("configs/gpu/steermoe-qwen25-sky-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(qwen.model, qwenRecipe.model)
        XCTAssertEqual(qwen.llmPath, "models/qwen2.5-coder-0.5b-instruct")
        XCTAssertEqual(qwen.augmentation, qwenRecipe.augmentation)
        XCTAssertEqual(qwen.numBeams, qwenRecipe.numBeams)
        XCTAssertEqual(qwen.ctcDecodingWeight, qwenRecipe.ctcDecodingWeight)
        XCTAssertEqual(qwen.ctcLengthBonus, qwenRecipe.ctcLengthBonus)
    }

    /// `variant` is `base` trained in bf16: same schedule, seed, augmentation and decoding, its own
    /// output folder (the caller compares the models, which a linear baseline changes on purpose).
    func assertBf16Copy(_ variant: TrainingConfig, of base: TrainingConfig, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(base.bf16, file: file, line: line)
        XCTAssertTrue(variant.bf16, file: file, line: line)
        XCTAssertNotEqual(variant.outputDir, base.outputDir, file: file, line: line)
        XCTAssertEqual(variant.maxSteps, base.maxSteps, file: file, line: line)
        XCTAssertEqual(variant.seed, base.seed, file: file, line: line)
        XCTAssertEqual(variant.augmentation, base.augmentation, file: file, line: line)
        XCTAssertEqual(variant.numBeams, base.numBeams, file: file, line: line)
    }

    /// `variant` is `base` trained on other data: `parquetDirs` and its own output folder, every other
    /// setting (model, schedule, seed, augmentation, decoding, evaluation) the same.
    func assertDataChange(_ variant: TrainingConfig, of base: TrainingConfig, parquetDirs: [String],
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(variant.parquetDirs, parquetDirs, file: file, line: line)
        assertSameOnceSetBack(variant, as: base, file: file, line: line) { $0.parquetDirs = base.parquetDirs }
    }

    /// `variant` has its own output folder and equals `base` in every setting once `setBack` undoes
    /// its intended change (and the folder is set back).
    func assertSameOnceSetBack(_ variant: TrainingConfig, as base: TrainingConfig, _ name: String = "",
                               file: StaticString = #filePath, line: UInt = #line, _ setBack: (inout TrainingConfig) -> Void) {
        XCTAssertNotEqual(variant.outputDir, base.outputDir, name, file: file, line: line)
        var undone = variant
        setBack(&undone)
        undone.outputDir = base.outputDir
        XCTAssertEqual(undone, base, name, file: file, line: line)
    }

    /// `variant` is `base` with one model option changed from `original` to `changed`: same schedule
    /// and decoding, its own output folder, and the same model once that option is set back.
    func assertOneModelChange<Value: Equatable>(_ variant: TrainingConfig, of base: TrainingConfig,
                                                _ option: WritableKeyPath<SteerMoEOptions, Value>,
                                                from original: Value, to changed: Value,
                                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(base.model[keyPath: option], original, file: file, line: line)
        XCTAssertEqual(variant.model[keyPath: option], changed, file: file, line: line)
        XCTAssertNotEqual(variant.outputDir, base.outputDir, file: file, line: line)
        XCTAssertEqual(variant.maxSteps, base.maxSteps, file: file, line: line)
        XCTAssertEqual(variant.numBeams, base.numBeams, file: file, line: line)
        var setBack = variant.model
        setBack[keyPath: option] = original
        XCTAssertEqual(setBack, base.model, file: file, line: line)
    }

    /// Recipes documented as "X with one change" differ from X only there (docs/results.md compares them).
    func testRecipeVariantsDifferOnlyWhereDocumented() throws {
        let mlpRecipe = try recipe("configs/gpu/steermoe-smollm2-sky-ctc-pad30cut-speed-mlp.yaml")
        let gpuRecipe = try recipe("configs/gpu/steermoe-smollm2-sky-ctc-pad30cut-speed-long.yaml")
        let longCPU = try recipe("configs/steermoe-smollm2-sky-ctc-mlp-speed-long.yaml")
        // The long CPU recipe is the GPU MLP recipe on trimmed audio without CUDA.
        var gpuMLP = mlpRecipe
        gpuMLP.model.audioPadding = .trim
        XCTAssertEqual(gpuMLP.model, longCPU.model)
        XCTAssertEqual(gpuMLP.augmentation, longCPU.augmentation)
        XCTAssertEqual(gpuMLP.maxSteps, longCPU.maxSteps)
        XCTAssertEqual(longCPU.device, "cpu")
        // The MLP-projector pair: the default's recipe with projector: mlp, and its linear baseline.
        var mlpLinear = try recipe("configs/gpu/linear-smollm2-sky-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(mlpRecipe.model.projector, .mlp)
        XCTAssertEqual(mlpLinear.model.mode, .linear)
        var asDefault = mlpRecipe.model
        asDefault.projector = .linear
        XCTAssertEqual(asDefault, gpuRecipe.model, "one change from the GPU default's recipe")
        mlpLinear.model.mode = .steering
        XCTAssertEqual(mlpLinear.model, mlpRecipe.model)
        XCTAssertEqual(mlpLinear.augmentation, mlpRecipe.augmentation)
        XCTAssertEqual(mlpRecipe.maxSteps, gpuRecipe.maxSteps)
        // The bf16 CPU recipe is the 1,000-step CPU MLP recipe with bf16 autocast on.
        let cpuMLP = try recipe("configs/steermoe-smollm2-sky-ctc-mlp.yaml")
        let cpuMLPbf16 = try recipe("configs/steermoe-smollm2-sky-ctc-mlp-bf16.yaml")
        assertBf16Copy(cpuMLPbf16, of: cpuMLP)
        XCTAssertEqual(cpuMLPbf16.model, cpuMLP.model)
        // The long CPU recipe in bf16, and its linear baseline: bf16 on, output folders apart, nothing else.
        let longBf16 = try recipe("configs/steermoe-smollm2-sky-ctc-mlp-speed-long-bf16.yaml")
        var longBf16Linear = try recipe("configs/linear-smollm2-sky-ctc-mlp-speed-long-bf16.yaml")
        assertBf16Copy(longBf16, of: longCPU)
        assertBf16Copy(longBf16Linear, of: longCPU)
        XCTAssertEqual(longBf16Linear.model.mode, .linear)
        XCTAssertNotEqual(longBf16.outputDir, longBf16Linear.outputDir)
        XCTAssertEqual(longBf16.model, longCPU.model)
        longBf16Linear.model.mode = .steering
        XCTAssertEqual(longBf16Linear.model, longCPU.model)
        // One-change variants of the two bf16 recipes: SpecAugment on the long schedule, pooling over 2 frames.
        let longSpec = try recipe("configs/steermoe-smollm2-sky-ctc-mlp-speed-long-specaug-bf16.yaml")
        XCTAssertEqual(longSpec.model, longBf16.model)
        XCTAssertEqual(longSpec.augmentation.speedFactors, longBf16.augmentation.speedFactors)
        XCTAssertEqual([longSpec.augmentation.freqMasks, longSpec.augmentation.freqWidth, longSpec.augmentation.timeMasks], [2, 15, 2])
        XCTAssertEqual(longSpec.augmentation.timeWidth, 0.05)
        XCTAssertEqual([longSpec.maxSteps, longSpec.numBeams], [longBf16.maxSteps, longBf16.numBeams])
        XCTAssertNotEqual(longSpec.outputDir, longBf16.outputDir)
        assertOneModelChange(try recipe("configs/steermoe-smollm2-sky-ctc-mlp-bf16-pool2.yaml"), of: cpuMLPbf16,
                             \.poolingKernel, from: 4, to: 2)
        assertOneModelChange(try recipe("configs/steermoe-smollm2-sky-ctc-mlp-bf16-balance.yaml"), of: cpuMLPbf16,
                             \.loadBalancingWeight, from: 0, to: 0.1)
        assertOneModelChange(try recipe("configs/steermoe-smollm2-sky-ctc-mlp-bf16-one-expert.yaml"), of: cpuMLPbf16,
                             \.numExperts, from: 8, to: 1)
        for (suffix, weight) in [("01", 0.1), ("025", 0.25), ("1", 1.0), ("2", 2.0)] {
            assertOneModelChange(try recipe("configs/steermoe-smollm2-sky-ctc-mlp-bf16-ctc\(suffix).yaml"), of: cpuMLPbf16,
                                 \.ctcWeight, from: 0.5, to: weight)
        }
        // The learning-rate variants: that one rate and the output folder, nothing else.
        let rates: [(String, TrainingConfig, WritableKeyPath<TrainingConfig, Double>, Double, Double)] = [
            ("configs/steermoe-smollm2-sky-ctc-mlp-bf16-lr2e-3.yaml", cpuMLPbf16, \.learningRate, 1e-3, 2e-3),
            ("configs/steermoe-smollm2-sky-ctc-mlp-bf16-lr5e-4.yaml", cpuMLPbf16, \.learningRate, 1e-3, 5e-4),
            ("configs/steermoe-smollm2-sky-ctc-mlp-bf16-slr3e-3.yaml", cpuMLPbf16, \.steeringLearningRate, 1e-2, 3e-3),
            ("configs/steermoe-smollm2-sky-ctc-mlp-speed-long-bf16-lr2e-3.yaml", longBf16, \.learningRate, 1e-3, 2e-3),
        ]
        for (path, base, rate, original, changed) in rates {
            var variant = try recipe(path)
            XCTAssertEqual([base[keyPath: rate], variant[keyPath: rate]], [original, changed], path)
            XCTAssertNotEqual(variant.outputDir, base.outputDir, path)
            variant[keyPath: rate] = original
            variant.outputDir = base.outputDir
            XCTAssertEqual(variant, base, path)
        }
        // The Qwen2.5 MLP pair (prepared for a GPU loan): the default's recipe with only the LLM and its
        // CTC classes changed, and its linear baseline.
        var qwenMLP = try recipe("configs/gpu/steermoe-qwen25-sky-ctc-pad30cut-speed-mlp.yaml")
        var qwenMLPLinear = try recipe("configs/gpu/linear-qwen25-sky-ctc-pad30cut-speed-mlp.yaml")
        XCTAssertEqual(qwenMLP.llmPath, "models/qwen2.5-coder-0.5b-instruct")
        XCTAssertEqual(qwenMLP.model.ctcClasses, .transcripts)
        XCTAssertEqual(qwenMLP.maxSteps, mlpRecipe.maxSteps)
        XCTAssertEqual(qwenMLP.augmentation, mlpRecipe.augmentation)
        XCTAssertNotEqual(qwenMLP.outputDir, qwenMLPLinear.outputDir)
        qwenMLPLinear.model.mode = .steering
        XCTAssertEqual(qwenMLPLinear.model, qwenMLP.model)
        qwenMLP.model.ctcClasses = mlpRecipe.model.ctcClasses
        XCTAssertEqual(qwenMLP.model, mlpRecipe.model)
        // Qwen2.5 on the long bf16 CPU recipe: only the LLM, its CTC classes and the output folder differ.
        var qwenLong = try recipe("configs/steermoe-qwen25-sky-ctc-mlp-speed-long-bf16.yaml")
        XCTAssertEqual([qwenLong.llmPath, longBf16.llmPath], ["models/qwen2.5-coder-0.5b-instruct", "models/smollm2-135m-instruct"])
        XCTAssertEqual([qwenLong.model.ctcClasses, longBf16.model.ctcClasses], [.transcripts, .vocabulary])
        XCTAssertNotEqual(qwenLong.outputDir, longBf16.outputDir)
        (qwenLong.llmPath, qwenLong.model.ctcClasses, qwenLong.outputDir) = (longBf16.llmPath, longBf16.model.ctcClasses, longBf16.outputDir)
        XCTAssertEqual(qwenLong, longBf16)
    }

    func testLoadsUpstreamLayerWiseConfigUnchanged() throws {
        let c = try TrainingConfig.load(path: upstream("upstream-layer_wise.yaml"))
        XCTAssertEqual(c.model.numExperts, 8)
        XCTAssertEqual(c.model.steeringScale, 0.1)
        XCTAssertEqual(c.steeringLearningRate, 1e-3)
        XCTAssertEqual(c.routerLearningRate, 1e-4)
        XCTAssertEqual(c.learningRate, 1e-4)
        XCTAssertEqual(c.warmupSteps, 1000, "read from training:, not the root (upstream bug)")
        XCTAssertEqual(c.weightDecay, 0.01)
        XCTAssertEqual(c.batchSize, 4)
        XCTAssertEqual(c.epochs, 320)
        XCTAssertEqual(c.parquetDirs.count, 1)
        XCTAssertEqual(c.textualPrompt, "请逐字复述音频内容为文字: ")
        XCTAssertEqual(c.model.pooling, .avg)
        XCTAssertEqual(c.model.poolingPosition, 32)
        XCTAssertEqual(c.model.maxPromptTokens, 2048)
        XCTAssertTrue(c.useEarlyStopping)
        XCTAssertEqual(c.metricForBestModel, "cer")
        XCTAssertTrue(c.bf16, "fp16 on CPU becomes bf16, with a note")
        XCTAssertTrue(c.notes.contains { $0.contains("fp16") })
        XCTAssertTrue(c.ignoredKeys.contains("training.use_deepspeed"))
    }

    func testLoadsUpstreamQwen7BConfigUnchanged() throws {
        var c = try TrainingConfig.load(path: upstream("upstream-layer_wise_whisper_qwen7b_libri_train.yaml"))
        XCTAssertEqual(c.model.numExperts, 16)
        XCTAssertEqual(c.steeringLearningRate, 1e-2)
        XCTAssertEqual(c.routerLearningRate, 1e-3)
        XCTAssertEqual(c.parquetDirs.count, 2)
        try c.resolve(encoderLayers: 6, encoderWidth: 512)
        XCTAssertNil(c.model.poolingPosition, "position 32 on a 6-layer encoder pools after the last layer")
        XCTAssertTrue(c.notes.contains { $0.contains("num_layers is 32") })
    }

    func testUnknownKeyNamesTheClosestValidOne() throws {
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "steering:\n  num_expert: 4\n", source: "x.yaml")) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains("x.yaml"), m)
            XCTAssertTrue(m.contains("'steering.num_expert'"), m)
            XCTAssertTrue(m.contains("did you mean 'steering.num_experts'"), m)
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "training:\n  batch_size: many\n")) {
            XCTAssertTrue("\($0)".contains("'training.batch_size' should be an integer"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "pooling_type: median\n")) {
            XCTAssertTrue("\($0)".contains("avg, max or none"), "\($0)")
        }
    }

    /// Values that would train silently wrong (a negative learning rate trains away from the data)
    /// or fail late (a zero logging interval) are refused at load, naming the file and key.
    func testOutOfRangeValuesAreRefusedNamingTheKey() throws {
        let bad = [
            ("training:\n  learning_rate: -1e-4\n", "'training.learning_rate' must be a number >= 0, found -0.0001"),
            ("training:\n  steering_learning_rate: .nan\n", "'training.steering_learning_rate' must be a number >= 0"),
            ("training:\n  router_learning_rate: -1\n", "'training.router_learning_rate' must be a number >= 0"),
            ("training:\n  weight_decay: -0.01\n", "'training.weight_decay' must be a number >= 0"),
            ("training:\n  warmup_steps: -5\n", "'training.warmup_steps' must be >= 0"),
            ("training:\n  gradient_clipping: 0\n", "'training.gradient_clipping' must be a number > 0"),
            ("steering:\n  steering_gradient_clip: -1\n", "'steering.steering_gradient_clip' must be a number > 0"),
            ("steering:\n  load_balancing_weight: -0.1\n", "'steering.load_balancing_weight' must be a number >= 0"),
            ("steering:\n  steering_scale: .inf\n", "'steering.steering_scale' must be a finite number"),
            ("training:\n  max_steps: 0\n", "'training.max_steps' must be positive, found 0"),
            ("training:\n  threads: 0\n", "'training.threads' must be positive"),
            ("eval_steps: 0\n", "'eval_steps' must be positive"),
            ("save_steps: -10\n", "'save_steps' must be positive"),
            ("logging_steps: 0\n", "'logging_steps' must be positive"),
            ("num_beams: 0\n", "'num_beams' must be positive"),
            ("max_new_tokens: 0\n", "'max_new_tokens' must be positive"),
            ("max_audio_length: 0\n", "'max_audio_length' must be a number > 0"),
            ("max_text_length: 1\n", "'max_text_length' must be at least 2"),
            ("max_prompt_tokens: 0\n", "'max_prompt_tokens' must be positive"),
        ]
        for (yaml, message) in bad {
            XCTAssertThrowsError(try TrainingConfig.parse(yaml: yaml, source: "x.yaml"), yaml) {
                XCTAssertTrue("\($0)".hasPrefix("x.yaml: ") && "\($0)".contains(message), "\(yaml): \($0)")
            }
        }
        // Zero is a valid learning rate (a frozen group), warmup and weight decay.
        XCTAssertNoThrow(try TrainingConfig.parse(yaml: "training:\n  router_learning_rate: 0\n  warmup_steps: 0\n  weight_decay: 0\n"))
    }

    func testKeyWrittenTwiceIsAnErrorNamingItsLines() throws {
        let yaml = "steering:\n  num_experts: 4\nspeed_perturbation: [0.9, 1.1]\nsteering:\n  num_experts: 8\n"
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: yaml, source: "x.yaml")) { error in
            XCTAssertEqual("\(error)", "x.yaml: 'steering' is set twice (lines 1 and 4); keep one")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "training:\n  seed: 1\n  batch_size: 2\n  seed: 3\n", source: "y.yaml")) {
            XCTAssertEqual("\($0)", "y.yaml: 'training.seed' is set twice (lines 2 and 4); keep one")
        }
        // The same key in two different mappings is fine.
        XCTAssertNoThrow(try TrainingConfig.parse(yaml: "training:\n  seed: 1\nspec_augment:\n  freq_masks: 1\n"))
    }

    func testEffectiveConfigRoundTrips() throws {
        let original = try TrainingConfig.parse(yaml: """
            mode: linear
            audio_padding: trim
            training:
              batch_size: 8
              lr_scheduler: cosine
              bf16: true
            parquet_dirs: [a, b]
            max_prompt_tokens: 100
            calibrate_projection: true
            ctc_weight: 0.3
            ctc_classes: transcripts
            repetition_penalty: 1.2
            no_repeat_ngram_size: 3
            length_penalty: 0.5
            ctc_decoding_weight: 0.4
            ctc_length_bonus: 0.75
            projector: mlp
            projector_hidden_size: 1024
            """)
        let again = try TrainingConfig.parse(yaml: original.effectiveYAML())
        XCTAssertEqual(again.model, original.model)
        XCTAssertEqual(again.batchSize, 8)
        XCTAssertEqual(again.lrScheduler, "cosine")
        XCTAssertEqual(again.parquetDirs, ["a", "b"])
        XCTAssertTrue(again.bf16)
        XCTAssertTrue(again.calibrateProjection)
        XCTAssertEqual(again.model.ctcWeight, 0.3)
        XCTAssertEqual(again.repetitionPenalty, 1.2)
        XCTAssertEqual(again.noRepeatNGramSize, 3)
        XCTAssertEqual(again.lengthPenalty, 0.5)
        XCTAssertEqual(again.ctcDecodingWeight, 0.4)
        XCTAssertEqual(again.ctcLengthBonus, 0.75)
        XCTAssertEqual(again.model.audioPadding, .trim)
        XCTAssertEqual(again.model.projector, .mlp)
        XCTAssertEqual(again.model.projectorHiddenSize, 1024)
        XCTAssertEqual(try TrainingConfig.parse(yaml: "mode: linear\n").model.projector, .linear, "upstream's default")
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "projector: conv\n")) {
            XCTAssertTrue("\($0)".contains("'projector' must be linear or mlp, found conv"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "projector: mlp\nprojector_hidden_size: 0\n")) {
            XCTAssertTrue("\($0)".contains("'projector_hidden_size' must be positive, found 0"), "\($0)")
        }
        XCTAssertEqual(try TrainingConfig.parse(yaml: "audio_padding: pad30_cut\n").model.audioPadding, .pad30Cut)
        XCTAssertEqual(try TrainingConfig.parse(yaml: "mode: linear\n").model.audioPadding, .pad30, "upstream's default")
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "training:\n  device: tpu\n")) {
            XCTAssertTrue("\($0)".contains("'training.device' must be cpu, cuda or cuda:N, found tpu"), "\($0)")
        }
        XCTAssertEqual(try TrainingConfig.parse(yaml: "training:\n  device: cuda:1\n").device, "cuda:1")
        let fp16 = try TrainingConfig.parse(yaml: "training:\n  device: cuda\n  fp16: true\n")
        XCTAssertTrue(fp16.fp16 && !fp16.bf16 && fp16.notes.isEmpty, "fp16 on a GPU: loss-scaled float16")
        let cpuFP16 = try TrainingConfig.parse(yaml: "training:\n  fp16: true\n")
        XCTAssertTrue(cpuFP16.bf16 && !cpuFP16.fp16, "fp16 on the CPU trains in bf16")
        XCTAssertTrue(cpuFP16.notes.contains { $0.contains("training.fp16 is true on the CPU") })
        if (try? Torch.loadCUDA()) == nil || Torch.cudaDeviceCount < 8 {
            XCTAssertThrowsError(try DeviceSetting.resolve("cuda:7", setting: "training.device")) {
                XCTAssertTrue("\($0)".contains("training.device 'cuda:7'"), "\($0)")
            }
        }
        XCTAssertEqual(try DeviceSetting.resolve("cpu", setting: "--device"), .cpu)
        XCTAssertThrowsError(try DeviceSetting.parse("gpu", setting: "--device")) {
            XCTAssertEqual("\($0)", "--device must be cpu, cuda or cuda:N, found gpu")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "audio_padding: cut\n")) {
            XCTAssertTrue("\($0)".contains("'audio_padding' must be pad30, pad30_cut or trim, found cut"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "ctc_weight: 0.5\nctc_length_bonus: 1\n")) {
            XCTAssertTrue("\($0)".contains("'ctc_length_bonus' applies to joint CTC decoding only"), "\($0)")
        }
        XCTAssertEqual(try TrainingConfig.parse(yaml: "mode: linear\n").ctcDecodingWeight, 0, "off unless asked")
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "ctc_weight: 0.5\nctc_decoding_weight: 1.5\n")) {
            XCTAssertTrue("\($0)".contains("'ctc_decoding_weight' must be within 0...1, found 1.5"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "ctc_decoding_weight: 0.5\n")) {
            XCTAssertTrue("\($0)".contains("needs the audio-token CTC of training ('ctc_weight' > 0)"), "\($0)")
        }
        XCTAssertEqual(try TrainingConfig.parse(yaml: "mode: linear\n").lengthPenalty, 1, "HF's default")
        XCTAssertEqual(again.model.ctcClasses, .transcripts)
        XCTAssertEqual(try TrainingConfig.parse(yaml: "ctc_weight: 0.3\n").model.ctcClasses, .vocabulary)
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "ctc_classes: train\n")) {
            XCTAssertTrue("\($0)".contains("'ctc_classes' must be vocabulary or transcripts, found train"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "ctc_weight: -1\n")) {
            XCTAssertTrue("\($0)".contains("'ctc_weight' must be >= 0"), "\($0)")
        }
    }

    func testChannelSimulationKeysLoadRoundTripAndAreValidated() throws {
        let c = try TrainingConfig.parse(yaml: "channel_simulation: {sample_rate: 11025, bits: 8, probability: 0.5}\n")
        let expected = Augmentation.Channel(sampleRate: 11025, bits: 8, probability: 0.5)
        XCTAssertEqual(c.augmentation.channel, expected)
        XCTAssertEqual(try TrainingConfig.parse(yaml: c.effectiveYAML()).augmentation.channel, expected)
        XCTAssertEqual(try TrainingConfig.parse(yaml: "channel_simulation: {bits: 8}\n").augmentation.channel,
                       Augmentation.Channel(bits: 8, probability: 1), "probability 1 unless set")
        let leveled = try TrainingConfig.parse(yaml: "channel_simulation: {bits: 8, level_dbfs: [-15, -10]}\n")
        XCTAssertEqual(leveled.augmentation.channel?.levelDBFS, -15 ... -10)
        XCTAssertEqual(try TrainingConfig.parse(yaml: leveled.effectiveYAML()).augmentation.channel, leveled.augmentation.channel)
        XCTAssertEqual(try TrainingConfig.parse(yaml: "channel_simulation: {level_dbfs: -12}\n").augmentation.channel?.levelDBFS,
                       -12 ... -12, "one level")
        // Unset, the effective config writes nulls that read back as no channel (and as no change
        // against the configs of runs made before the key existed).
        XCTAssertNil(try TrainingConfig.parse(yaml: TrainingConfig().effectiveYAML()).augmentation.channel)
        XCTAssertEqual(try TrainingConfig.changedSettings(from: "mode: linear\n",
                                                          to: TrainingConfig.parse(yaml: "mode: linear\n").effectiveYAML())
                        .filter { $0.hasPrefix("channel") }, [])
        for (yaml, message) in [
            ("channel_simulation: {sample_rate: 16000}", "'channel_simulation.sample_rate' must be within 1000..<16000 Hz"),
            ("channel_simulation: {bits: 1}", "'channel_simulation.bits' must be within 2...24, found 1"),
            ("channel_simulation: {bits: 8, probability: 2}", "'channel_simulation.probability' must be within 0...1, found 2"),
            ("channel_simulation: {probability: 0.5}", "'channel_simulation' needs 'sample_rate', 'bits' or 'level_dbfs'"),
            ("channel_simulation: {level_dbfs: [-5, 3]}", "'channel_simulation.level_dbfs' must be one level or a range [low, high] in dB at or below 0 (full scale), found [-5, 3]"),
            ("channel_simulation: {level_dbfs: [-10, -15]}", "found [-10, -15]"),
            ("channel_simulation: {level_dbfs: [-20, -15, -10]}", "found [-20, -15, -10]"),
            ("channel_simulation: {rate: 8000}", "unknown key 'channel_simulation.rate'"),
        ] {
            XCTAssertThrowsError(try TrainingConfig.parse(yaml: yaml + "\n"), yaml) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
    }

    func testAugmentationKeysLoadRoundTripAndAreValidated() throws {
        let c = try TrainingConfig.parse(yaml: """
            speed_perturbation: [0.9, 1.0, 1.1]
            spec_augment: {freq_masks: 2, freq_width: 15, time_masks: 2, time_width: 0.05}
            """)
        let expected = Augmentation(speedFactors: [0.9, 1.0, 1.1], freqMasks: 2, freqWidth: 15, timeMasks: 2, timeWidth: 0.05)
        XCTAssertEqual(c.augmentation, expected)
        XCTAssertEqual(try TrainingConfig.parse(yaml: c.effectiveYAML()).augmentation, expected)
        XCTAssertFalse(try TrainingConfig.parse(yaml: "mode: linear\n").augmentation.isEnabled, "off unless asked")
        XCTAssertFalse(try TrainingConfig.parse(yaml: TrainingConfig().effectiveYAML()).augmentation.isEnabled)
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "speed_perturbation: [0.9, 3]\n")) {
            XCTAssertTrue("\($0)".contains("'speed_perturbation' factors must be within 0.5...2, found 3"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "speed_perturbation: [fast]\n")) {
            XCTAssertTrue("\($0)".contains("'speed_perturbation' should list numbers, found fast"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "spec_augment: {time_width: 1.5}\n")) {
            XCTAssertTrue("\($0)".contains("'spec_augment.time_width' is a fraction of the clip"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "spec_augment: {freq_masks: -1}\n")) {
            XCTAssertTrue("\($0)".contains("'spec_augment.freq_masks' must be >= 0"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.parse(yaml: "spec_augment: {freq_mask: 2}\n")) {
            XCTAssertTrue("\($0)".contains("did you mean 'spec_augment.freq_masks'"), "\($0)")
        }
    }

    /// bf16 on a CPU without AMX gets a note in the run log (measured slower than float32 there).
    func testBf16NoteNamesCPUsWithoutAMX() {
        let avx512 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\nflags\t\t: ignored\n"
        XCTAssertEqual(CPUMatrixUnits.flags(cpuinfo: avx512), ["fpu", "sse2", "avx2", "avx512f", "avx512_bf16", "avx512_vnni"])
        XCTAssertTrue(CPUMatrixUnits.bf16Note(cpuinfo: avx512)?.contains("AVX512-BF16 but no AMX") == true)
        XCTAssertTrue(CPUMatrixUnits.bf16Note(cpuinfo: "flags\t: sse2 avx2\n")?.contains("neither AMX nor AVX512-BF16") == true)
        XCTAssertNil(CPUMatrixUnits.bf16Note(cpuinfo: "flags\t: avx512_bf16 amx_tile amx_bf16\n"), "AMX: no note")
        XCTAssertNil(CPUMatrixUnits.bf16Note(cpuinfo: nil), "no /proc/cpuinfo (macOS): no note")
        XCTAssertNil(CPUMatrixUnits.bf16Note(cpuinfo: "processor\t: 0\n"), "no flags line: no note")
    }
}
