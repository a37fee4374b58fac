"""Reading the officer's answers: a choice or the criteria met (by button or in words), a project field
stated in a sentence ("项目单位是…", "负责人张三 电话…"), a reason, an indicator typed as a line."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..core.models import Indicator, JudgementAnswer, QualitativeGoal, Report
from ..core.numbers import compact, to_halfwidth
from ..core.scoring import Option, RuleSet
from .items import NONE_OF_THEM, Item, family_level
from .spec import interview_spec

_NEG = re.compile(r"(?:不|未|没有|没|无|非)$")
_ALL = re.compile(r"都(?:符合|满足|有|是|具备|做到|达到)|全部|均符合|均满足|全都|以上都|全选|全符合|都对")
_NONE = re.compile(r"^(?:均无|都没有|都无|没有|无|均不|都不|都不符合|均不符合|全无|不存在|没有以上情形|以上都没有|都未发生|均未发生)")
_LEAD = re.compile(r"^(?:是|为|叫|：|:|\s)+")


@dataclass
class Applied:
    report: Report
    said: str      # one line: what was recorded


def _mentioned(text: str, word: str) -> bool | None:
    """True when the text says the word, False when it says it negated (没有量化), None when absent."""
    pos = text.find(word)
    if pos < 0:
        return None
    return not _NEG.search(text[max(0, pos - 2):pos])


def _option_says(text: str, option: Option) -> bool | None:
    """The longest of the option's words the text uses decides: '没有调整' says 未调整, not 调整 negated."""
    for word in sorted((w for w in (option.label, *option.words) if w), key=len, reverse=True):
        said = _mentioned(text, word)
        if said is not None:
            return said
    return None


def _choose(text: str, options: list[Option]) -> Option | None:
    exact = next((o for o in options if compact(o.label) == compact(text)), None)
    if exact is not None:
        return exact
    # the longest word said wins: '不及时但未影响' says 未影响 (choice 2), not 及时 (choice 1)
    best: tuple[int, Option] | None = None
    for o in options:
        for w in (o.label, *o.words):
            if w and _mentioned(text, w) and (best is None or len(w) > best[0]):
                best = (len(w), o)
    return best[1] if best else None


def _checked(text: str, options: list[Option], none_allowed: bool) -> list[Option] | None:
    key = compact(text)
    if _NONE.match(key) or key == NONE_OF_THEM:
        return []
    said = {o.label: _option_says(key, o) for o in options}
    if _ALL.search(key):
        return [o for o in options if said[o.label] is not False]
    picked = [o for o in options if said[o.label]]
    if picked or any(v is False for v in said.values()):
        return picked
    return None


def _rule(rules: RuleSet | None, path: list[str]):
    return next((it for it in rules.items if it.path == path), None) if rules else None


_INDICATOR_LINE = re.compile(r"^(?P<name>.+?)[\s,，:：]*(?:目标值?|年度指标值|指标值)\s*[:：]?\s*(?P<target>[^，,；;\s]+?)"
                             r"[\s,，；;]*(?:实际(?:完成)?值?|完成值?)\s*[:：]?\s*(?P<actual>[^，,；;\s]+)")


def indicator_line(text: str, family: str) -> Indicator | None:
    """'带动沿线群众增收 目标5% 实际6%' as an indicator row of a family the table did not set."""
    m = _INDICATOR_LINE.search(to_halfwidth(text.strip()))
    if not m:
        return None
    name = re.sub(r"^(?:补充|增加|新增)?(?:一[条项个])?(?:指标)?[:：]?", "", m.group("name").strip())
    return Indicator(level1=family_level(family), level2=f"{family}指标", name=name, target=m.group("target"),
                     actual=m.group("actual"))


def _pick(text: str, options: list[str]) -> str | None:
    """One of a field's choices said in words: '完成结果评价', '过程评价' for 项目完成结果评价 / 项目实施过程评价."""
    key = compact(text)
    if not key:
        return None
    hits = [o for o in options if key in compact(o) or compact(o) in key]
    if len(hits) == 1:
        return hits[0]
    head = len(os.path.commonprefix([compact(o) for o in options]))
    tail = len(os.path.commonprefix([compact(o)[::-1] for o in options]))
    own = {o: compact(o)[head:len(compact(o)) - tail] for o in options}  # what tells the choices apart
    hits = [o for o, part in own.items() if part and (part in key or part[:2] in key)]
    return hits[0] if len(hits) == 1 else None


def _clean_value(text: str) -> str:
    value = _LEAD.sub("", text.strip())
    return value.rstrip("。.；;，, ")


_CHAT = re.compile(r"^(?:你好|您好|谢谢|好的|好|嗯|哦|ok|hi|hello|在吗|收到|可以|行)[!！。.~]*$", re.I)
_ORG_END = re.compile(r"(?:局|委|办|中心|院|所|站|队|公司|学校|小学|中学|大学|政府|处|科|馆|部|会|社|厅|室|园|场|区|镇|乡|街道|集团)$")


def is_chitchat(text: str) -> bool:
    """A greeting or an acknowledgement: nothing to record."""
    return bool(_CHAT.match(text.strip())) or len(compact(text)) < 5


def _field_value(field: str, text: str) -> str | None:
    value = _clean_value(text)
    if not value or len(value) > 80 or _CHAT.match(value):
        return None
    if field in ("unit", "department") and not _ORG_END.search(value):
        return None  # a unit is named as one: 某县交通运输局, 某某中心
    if field == "name" and len(value) < 4:
        return None
    if field == "phone":
        return value if len(re.findall(r"\d", value)) >= 7 else None
    if field == "period_text":
        return value if re.search(r"\d|[一二三四五六七八九十]月|年", value) else None
    if re.search(r"[，,。；;！!？?]", value) or len(value) > (12 if field == "leader" else 50) \
            or re.match(r"(?:我|咱|今年|去年|本年|通过|为了)", value):
        return None  # a sentence is a note, not a name
    return value


def apply_answer(item: Item, report: Report, text: str = "", selected: list[str] | None = None,
                 rules: RuleSet | None = None) -> Applied | None:
    """The item's answer recorded on a copy of the report; None when the text does not answer it."""
    out = report.model_copy(deep=True)
    text = (text or "").strip()
    if item.field:
        if item.options:
            value = next((o for o in item.options if o in (selected or [])), None) or _pick(text, item.options)
        else:
            value = _field_value(item.field, text)
        if not value:
            return None
        setattr(out.project, item.field, value)
        return Applied(out, f"已记录{item.label}：{value}")
    if item.id.startswith("goals."):
        if len(compact(text)) < 4 or is_chitchat(text):
            return None
        goal = out.goals[0] if out.goals else QualitativeGoal()
        setattr(goal, item.id.split(".", 1)[1], text)
        out.goals = [goal, *out.goals[1:]]
        return Applied(out, f"已记录{item.label}")
    if item.id == "reason.execution":
        if len(compact(text)) < 4:
            return None
        out.funding.execution_reason = text
        return Applied(out, "已记录执行率偏差原因")
    if item.indicator:
        if len(compact(text)) < 4:
            return None
        for ind in out.indicators:
            if ind.name == item.indicator:
                ind.reason = text
        return Applied(out, f"已记录“{item.indicator}”未达成原因")
    if item.path:
        return _score_answer(item, out, text, selected, _rule(rules, item.path))
    return None


def _score_answer(item: Item, out: Report, text: str, selected: list[str] | None, rule_item) -> Applied | None:
    if rule_item is None:
        return None
    rule = rule_item.rule
    options = rule.checks if item.kind == "checks" else rule.choices
    if selected is not None:
        picked = [o for o in options if o.label in selected]
        if not picked and not (item.kind == "checks" and (not selected or NONE_OF_THEM in selected)):
            return None
    elif len(text) > 40 and "。" in text.rstrip("。") and not _ALL.search(text):
        picked = None  # a statement with sentences is a note, even if it uses an option's word
    elif item.kind == "checks":
        picked = _checked(text, options, none_allowed=rule.kind == "deduction")
    else:
        one = _choose(text, options)
        picked = [one] if one else None
    if picked is None and item.kind == "indicator":
        family = rule.families[0] if rule.families else item.label
        ind = indicator_line(text, family)
        if ind is None:
            return None
        out.indicators.append(ind)
        return Applied(out, f"已补充{family}指标：{ind.name}，目标{ind.target}，实际{ind.actual}")
    if picked is None:
        return None
    out.judgements = [j for j in out.judgements if j.path != item.path]
    out.judgements.append(JudgementAnswer(path=item.path, selected=[o.label for o in picked]))  # type: ignore[arg-type]
    said = "、".join(o.label for o in picked) or ("均无" if rule.kind == "deduction" else "均不符合")
    return Applied(out, f"已记录{item.label}：{said}")


def project_statements(text: str) -> dict[str, str]:
    """Project fields stated in a sentence: '项目单位是某县交通运输局，负责人张三，电话0730-1234567'."""
    half = to_halfwidth(text)
    spec = interview_spec()
    says = sorted(((w, f.field) for f in spec.project for w in f.says), key=lambda p: -len(p[0]))
    found: dict[str, str] = {}
    starts = []
    for word, field in says:
        for m in re.finditer(re.escape(word), half):
            if any(a <= m.start() < b for a, b, _ in starts):
                continue  # '项目负责人' already read: its '负责人' is not a second field
            starts.append((m.start(), m.end(), field))
    starts.sort()
    for k, (a, b, field) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(half)
        raw = re.split(r"[，,。；;\n]", half[b:end], maxsplit=1)[0]
        copula = bool(re.match(r"\s*(?:是|为|叫|：|:)", raw))
        value = _field_value(field, raw)
        if not value or field in found:
            continue
        if not copula and field not in ("leader", "phone", "period_text"):
            continue  # '项目单位高度重视…' says nothing about which unit
        if field == "leader" and not copula and not re.fullmatch(r"[\u4e00-\u9fa5]{2,4}(?:同志)?", value):
            continue
        found[field] = value
    return found
