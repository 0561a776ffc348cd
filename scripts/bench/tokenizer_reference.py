#!/usr/bin/env python3
"""HF `tokenizers` side of scripts/bench/tokenizer: times encoding the corpus, one line per
document, with encode_batch (mode "batch") or a loop of encode (mode "single").
Run with RAYON_NUM_THREADS=1 so the comparison is one thread against one thread.
Prints: seconds=<encode time> ids=<total ids> checksum=<hash of all ids> bytes=<corpus bytes>"""
import sys
import time

from tokenizers import Tokenizer


def main():
    folder, corpus_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    tokenizer = Tokenizer.from_file(f"{folder}/tokenizer.json")
    with open(corpus_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = time.perf_counter()
    if mode == "batch":
        encodings = tokenizer.encode_batch(lines, add_special_tokens=False)
    else:
        encodings = [tokenizer.encode(line, add_special_tokens=False) for line in lines]
    seconds = time.perf_counter() - start
    total = sum(len(e.ids) for e in encodings)
    checksum = 0
    for encoding in encodings:  # same rolling hash as Sources/tokenizer-bench/main.swift
        for token_id in encoding.ids:
            checksum = (checksum * 1_000_003 + token_id + 1) & 0xFFFF_FFFF_FFFF_FFFF
    print(f"seconds={seconds} ids={total} checksum={checksum} bytes={sum(len(l.encode()) for l in lines)}")


if __name__ == "__main__":
    main()
