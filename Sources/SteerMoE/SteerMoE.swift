// SteerMoE: models (Whisper, decoder LLMs), features, generation and training.
