"""Passages of roughly one paragraph (150–500 characters, sentence-aware) with their heading path.

Reports are split by section kind (the same splitter as `check`); policies by 章/节/条 and
一、/（一） headings, each article its own unit so a citation can name it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.models import Report

MIN_CHARS, MAX_CHARS = 150, 500
_SENTENCE = re.compile(r"(?<=[。！？!?；;])")
_CN = "一二三四五六七八九十百零〇"
_CHAPTER = re.compile(rf"^第[{_CN}\d]+[章编]\s*\S*")
_PART = re.compile(rf"^第[{_CN}\d]+节\s*\S*")
_ARTICLE = re.compile(rf"^(第[{_CN}\d]+条)\s*")
_H2 = re.compile(rf"^[{_CN}]+、\S")
_H3 = re.compile(rf"^[(（][{_CN}]+[)）]\S")
_MD = re.compile(r"^(#{1,6})\s*(.+)$")
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Passage:
    seq: int
    section: str  # report: section kind ('funding_use' …); policy: 'article' or 'text'
    heading: str  # heading path, ' > ' separated
    text: str


def _sentences(paragraph: str) -> list[str]:
    out = []
    for s in _SENTENCE.split(paragraph):
        s = s.strip()
        while len(s) > MAX_CHARS:  # one run-on sentence: cut at a comma near the limit
            cut = max(s.rfind("，", 0, MAX_CHARS), s.rfind(",", 0, MAX_CHARS))
            cut = cut + 1 if cut > MIN_CHARS else MAX_CHARS
            out.append(s[:cut])
            s = s[cut:].strip()
        if s:
            out.append(s)
    return out


def pack(paragraphs: list[str]) -> list[str]:
    """Paragraphs → passages of MIN..MAX characters, never splitting inside a sentence."""
    passages: list[str] = []
    current = ""
    for para in paragraphs:
        for sentence in _sentences(para):
            if current and len(current) + len(sentence) > MAX_CHARS and len(current) >= MIN_CHARS:
                passages.append(current)
                current = ""
            current = f"{current}{sentence}" if not current or current.endswith(("。", "；", "！", "？", ";")) \
                else f"{current}\n{sentence}"
        if current and len(current) >= MIN_CHARS:
            passages.append(current)
            current = ""
    if current:
        if passages and len(passages[-1]) + len(current) <= MAX_CHARS + MIN_CHARS:
            passages[-1] = f"{passages[-1]}\n{current}"
        else:
            passages.append(current)
    return passages


def report_passages(report: Report) -> list[Passage]:
    out: list[Passage] = []
    units = [(s.kind, s.heading, s.text) for s in report.sections if s.text.strip()]
    if not units:
        body = "\n".join(report.text_lines)
        units = [("other", report.project.name or "", body)] if body.strip() else []
    else:
        units += _uncovered(report)
    for kind, heading, text in units:
        heading = re.sub(r"[^\S\n]*\n\s*", "", heading).strip()
        for chunk in pack([p for p in text.split("\n") if p.strip()]):
            out.append(Passage(len(out), kind, heading, chunk))
    return out


def _prose(line: str) -> bool:
    """A sentence of narrative, not a form's cell ('计划安排资金（万元）', '①设有目标（1分）')."""
    return len(line) >= 30 and ("。" in line or "，" in line)


def _uncovered(report: Report) -> list[tuple[str, str, str]]:
    """Runs of narrative the splitter left outside every section (under a heading it does not know):
    searchable too, filed under 'other'. The form's own cells and score criteria stay out, or every
    report of a region would share them."""
    held = {ln.strip() for s in report.sections for ln in (s.heading, *s.text.split("\n"))}
    runs: list[list[str]] = [[]]
    for line in report.text_lines:
        text = line.strip()
        if not text:
            continue
        if text in held or not _prose(text):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(text)
    units = []
    for run in runs:
        body = "\n".join(run)
        if len(body) < 20:  # a title or a date line alone says nothing a search needs
            continue
        heading = report.project.name or ""
        units.append(("other", heading, body))
    return units


def _plain(line: str) -> str:
    line = re.sub(r"</t[dh]>\s*<t[dh][^>]*>", " | ", line)
    line = re.sub(r"</tr>", "\n", line)
    return _TAGS.sub("", line).replace("$", "").strip()


def policy_passages(text: str) -> list[Passage]:
    path: dict[str, str] = {}
    units: list[tuple[str, str, list[str]]] = []  # (section, heading, paragraphs)

    def heading_path() -> str:
        return " > ".join(path[k] for k in ("h1", "chapter", "part", "h2", "h3", "article") if path.get(k))

    def start(section: str) -> None:
        units.append((section, heading_path(), []))

    start("text")
    for raw in text.splitlines():
        if raw.startswith(("SOURCE:", "TITLE:")):
            continue
        for line in _plain(raw).split("\n"):
            line = line.strip()
            if not line:
                continue
            md = _MD.match(line)
            if md and md.group(2).rstrip().endswith(("；", ";", "。", "，", ",", "：")):
                line, md = md.group(2).strip(), None  # an OCR list item marked up as a heading
            if md:
                level = "h1" if len(md.group(1)) <= 1 else "h2"
                for k in ("h1", "chapter", "part", "h2", "h3", "article")[("h1", "h2").index(level) * 3:]:
                    path.pop(k, None)
                path[level] = re.sub(r"\s+", "", md.group(2))[:40]
                start("text")
                continue
            if _CHAPTER.match(line) and len(line) <= 30:
                for k in ("chapter", "part", "h2", "h3", "article"):
                    path.pop(k, None)
                path["chapter"] = line
                start("text")
                continue
            if _PART.match(line) and len(line) <= 30:
                for k in ("part", "h2", "h3", "article"):
                    path.pop(k, None)
                path["part"] = line
                start("text")
                continue
            art = _ARTICLE.match(line)
            if art:
                path.pop("h3", None)
                path["article"] = art.group(1)
                start("article")
                units[-1][2].append(line)
                continue
            in_article = bool(path.get("article")) and _H3.match(line)
            if (_H2.match(line) or _H3.match(line)) and len(line) <= 30 and not in_article \
                    and not line.endswith(("；", ";", "。", "，", ",", "：", ":")):
                key = "h2" if _H2.match(line) else "h3"
                for k in (("h2", "h3", "article") if key == "h2" else ("h3", "article")):
                    path.pop(k, None)
                path[key] = line
                start("text")
                continue
            units[-1][2].append(line)
    out: list[Passage] = []
    for section, heading, paragraphs in units:
        for chunk in pack(paragraphs):
            out.append(Passage(len(out), section, heading, chunk))
    return out
