// SpeechData: the data pipeline of steermoe-swift (sits on CAudio and CArrow; see Package.swift).
//
// Flow, and the types a caller meets on the way:
//
//   parquet_dirs ──SourceResolver──▶ [DataFile]            folders (recursive *.parquet,
//                                                            save_to_disk arrow), .jsonl manifests
//   DatasetIndex.build(paths:filter:textLength:skipReport:) reads every row once (in parallel),
//        drops bad / too long / empty rows (counted, written to skipped.jsonl), keeps IndexEntry
//   DataLoader(index:options:transform:).batches(epoch:from:) plans batches from (seed, epoch),
//        decodes them ahead on worker threads, runs `transform` (e.g. log-mel) there
//   inspect(paths:) summarises sources for `steermoe data inspect`
//
// Writing: Audio.encode (16-bit FLAC/WAV bytes) + ParquetShardWriter / ShardedParquetWriter
// produce parquet that pyarrow and `datasets` read like the hub's LibriSpeech shards.
