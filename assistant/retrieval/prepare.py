"""Reading files for the knowledge base: text, metadata, passages and BM25 tokens of each file.

Preparing a file touches no database, so a large ingest prepares files in worker processes (the
tokenizer holds the GIL) while the parent only writes to SQLite.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Iterable, Iterator

from ..core.figures import key_figures
from ..core.models import Report
from ..core.parse import ParseError, ReadError, load_document, parse_document, read_text
from ..core.parse.document import from_text
from ..core.parse.sections import split_sections
from .chunking import Passage, policy_passages, report_passages
from .metadata import DocMeta, describe, guess_kind
from .tokenize import tokens

SUFFIXES = {".txt", ".md", ".docx", ".xlsx"}
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 2_000_000  # ≈ 5k passages; below this, starting worker processes costs more than it saves


@dataclass
class PreparedFile:
    path: Path
    digest: str
    meta: DocMeta
    passages: list[Passage]
    tokens: list[str]          # space-joined BM25 tokens, one per passage
    figures: str | None        # a report's key figures as JSON


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest: the paths themselves, and supported files inside directories."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_passages(path: Path, kind: str) -> tuple[Report | None, list[Passage], DocMeta]:
    """Report (when it is one), passages and metadata of one file."""
    if path.suffix.lower() in (".txt", ".md"):
        raw = read_text(path)
        if raw.lstrip().startswith("{"):
            raise ReadError(f"{path.name} 是 JSON 数据，不是可检索的文档")
        loaded = None
    else:
        loaded = load_document(path)
        if isinstance(loaded, str):  # a .json (or a text that is JSON): data, not a document to search
            raise ReadError(f"{path.name} 是 JSON 数据，不是可检索的文档")
        raw = loaded.full_text()
    report: Report | None = None
    if kind == "report" or (kind == "auto" and guess_kind(raw, None) == "report"):
        doc = loaded if loaded is not None else from_text(raw, path.name)
        try:
            # lenient: a mistyped number cell must not keep a report's figures or narrative out
            report = parse_document(doc, lenient=True)  # type: ignore[arg-type]
        except ParseError:
            report = Report(sections=split_sections(doc.lines), text_lines=[ln.text for ln in doc.lines])  # type: ignore[union-attr]
    meta = describe(raw, path.name, report, kind)
    passages = report_passages(report) if meta.kind == "report" and report is not None else policy_passages(raw)
    if not passages:
        raise ReadError(f"{path.name} 没有可检索的文字")
    return report, passages, meta


def prepare_file(path: Path, kind: str, digest: str) -> PreparedFile | str:
    """Everything the database needs for one file, or the one-line reason it cannot be used."""
    try:
        if not path.is_file():
            raise ReadError(f"找不到文件：{path}")
        report, passages, meta = read_passages(path, kind)
    except (ReadError, OSError) as exc:
        return str(exc).splitlines()[0]
    figures = json.dumps(key_figures(report), ensure_ascii=False) if report is not None and meta.kind == "report" \
        else None
    return PreparedFile(path, digest, meta, passages, [" ".join(tokens(f"{p.heading} {p.text}")) for p in passages],
                        figures)


def _prepare_job(job: tuple[Path, str, str]) -> PreparedFile | str:
    return prepare_file(*job)


def prepare_files(jobs: list[tuple[Path, str, str]], workers: int | None = None) -> Iterator[PreparedFile | str]:
    """`prepare_file` over (path, kind, digest) jobs, in order; in worker processes when there are many."""
    if workers is None:
        size = sum(path.stat().st_size for path, _, _ in jobs if path.is_file())
        workers = min(4, os.cpu_count() or 1) if size >= PARALLEL_MIN_BYTES else 1
    if workers <= 1 or len(jobs) < PARALLEL_MIN_FILES:
        for job in jobs:
            yield _prepare_job(job)
        return
    # fork starts workers with the modules and the segmenter's dictionary already loaded (~1 s each
    # saved), but only a single-threaded process may fork: in a process with threads (the server)
    # a lock held by another thread would stay held forever in the child, so those spawn
    method = "fork" if threading.active_count() == 1 and "fork" in get_all_start_methods() else "spawn"
    if method == "fork":
        tokens("预算")  # load the segmenter once, here, so every worker starts with it
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context(method)) as pool:
        yield from pool.map(_prepare_job, jobs, chunksize=max(1, min(16, len(jobs) // (workers * 8))))
