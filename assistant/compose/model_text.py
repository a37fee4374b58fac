"""What a language model is told, and what is done with what it writes.

The prompts are jinja2 files in `prompts/model/` (StrictUndefined): the section's title, this project's
figures as the core computed them, the section's current text (templates and skeleton, figures already in
place), the officer's notes for it and the cited precedent passages, then the instruction. The model's
text passes the same lock as every other generator (`namelock.lock`: numbers, dates and names no fact
supports are marked 【待核实：…】), and each paragraph keeps the passages it was written from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2

from ..core.checks import CheckResult
from ..core.figures import key_figures
from .facts import facts_of
from .namelock import lock

PROMPTS = Path(__file__).resolve().parent.parent.parent / "prompts" / "model"
DEFAULT_INSTRUCTION = "按上面的规则写出这一节的正文，300 到 600 字。"
REWRITES = {  # the instructions the page offers as buttons; any other wording is passed on as it is
    "更正式一些": "把本节现稿改写得更正式、更符合公文习惯，意思和数字不变。",
    "压缩到300字": "把本节现稿压缩到 300 字以内，保留所有数字和结论。",
    "按这条先例的结构写": "按参考先例的段落结构和写法重写本节，内容和数字用本项目的。",
}
# (label, how the value is written): in the words and units the lock reads, so a figure the model copies
# from here is recognised as this project's ('90.56%', not a bare '90.56'; '2021年6月8日', not '2021-06-08')
FIGURE_LABELS = {"planned": ("计划安排资金", "{}万元"), "arrived": ("实际到位资金", "{}万元"),
                 "spent": ("实际支出", "{}万元"), "balance": ("结余", "{}万元"), "arrival_rate": ("资金到位率", "{}%"),
                 "execution_rate": ("预算执行率", "{}%"), "claimed_total": ("自评得分", "{}分"),
                 "claimed_grade": ("评价等次", "{}"), "period_start": ("项目开始时间", "date"),
                 "period_end": ("项目结束时间", "date"), "report_date": ("报告日期", "date")}


def _cn_date(iso: str) -> str:
    """'2021-06-08' → '2021年6月8日', '2019-11' → '2019年11月', '2021' → '2021年'."""
    parts = [p for p in re.split(r"[-/.]", iso.strip()) if p.isdigit()]
    if not parts:
        return iso
    return "".join(f"{int(v)}{unit}" for v, unit in zip(parts, ("年", "月", "日")))
INTENTS = {
    "check": ("检查", "检查报告，看哪里对不上"),
    "why": ("为什么扣分", "问为什么扣分、哪里失分"),
    "export": ("导出", "导出或下载报告"),
    "progress": ("进度", "问还缺什么、进度如何"),
    "skip": ("跳过", "跳过当前问题"),
    "back": ("上一题", "回到上一个问题"),
    "draft_all": ("起草全文", "起草整份报告"),
    "help": ("", "以上都不是，或看不出来"),
}
_GAP_OR_MARK = re.compile(r"【待(?:核实|补充)：[^】]*】")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)), undefined=jinja2.StrictUndefined,
                              autoescape=False, trim_blocks=True, lstrip_blocks=True)


def _render(name: str, **context) -> str:
    return _environment().get_template(name).render(**context).strip()


def figures_for_prompt(result: CheckResult) -> list[tuple[str, str]]:
    """This project's key figures as the core states them (strings, never re-computed here)."""
    out = []
    for key, value in key_figures(result.report).items():
        if key not in FIGURE_LABELS or value in (None, ""):
            continue
        label, shape = FIGURE_LABELS[key]
        out.append((label, _cn_date(str(value)) if shape == "date" else shape.format(value)))
    return out


def section_messages(result: CheckResult, title: str, current: str, notes: list[str], passages: list[dict],
                     instruction: str | None = None, region_form: str = "") -> list[dict]:
    """Chat messages asking for one section: system rules, then the facts, notes, passages and the ask."""
    ask = REWRITES.get((instruction or "").strip(), (instruction or "").strip()) or DEFAULT_INSTRUCTION
    system = _render("section_system.j2", title=title, region_form=region_form)
    user = _render("section_user.j2", project_name=result.report.project.name or "（未填写项目名称）",
                   figures=figures_for_prompt(result), current=current, notes=notes,
                   passages=[{"title": p.get("title", ""), "heading": p.get("heading", ""), "text": p["text"]}
                             for p in passages], instruction=ask)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def intent_messages(text: str) -> list[dict]:
    intents = [(key, meaning) for key, (_, meaning) in INTENTS.items()]
    return [{"role": "user", "content": _render("intent.j2", intents=intents, text=text[:500])}]


def intent_of(reply: str) -> str | None:
    """The intent a model named, as the words the rules understand ('检查'); None for help or nonsense.
    The model chooses among fixed labels only: nothing it writes becomes a figure or a field."""
    words = re.findall(r"[a-z_]+", (reply or "").lower())
    key = next((w for w in words if w in INTENTS), None)
    if key is None or key == "help":
        return None
    return INTENTS[key][0]


@dataclass
class ModelText:
    text: str  # the model's text after the lock
    unverified: list[str] = field(default_factory=list)  # what the lock marked 【待核实：…】
    paragraphs: list[dict] = field(default_factory=list)  # {text, passages: [passage_id …]}

    def as_json(self) -> dict:
        return {"text": self.text, "unverified": self.unverified, "marks": len(self.unverified),
                "paragraphs": self.paragraphs}


def _bigrams(text: str) -> set[str]:
    plain = re.sub(r"[\s，。、；：“”（）《》【】,.;:()]", "", _GAP_OR_MARK.sub("", text))
    return {plain[i:i + 2] for i in range(len(plain) - 1)}


_MARKDOWN_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]*", re.M)
_EMPHASIS = re.compile(r"\*\*([^*\n]+)\*\*|__([^_\n]+)__")


def _plain(raw: str) -> str:
    """A report is plain paragraphs: Markdown headings and bold that small models add anyway are dropped."""
    text = _MARKDOWN_HEADING.sub("", raw.strip())
    return _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)


def locked_model_text(raw: str, result: CheckResult, notes: list[str], passages: list[dict],
                      current: str = "") -> ModelText:
    """The lock over a model's text, and for each paragraph the passages it shares words with (all the
    passages it was given, when it shares little with any one). A 【待补充：…】 of the current text that the model
    left out is put back at the end: rewording never hides what the report still lacks."""
    facts = facts_of(result)
    facts.names.extend(notes)
    done = lock(_plain(raw), facts)
    lost = [g for g in dict.fromkeys(re.findall(r"【待补充：[^】]*】", current)) if g not in done.text]
    if lost:
        done.text = done.text.rstrip() + "\n" + "".join(lost)
    paragraphs = []
    for para in [p for p in done.text.split("\n") if p.strip()]:
        mine = _bigrams(para)
        near = [p["passage_id"] for p in passages
                if mine and len(mine & _bigrams(p["text"])) / len(mine) >= 0.15]
        paragraphs.append({"text": para, "passages": near or [p["passage_id"] for p in passages]})
    return ModelText(done.text, list(done.unverified), paragraphs)
