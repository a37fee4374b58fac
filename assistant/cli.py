"""Command line: `assistant check | bench` (serve, ingest, search and draft come with their issues)."""
from __future__ import annotations

import argparse
import json
import sys

from .parse import FORMS, ParseError, ReadError
from .scoring import RuleSetError

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant", description="绩效自评报告起草助手")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="检查一份报告：计算资金、指标、评分并列出问题")
    c.add_argument("file", help="报告文件：.txt .md .json .docx .xlsx，或粘贴内容的文本文件")
    c.add_argument("--json", action="store_true", help="输出 JSON（契约见 DESIGN.md）")
    c.add_argument("--form", default="auto", choices=("auto", *FORMS), help="报告格式，默认自动识别")
    c.add_argument("--rules", default=None, help="单位细化的评分规则 YAML 文件")
    b = sub.add_parser("bench", help="性能基准")
    b.add_argument("target", nargs="?", default="core", choices=("core",))
    b.add_argument("--json", action="store_true")
    b.add_argument("--repeat", type=int, default=20)
    return p


def _error(message: str) -> None:
    print(f"错误：{message}", file=sys.stderr)


def _check(args) -> int:
    from .contract import check_json
    from .core import check_file
    from .render.check_summary import summary_text

    try:
        result = check_file(args.file, args.form, args.rules)
    except (ReadError, ParseError, RuleSetError) as exc:
        _error(str(exc).splitlines()[0])
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps(check_json(result), ensure_ascii=False, indent=2))
    else:
        print(summary_text(result))
    return EXIT_OK


def _bench(args) -> int:
    from .bench import bench_core, print_record

    if args.target == "core":
        print_record(bench_core(repeat=max(1, args.repeat)), args.json)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "bench":
            return _bench(args)
    except KeyboardInterrupt:
        _error("已中断")
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _error(f"内部错误（{type(exc).__name__}）：{str(exc).splitlines()[0] if str(exc) else ''}")
        return EXIT_FAILED
    return EXIT_FAILED
