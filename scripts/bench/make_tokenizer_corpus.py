#!/usr/bin/env python3
"""Writes the benchmark corpus for scripts/bench/tokenizer: about `megabytes` MB of mixed
English / Chinese lines, deterministic (seeded). English is real prose and code from the
Python standard library's docstrings and sources (PSF license); Chinese lines are shuffled
clauses of the sentences below, with numbers, so neither side can rely on one repeated line."""
import inspect
import random
import sys
import sysconfig
from pathlib import Path

CHINESE = [
    "今天天气很好", "我们去公园散步吧", "机器学习是人工智能的一个重要分支", "语音识别模型把声音转换成文字",
    "他说明天见然后就走了", "这个模型由编码器和解码器两部分组成", "我喜欢在周末读书喝茶和听音乐",
    "北京是中国的首都", "上海是最大的城市", "请把这段话翻译成英文", "数据集包含一万两千三百小时的语音",
    "学而时习之不亦说乎", "有朋自远方来不亦乐乎", "训练过程中损失函数逐渐下降", "模型在测试集上的准确率很高",
    "研究人员发布了新的开源工具", "会议将于下午三点开始", "请注意安全", "这是一个非常有趣的问题",
]
PUNCTUATION = ["，", "。", "！", "？", "；", "、"]


def english_lines():
    lib = Path(sysconfig.get_paths()["stdlib"])
    lines = []
    for name in sorted(["argparse.py", "collections/__init__.py", "json/decoder.py", "logging/__init__.py",
                        "pathlib/_local.py", "pathlib.py", "textwrap.py", "unittest/case.py", "random.py",
                        "inspect.py", "typing.py", "dataclasses.py", "difflib.py", "email/message.py"]):
        path = lib / name
        if path.exists():
            lines += [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return lines


def chinese_line(rng):
    parts = []
    for _ in range(rng.randint(2, 6)):
        parts.append(rng.choice(CHINESE))
        if rng.random() < 0.3:
            parts.append(str(rng.randint(1, 2025)))
        parts.append(rng.choice(PUNCTUATION))
    return "".join(parts)


def main():
    out, megabytes = sys.argv[1], float(sys.argv[2])
    rng = random.Random(20241125)
    english = english_lines()
    target = int(megabytes * 1_000_000)
    lines, size = [], 0
    while size < target:
        if rng.random() < 0.7:
            start = rng.randrange(len(english))
            line = " ".join(s.strip() for s in english[start:start + rng.randint(1, 4)])
        else:
            line = chinese_line(rng)
        if rng.random() < 0.15:  # mixed lines, as in transcripts mentioning English names
            line += " " + chinese_line(rng)
        lines.append(line)
        size += len(line.encode()) + 1
    Path(out).write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
