import Foundation
import Yams

extension TrainingConfig {
    /// The configuration as it takes effect (defaults filled in, upstream layout), for the
    /// output folder, so a run can be reproduced from `effective_config.yaml` alone.
    public func effectiveYAML() throws -> String {
        func opt<T>(_ v: T?) -> Any { v.map { $0 as Any } ?? NSNull() }
        let tree: [String: Any] = [
            "whisper_encoder": ["model_path": whisperPath],
            "llm_decoder": ["model_name": llmPath],
            "mode": model.mode.rawValue,
            "steering": [
                "num_experts": model.numExperts, "steering_scale": model.steeringScale,
                "use_layer_scales": model.useLayerScales, "use_gradient_clipping": useSteeringGradientClipping,
                "steering_gradient_clip": steeringGradientClip, "load_balancing_weight": model.loadBalancingWeight,
            ],
            "training": [
                "output_dir": outputDir, "logging_dir": opt(loggingDir), "batch_size": batchSize,
                "eval_batch_size": evalBatchSize, "epochs": epochs, "max_steps": opt(maxSteps),
                "learning_rate": learningRate, "steering_learning_rate": steeringLearningRate,
                "router_learning_rate": routerLearningRate, "lora_learning_rate": loraLearningRate, "weight_decay": weightDecay, "warmup_steps": warmupSteps,
                "lr_scheduler": lrScheduler, "gradient_clipping": gradientClipping,
                "gradient_accumulation_steps": gradientAccumulationSteps, "fp16": fp16, "bf16": bf16,
                "gradient_checkpointing": gradientCheckpointing, "seed": Int(seed), "threads": opt(threads),
                "device": device, "num_workers": numWorkers,
                "max_consecutive_nonfinite_steps": maxConsecutiveNonFiniteSteps, "init_adapter": opt(initAdapter),
            ],
            "parquet_dirs": parquetDirs, "eval_parquet_dirs": evalParquetDirs,
            "audio_column": audioColumn, "text_column": textColumn, "sample_rate": sampleRate,
            "max_audio_length": maxAudioLength, "max_text_length": maxTextLength, "filter_dataset": filterDataset,
            "bucket_by_length": bucketByLength, "calibrate_projection": calibrateProjection, "ctc_weight": model.ctcWeight,
            "ctc_classes": model.ctcClasses.rawValue, "max_eval_samples": opt(maxEvalSamples),
            "audio_padding": model.audioPadding.rawValue,
            "projector": model.projector.rawValue, "projector_hidden_size": model.projectorHiddenSize,
            "lora": ["rank": model.loraRank, "alpha": opt(model.loraAlpha), "targets": model.loraTargets],
            "speed_perturbation": augmentation.speedFactors,
            "spec_augment": [
                "freq_masks": augmentation.freqMasks, "freq_width": augmentation.freqWidth,
                "time_masks": augmentation.timeMasks, "time_width": augmentation.timeWidth,
            ],
            "channel_simulation": [
                "sample_rate": opt(augmentation.channel?.sampleRate), "bits": opt(augmentation.channel?.bits),
                "probability": opt(augmentation.channel?.probability),
                "level_dbfs": opt(augmentation.channel?.levelDBFS.map { [$0.lowerBound, $0.upperBound] }),
            ],
            "textual_prompt": textualPrompt, "use_chat_template": useChatTemplate,
            "max_prompt_tokens": opt(model.maxPromptTokens),
            "save_total_limit": opt(saveTotalLimit), "logging_steps": loggingSteps, "eval_steps": opt(evalSteps),
            "save_steps": opt(saveSteps), "log_steering_analysis": logSteeringAnalysis,
            "steering_log_interval": steeringLogInterval, "use_early_stopping": useEarlyStopping,
            "early_stopping_patience": earlyStoppingPatience, "metric_for_best_model": metricForBestModel,
            "greater_is_better": greaterIsBetter, "load_best_model_at_end": loadBestModelAtEnd,
            "pooling_kernel_size": model.poolingKernel, "pooling_position": opt(model.poolingPosition),
            "pooling_type": model.pooling.rawValue, "num_beams": numBeams, "max_new_tokens": maxNewTokens,
            "repetition_penalty": repetitionPenalty, "no_repeat_ngram_size": noRepeatNGramSize,
            "length_penalty": lengthPenalty, "ctc_decoding_weight": ctcDecodingWeight, "ctc_length_bonus": ctcLengthBonus,
        ]
        return try Yams.dump(object: tree, sortKeys: true)
    }
}
