"""Free words to a criteria or choice question, read clause by clause.

An officer answers '符合条件 申报批复都齐全 就是年中调了一次计划 没走手续' or '第三个做的不好 前两个ok' or
'2 3 4'. Each clause names some options — by their words (knowledge/rulesets …), by position (第二个, 前两个,
其他三个) or all at once (都) — and says yes, no or not sure about them; a later clause overrides an earlier one.
The polarity words are data (knowledge/turns.yaml `criteria`)."""
from __future__ import annotations

import re

from ..core.numbers import to_halfwidth
from ..core.scoring import Option
from .spec import turn_words

_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
_ORDINALS = re.compile(r"第([一二三四五1-5])(?:[、和跟及,，]第?([一二三四五1-5]))*(?:个|条|项|档|种)")
_FIRST_N = re.compile(r"(?:前|头)([一二两三四五1-5])(?:个|条|项)")
_LAST_N = re.compile(r"(?:后|后面的?)([一二两三四五1-5])(?:个|条|项)")
_REST = re.compile(r"其他|其余|剩下|另外(?:[一二两三四五]?个)|后面的|别的(?=[一二两三四五]?个|都|也|没有|$)")


def _clauses(text: str) -> list[str]:
    """Clauses of an answer: split at marks and spaces, and before a contrast ('…但是不够细')."""
    words = turn_words().criteria
    half = re.sub(r"\s+", "，", to_halfwidth(text.strip()))
    for typo, right in words.typos.items():  # '制度建全': a word typed wrong
        half = half.replace(typo, right)
    half = re.sub(f"(?=(?:{words.contrast}))", "，", half)
    return [c for c in re.split(r"[，,。；;！!？?、]", half) if c]


def _polarity(rest: str) -> bool | None:
    """What a clause says about the options it names, their words taken out: yes, no, or not sure (None)."""
    words = turn_words().criteria
    rest = re.sub(words.contrast, "", re.sub(words.double_negative, "好", rest))  # '不过' is no denial
    if re.search(words.unsure, rest):
        return None
    return not re.search(words.negative, rest)


def _hits(clause: str, options: list[Option]) -> tuple[dict[int, bool | None], str]:
    """The options a clause names by their words (the longest word wins where words overlap), each with what the
    words next to it say (a long clause's other words are about something else: '解决失能老人没人照料的问题'), and
    the clause with those words taken out."""
    found: list[tuple[int, int, int]] = []  # start, end, option
    plain = clause.replace("没有", "没")
    for k, option in enumerate(options):
        for word in sorted((w for w in (option.label, *option.words) if w), key=len, reverse=True):
            w = word.replace("没有", "没")
            for m in re.finditer(re.escape(w), plain):
                found.append((m.start(), m.end(), k))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken = bytearray(len(plain))
    kept: list[tuple[int, int, int]] = []
    for a, b, k in found:
        if any(taken[a:b]):
            continue
        taken[a:b] = b"\x01" * (b - a)
        kept.append((a, b, k))
    rest = "".join(ch for ch, t in zip(plain, taken) if not t)
    named: dict[int, bool | None] = {}
    for a, b, k in kept:
        near = "".join(ch for ch, t in zip(plain[max(0, a - 5):b + 12], taken[max(0, a - 5):b + 12]) if not t)
        named[k] = _polarity(near if len(plain) > 12 else rest)
    return named, rest


def _positions(clause: str, n: int, judged: set[int]) -> set[int]:
    picked: set[int] = set()
    for m in _ORDINALS.finditer(clause):
        for g in m.groups():
            if g and 0 < _NUM[g] <= n:
                picked.add(_NUM[g] - 1)
    m = _FIRST_N.search(clause)
    if m:
        picked |= set(range(min(_NUM[m.group(1)], n)))
    m = _LAST_N.search(clause)
    if m:
        picked |= set(range(max(0, n - _NUM[m.group(1)]), n))
    if not picked and _REST.search(clause):
        picked = set(range(n)) - judged
    return picked


def _verdict(text: str, options: list[Option]) -> dict[int, bool | None]:
    n = len(options)
    verdict: dict[int, bool | None] = {}
    words = turn_words().criteria
    last: set[int] = set()
    for clause in _clauses(text):
        if re.search(words.to_assistant, clause):
            continue  # '…三个都是按计划的 你只记了一个': said about the record, not about the options
        named, rest = _hits(clause, options)
        where = _positions(clause, n, set(verdict))
        if where:
            rest = _ORDINALS.sub("", _FIRST_N.sub("", _LAST_N.sub("", _REST.sub("", rest))))
        elif re.search(words.everything, clause) and (not named or re.search(r"(?:工作|任务|事情|活|各项)都", clause)):
            where = set(range(n))  # '都符合', '全年工作都完成了' (not '开工完工都按计划': those two only)
        said = _polarity(rest)
        if named and re.match(words.contrast, clause):  # '…，就是执行上有几家台账不规范': the contrast is about them
            named = {k: said for k in named}
        if not named and not where and re.fullmatch(r"(?:是)?有(?:的|啊|呀|滴)?|(?:都)?有的", clause):
            # '有的，不过不太规范': a bare 有 is the option that says there is one ('有资金分配办法', '设有绩效目标')
            named = {k: True for k, o in enumerate(options) if re.match(r"(?:设)?有", o.label)}
        if not named and not where:
            if last and said is False and (re.match(words.contrast, clause) or re.search(words.limits, clause)):
                for k in last:  # '因素，就是按人数分的，别的没考虑': a limit on what was just named
                    verdict[k] = False
            continue
        verdict.update(named)
        for k in where:
            verdict[k] = said
        last = set(named) | where
    return verdict


def read_criteria(text: str, options: list[Option]) -> list[Option] | None:
    """The options the words hold true, or None when no clause names any option."""
    bare = to_halfwidth(text.strip())
    if re.fullmatch(r"(?:选)?[1-5](?:[\s,，、和]+[1-5])*(?:个|项)?", bare):  # '2 3 4'
        return [options[int(d) - 1] for d in sorted(set(re.findall(r"[1-5]", bare))) if int(d) <= len(options)]
    verdict = _verdict(text, options)
    if not verdict:
        return None
    return [options[k] for k in sorted(verdict) if verdict[k]]


def read_choice(text: str, options: list[Option]) -> Option | None:
    """One option of a choice: by position ('选第二个', '第二档'), the one the words say yes to, or — of two
    opposite options — the other one when the words deny the first ('说实话不太健全')."""
    bare = to_halfwidth(text.strip())
    m = _ORDINALS.search(bare) or re.fullmatch(r"(?:选)?([1-5])", bare)
    if m and m.group(1) and 0 < _NUM[m.group(1)] <= len(options) and not any(m.groups()[1:]):
        return options[_NUM[m.group(1)] - 1]
    verdict = _verdict(text, options)
    yes = [k for k, v in verdict.items() if v]
    if len(yes) == 1:
        return options[yes[0]]
    no = [k for k, v in verdict.items() if v is False]
    if not yes and len(options) == 2 and len(no) == 1:
        return options[1 - no[0]]
    return None
