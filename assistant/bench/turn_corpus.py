"""`assistant bench turns`: the labelled corpus of officer turns (tests/data/turns/*.yaml) replayed through
the chat engine, each against the draft its scene describes (tests/data/turns/scenes.yaml), and judged by
what it changed: the kind of turn it was handled as, the fields, answers, notes and indicators it set.

A turn is judged by its effects, not by the reader's own account of it, so the same judge measures any
version of the reader: a question is handled when it got an answer and nothing was filed; an answer when
the item asked is answered as labelled; a statement when it is filed under the labelled section.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from .suites import ROOT

TURNS = ROOT / "tests" / "data" / "turns"


def load_scenes(folder: Path = TURNS) -> dict:
    return yaml.safe_load((folder / "scenes.yaml").read_text(encoding="utf-8"))


def scene_report(scene: dict, state: str):
    """The draft's input in a scene: nothing at `start`, everything the scene lists at `data`."""
    from ..core.models import (ExpenseLine, Funding, FundingRow, Indicator, Note, ProjectInfo, QualitativeGoal,
                               Report)

    if state == "start":
        return None
    rows = [FundingRow(**{k: (Decimal(v) if k in ("planned", "arrived", "spent", "balance") else v)
                          for k, v in r.items()}) for r in scene.get("funding") or []]
    funding = Funding(total=rows[0], sources=rows[1:], origin="table") if rows else Funding()
    expenses = [ExpenseLine(content=e["content"], amount=Decimal(e["amount"]), voucher=e.get("voucher"))
                for e in scene.get("expenses") or []]
    indicators = [Indicator(**{k: (Decimal(v) if k == "weight" else v) for k, v in i.items()})
                  for i in scene.get("indicators") or []]
    goals = [QualitativeGoal(**scene["goals"])] if scene.get("goals") else []
    project = ProjectInfo(**{k: str(v) for k, v in (scene.get("project") or {}).items()})
    notes = [Note(id=k + 1, **n) for k, n in enumerate(scene.get("notes") or [])]
    return Report(project=project, funding=funding, expenses=expenses,
                  expense_total=sum((e.amount for e in expenses), Decimal(0)) if expenses else None,
                  indicators=indicators, goals=goals, notes=notes)


def scene_record(scene_id: str, state: str, asked: str | None = None, scenes: dict | None = None):
    """A draft record in the scene, with `asked` as the question just put."""
    from ..storage.drafts import DraftRecord

    scene = (scenes or load_scenes())[scene_id]
    record = DraftRecord(id=f"{scene_id}-{state}", title=scene["title"], form=scene["form"], created_at="",
                         updated_at="", report=scene_report(scene, state))
    record.interview = {"asked": asked, "history": [asked] if asked else []}
    return record


@dataclass
class Question:
    id: str
    kind: str
    ask: str
    options: list[str]
    done: bool


def scene_questions(scene_id: str, state: str, scenes: dict | None = None) -> list[Question]:
    from ..interview.items import items_for
    from ..service.chat import working_report

    record = scene_record(scene_id, state, scenes=scenes)
    return [Question(i.id, i.kind, i.ask, list(i.options), i.done)
            for i in items_for(record.form, working_report(record), set())]


# ------------------------------------------------------------------------------------------ the judge

_COMMAND_CARDS = {"check": "findings", "export": "export", "progress": "progress", "write": "suggestions",
                  "why": "score"}


def _key(text) -> str:
    import re

    from ..core.numbers import compact, to_halfwidth

    return re.sub(r"[。.；;，,、\s]+$", "", compact(to_halfwidth(str(text or "")))).replace("：", ":")


def _period(text) -> tuple | None:
    """'2024年1月至12月', '2024年1月到2024年12月', '2024.1-2024.12' → (2024, 1, 2024, 12)."""
    import re

    from ..core.numbers import to_halfwidth

    text = to_halfwidth(str(text or ""))
    if re.fullmatch(r"\s*((?:19|20)\d{2})\s*年?\s*全年\s*", text):
        y = int(re.search(r"\d{4}", text).group(0))
        return (y, 1, y, 12)
    m = re.search(r"((?:19|20)\d{2})\s*[年.\-/]\s*(\d{1,2})\s*月?.{0,6}?(?:至|到|-|—|~|－)\s*(?:((?:19|20)\d{2})\s*[年.\-/]\s*)?"
                  r"(\d{1,2})\s*月?", text)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or m.group(1)), int(m.group(4)))


def _same_field(name: str, got, want) -> bool:
    if got is None:
        return False
    if name == "period_text":
        return _period(got) is not None and _period(got) == _period(want) or _key(got) == _key(want)
    if name == "phone":
        return _key(got).replace("-", "") == _key(want).replace("-", "")
    return _key(got) == _key(want)


def _texts(report) -> list[str]:
    """Every text the officer's words may have been recorded in."""
    if report is None:
        return []
    out = [n.text for n in report.notes]
    out += [g.expected for g in report.goals] + [g.actual for g in report.goals]
    out += [report.funding.execution_reason or "", report.funding.adjustment_reason or ""]
    out += [f"{i.name} {i.target} {i.actual} {i.reason}" for i in report.indicators]
    return out


@dataclass
class Outcome:
    id: str
    kind: str
    ok: bool
    problems: list[str]
    got: str  # what the turn was handled as, in a few words
    filed_unasked: bool  # a question, request or chitchat put into the report
    reply: str


def _handled_as(reply, before, after, pending, asked_done_before: bool, record) -> str:
    cards = [c.get("type") for c in reply.cards]
    decision = next((c for c in reply.cards if c.get("type") == "decision"), None)
    if decision:
        return decision.get("kind", "?")
    if pending is not None:
        return "paste"
    if "error" in cards:
        return "error"
    for cmd, card in _COMMAND_CARDS.items():
        if card in cards:
            return cmd
    if "note" in cards:
        return "statement"
    if "recorded" in cards or "project" in cards:
        return "answer"
    if "help" in cards:
        return "help"
    if after is not before and after is not None:
        return "changed"
    return "nothing"


def judge(turn: dict, engine, scenes: dict) -> Outcome:
    from ..core import calc
    from ..interview.items import find, items_for
    from ..service.chat import working_report

    record = scene_record(turn["scene"], turn["state"], turn.get("asked"), scenes)
    if (turn.get("expect") or {}).get("command") == "confirm" and record.pending is None:
        # a confirmation is labelled where a pasted table waits: the scene's own tables are that paste
        record.pending = scene_report(scenes[turn["scene"]], "data").model_copy(update={"notes": [], "goals": []})
    before = working_report(record)
    try:
        reply = engine.answer(record, turn["text"])
    except Exception as exc:  # noqa: BLE001 - a crash is an outcome to count, not a stop
        return Outcome(turn["id"], turn["kind"], False, [f"exception {type(exc).__name__}: {exc}"], "crash",
                       False, "")
    pending = reply.pending
    after_raw = reply.confirmed or reply.report
    after = working_report(type(record)(**{**record.__dict__, "report": after_raw})) if after_raw else before
    expect = turn.get("expect") or {}
    kind = turn["kind"]
    problems: list[str] = []
    got = _handled_as(reply, before, after, pending, False, record)
    cards = [c.get("type") for c in reply.cards]
    new_notes = [n for n in after.notes if n.id not in {m.id for m in before.notes}]
    changed = after.model_dump(exclude={"warnings"}) != before.model_dump(exclude={"warnings"})
    decision = next((c for c in reply.cards if c.get("type") == "decision"), {})
    clarified = "clarify" in cards
    if turn.get("ambiguous") and clarified and not changed:
        return Outcome(turn["id"], kind, True, [], "clarify", False, reply.text)

    # what was expected to change
    for name, want in (expect.get("fields") or {}).items():
        got_value = getattr(after.project, name, None)
        if not _same_field(name, got_value, want):
            problems.append(f"field {name}: {got_value!r} ≠ {want!r}")
    if expect.get("answers"):
        items = items_for(record.form, after, set())
        item = find(items, expect["answers"])
        if item is not None and not item.done:
            problems.append(f"{expect['answers']} not answered")
    if "selected" in expect and expect.get("answers", turn.get("asked", "")) and \
            str(expect.get("answers") or turn.get("asked")).startswith("score."):
        path = str(expect.get("answers") or turn.get("asked"))[len("score."):].split("/")
        j = after.judgement(path)
        want = {s for s in expect["selected"] if s != "均无"}
        if j is None or set(j.selected) != want:
            problems.append(f"selected {None if j is None else j.selected} ≠ {sorted(want)}")
    if "grade" in expect and _key(after.claimed_grade) != _key(expect["grade"]):
        problems.append(f"grade {after.claimed_grade!r} ≠ {expect['grade']!r}")
    if "total" in expect and (after.claimed_total is None or
                              after.claimed_total != __import__("decimal").Decimal(str(expect["total"]))):
        problems.append(f"total {after.claimed_total} ≠ {expect['total']}")
    if expect.get("indicator"):
        want = expect["indicator"]
        ind = next((i for i in after.indicators if _key(i.name) == _key(want.get("name"))), None) \
            if want.get("name") else None
        if ind is None and want.get("name"):
            problems.append(f"indicator {want['name']} not found")
        elif ind is not None:
            for col in ("target", "actual"):
                if col in want and _key(getattr(ind, col)) != _key(want[col]):
                    problems.append(f"indicator {ind.name} {col} {getattr(ind, col)!r} ≠ {want[col]!r}")
            if "direction" in want:
                lower = calc.completion(ind).lower_is_better
                if ("lower" if lower else "higher") != want["direction"]:
                    problems.append(f"indicator {ind.name} direction ≠ {want['direction']}")
    if expect.get("renamed"):
        names = {_key(i.name) for i in after.indicators}
        if _key(expect["renamed"]["to"]) not in names or _key(expect["renamed"]["from"]) in names:
            problems.append(f"not renamed {expect['renamed']}")
    if expect.get("removed"):
        if any(_key(i.name) == _key(expect["removed"]) for i in after.indicators):
            problems.append(f"not removed {expect['removed']}")
    if expect.get("replaced"):
        old, new = str(expect["replaced"]["from"]), str(expect["replaced"]["to"])
        texts = [t.replace(new, "\x00") for t in _texts(after)]
        if any(old in t for t in texts) or not any(new in t for t in _texts(after)):
            problems.append(f"not replaced {old} → {new}")
    if expect.get("section") and expect.get("command") != "write":  # 起草 a section: the section to draft, no note
        from ..core.forms import get_form

        kinds = [sec.kind for sec in get_form(record.form).sections]
        if expect["section"] not in kinds:  # the form has no such section: filed anywhere it is shown is right
            if not new_notes:
                problems.append(f"no note (the form has no {expect['section']} section)")
        elif not any(n.section == expect["section"] for n in new_notes):
            problems.append(f"no note in {expect['section']} (notes: {[n.section for n in new_notes]})")
    if expect.get("error"):
        if changed or pending is not None:
            problems.append("a value that cannot be read was recorded")
        if "error" not in cards and decision.get("kind") != "error":
            problems.append("no error said")
    target = pending if pending is not None else after
    if expect.get("tables") or expect.get("funding") or expect.get("expenses") or expect.get("indicators"):
        if pending is None and kind == "paste":
            problems.append(f"not read as a paste ({got}: {reply.text[:40]})")
        for table in expect.get("tables") or []:
            has = {"funding": not calc.total_of(target.funding).is_empty(), "expenses": bool(target.expenses),
                   "indicators": any(i.name for i in target.indicators)}.get(table, False)
            if not has:
                problems.append(f"table {table} missing")
        total = calc.total_of(target.funding)
        for col, want in (expect.get("funding") or {}).items():
            value = total.get(col)
            if value is None or value != __import__("decimal").Decimal(str(want)):
                problems.append(f"funding {col} {value} ≠ {want}")
        for row_ in expect.get("expenses") or []:
            if not any(_key(row_.get("content", ""))[:4] in _key(e.content) and
                       (row_.get("amount") is None or e.amount == __import__("decimal").Decimal(str(row_["amount"])))
                       for e in target.expenses):
                problems.append(f"expense {row_} missing")
        for row_ in expect.get("indicators") or []:
            ind = next((i for i in target.indicators if _key(i.name) == _key(row_.get("name"))), None)
            if ind is None:
                problems.append(f"indicator row {row_.get('name')} missing")
            else:
                for col in ("target", "actual"):
                    if col in row_ and _key(getattr(ind, col)) != _key(row_[col]):
                        problems.append(f"indicator row {ind.name} {col} {getattr(ind, col)!r} ≠ {row_[col]!r}")

    # what each kind must (not) do
    filed_unasked = False
    if kind in ("question", "request", "chitchat"):
        if new_notes and not expect.get("section"):
            problems.append("filed into the report as a note")
            filed_unasked = kind in ("question", "request")
        if kind == "question" and changed:
            problems.append("a question changed the draft")
        if kind == "question" and got not in ("question",):
            problems.append(f"not answered as a question ({got})")
        if kind == "request" and not expect and got in ("help", "nothing", "changed", "statement"):
            problems.append(f"request not carried out or answered ({got})")
        if kind == "chitchat" and changed:
            problems.append("chitchat changed the draft")
    elif kind == "statement":
        if not new_notes:
            problems.append(f"statement not filed ({got})")
    elif kind == "answer":
        asked = turn.get("asked") or ""
        if new_notes and not expect.get("section") and not asked.startswith("note."):
            problems.append(f"answer also filed as a note in {[n.section for n in new_notes]}")
        if asked.startswith("note.") and not new_notes:
            problems.append("narrative answer not filed")
        if not expect and not changed:
            problems.append(f"answer recorded nothing ({got})")
    elif kind == "correction":
        if new_notes:
            problems.append(f"correction filed as a note in {[n.section for n in new_notes]}")
        # a correction that cannot be read (error) changes nothing; one shown on a card to confirm changes the
        # table waiting for confirmation, not the record yet
        if not changed and not expect.get("error") and pending is None:
            problems.append(f"correction changed nothing ({got})")
    elif kind == "command":
        cmd = expect.get("command")
        state = reply.interview or {}
        seen = {
            "skip": turn.get("asked") in (state.get("skipped") or []) or "跳过" in reply.text,
            "back": bool(state.get("revisit")) or "上一题" in reply.text or "第一题" in reply.text,
            "confirm": reply.confirmed is not None or "没有待确认" in reply.text,
        }.get(cmd, _COMMAND_CARDS.get(cmd) in cards or "请先粘贴" in reply.text)
        if not seen:
            problems.append(f"command {cmd} not carried out ({got})")
        if new_notes:
            problems.append("command filed as a note")
    elif kind == "paste" and not expect.get("error") and pending is None and not changed:
        problems.append(f"paste not read ({got}: {reply.text[:40]})")
    return Outcome(turn["id"], kind, not problems, problems, got, filed_unasked, reply.text)


def load_turns(paths: list[Path]) -> list[dict]:
    turns = []
    for path in paths:
        for turn in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            turns.append({**turn, "file": path.name})
    return turns


def replay(paths: list[Path], precedents=None) -> list[Outcome]:
    from ..service.chat import ChatEngine

    scenes = load_scenes()
    engine = ChatEngine(repo=None, precedents=precedents)  # type: ignore[arg-type]  - answer() touches no database
    return [judge(t, engine, scenes) for t in load_turns(paths)]


def summarise(outcomes: list[Outcome]) -> dict:
    by_kind: dict[str, list[int]] = {}
    for o in outcomes:
        ok, n = by_kind.get(o.kind, [0, 0])
        by_kind[o.kind] = [ok + o.ok, n + 1]
    ok = sum(o.ok for o in outcomes)
    return {"turns": len(outcomes), "handled": ok, "accuracy": round(ok / len(outcomes), 4) if outcomes else None,
            "filed_unasked": sum(o.filed_unasked for o in outcomes),
            "by_kind": {k: {"handled": v[0], "turns": v[1]} for k, v in sorted(by_kind.items())}}


def bench_turns(batches: dict[str, list[Path]] | None = None) -> dict:
    """Each batch of labelled turns replayed: handled as labelled, and questions or requests filed as notes."""
    from .suites import machine, row

    batches = batches or {name: sorted(TURNS.glob(f"{name}_*.yaml")) for name in ("batch1", "batch2")}
    record: dict = {"bench": "turns", "machine": machine(), "batches": {}, "summary": [], "errors": 0}
    for name, paths in batches.items():
        if not paths:
            continue
        outcomes = replay(paths)
        s = summarise(outcomes)
        s["misses"] = [{"id": o.id, "kind": o.kind, "got": o.got, "problems": o.problems} for o in outcomes if not o.ok]
        record["batches"][name] = s
        record["summary"].append(row(f"{name}: turns handled as labelled ({s['handled']}/{s['turns']})",
                                     round(100 * s["accuracy"], 1), "%", 95.0, lower_is_better=False))
        record["summary"].append(row(f"{name}: questions or requests filed into the report", s["filed_unasked"],
                                     "turns", 0))
        for kind, v in s["by_kind"].items():
            record["summary"].append(row(f"{name}: {kind}", f"{v['handled']}/{v['turns']}", "turns", kind="reference"))
    return record
