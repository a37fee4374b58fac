"""Questions the officer asks back ('不设的话真要扣8分吗', '这个要写多详细？', '到位时效是什么意思'):
the item they are about (the one named, else the one just asked), the topic, and an answer from
knowledge/turns.yaml rendered with the item's own weight, criteria and options."""
from __future__ import annotations

import re
from functools import lru_cache

import jinja2

from ..core.numbers import compact, fmt_decimal, to_halfwidth
from ..core.scoring import RuleSet
from .items import FAMILY_EXAMPLE, Item
from .spec import turn_words

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


@lru_cache(maxsize=64)
def _template(key: str) -> jinja2.Template:
    return _ENV.from_string(turn_words().answers[key])


def _about(text: str, topic: str) -> bool:
    key = compact(to_halfwidth(text))
    return any(re.search(p, key) for p in turn_words().questions.topics[topic])


def topic_of(text: str) -> str | None:
    """The first topic (knowledge/turns.yaml, in its order) a question is about."""
    return next((topic for topic in turn_words().questions.topics if _about(text, topic)), None)


def item_named(text: str, items: list[Item]) -> Item | None:
    """The item a question names by its label ('到位时效', '经济效益', '满意度'), longest label first."""
    key = compact(text)
    best: tuple[int, Item] | None = None
    for item in items:
        labels = {compact(item.label)}
        if item.path:
            labels.add(compact(item.path[-1]))
        if item.indicator:
            labels.add(compact(item.indicator))
        for label in labels:
            if len(label) >= 2 and label in key and (best is None or len(label) > best[0]):
                best = (len(label), item)
    return best[1] if best else None


def _rule_of(item: Item | None, rules: RuleSet | None):
    if item is None or item.path is None or rules is None:
        return None
    rule_item = next((r for r in rules.items if r.path == item.path), None)
    if rule_item is None:
        return None
    return {"weight": fmt_decimal(rule_item.weight), "criteria": rule_item.rule.criteria or "按评分标准打分",
            "families": rule_item.rule.families}


def understood(text: str, items: list[Item]) -> bool:
    """A question this reader can answer: its topic is known, or it names an item or points at the one asked."""
    return topic_of(text) is not None or item_named(text, items) is not None or bool(glossary_in(text)) or \
        bool(re.search(r"这个|这项|这题|这一项|这里|这块|这条|这些", text))


def glossary_in(text: str) -> list[str]:
    """What the terms a question names mean ('过程评价和结果评价有啥区别')."""
    found = []
    for entry in turn_words().glossary:
        if any(w in text for w in entry["says"]) and entry["means"] not in found:
            found.append(entry["means"])
    return found


def answer_question(text: str, asked: Item | None, items: list[Item], rules: RuleSet | None) -> tuple[str, Item | None]:
    """(the answer, the item it is about)."""
    topic = topic_of(text)
    terms = glossary_in(text)
    if _about(text, "progress"):  # asked with other topics too: '这就完了？还差啥不 支出明细要不要贴' is about
        # what is missing first, then what the terms mean
        missing = [i.label for i in items if not i.done]
        said = _template("progress").render(done=len(items) - len(missing), total=len(items), missing=missing[:12])
        return "\n".join([said, *terms[:2]]), asked
    if terms and topic not in ("skip_cost", "scoring", "length", "how_change", "where"):
        return "\n".join(terms[:2]), item_named(text, items) or asked
    if topic in ("how_change", "where"):
        item = item_named(text, items) or asked
        view = {"label": item.label} if item else None
        return _template(topic).render(item=view), item
    if not understood(text, items):
        return _template("unknown").render(item=asked), None
    item = item_named(text, items) or asked
    topic = topic_of(text)
    rule = _rule_of(item, rules)
    view = None
    if item is not None:
        view = {"label": item.label, "ask": item.ask, "kind": item.kind, "options": item.options}
    if topic == "length":
        return _template("length").render(), item
    if item is None:
        return _template("unknown").render(item=None), None
    family = (rule or {}).get("families") or []
    if item.kind == "indicator" and rule and (topic in ("need", "skip_cost", "scoring", "meaning", None)):
        name = family[0] if family else item.label
        return _template("family").render(item=view, rule=rule, family=name,
                                           example=FAMILY_EXAMPLE.get(name, item.label)), item
    if topic == "skip_cost":
        if rule:
            return _template("skip_cost_scored").render(item=view, rule=rule), item
        key = "skip_cost_reason" if item.group == "偏差原因" else "skip_cost"
        return _template(key).render(item=view), item
    if topic in ("scoring", "need") and rule:
        return _template("scoring").render(item=view, rule=rule), item
    if topic == "how":
        return _template("how").render(item=view), item
    return _template("meaning").render(item=view, rule=rule), item
