"""Drafts in SQLite: the confirmed input, every chat turn, every section revision (undo/redo).

Each call is one short transaction, autosaved; the server runs them on its single writer thread.
A draft belongs to a unit ('' is the local unit of single-user mode) and moves through the review
workflow: draft → submitted → returned | approved (returned → submitted again); every move is an
event, and the reviewer's comments are kept per section and per submission round.
A chat turn is saved in two: the officer's words first (kept even if answering fails), then the
reply together with what it changed (`finish_turn`).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from ..core.models import Report
from .database import Store

STATUSES = ("draft", "submitted", "returned", "approved")
EDITABLE = ("draft", "returned")
_ROUND = "SELECT COUNT(*) FROM draft_events WHERE draft_id = ? AND action = 'submit'"  # submissions so far


class DraftNotFound(LookupError):
    pass


@dataclass
class SectionState:
    section: str
    text: str
    origin: str
    citations: list[dict]
    revision_id: int
    can_undo: bool
    can_redo: bool


@dataclass
class DraftRecord:
    id: str
    title: str
    form: str
    created_at: str
    updated_at: str
    report: Report | None = None
    pending: Report | None = None
    sections: dict[str, SectionState] = field(default_factory=dict)
    interview: dict = field(default_factory=dict)  # asked: the question put last; skipped; history
    unit: str = ""
    author: str = ""
    status: str = "draft"
    submitted_at: str | None = None

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "form": self.form, "created_at": self.created_at,
                "updated_at": self.updated_at, "has_data": self.report is not None, "unit": self.unit,
                "author": self.author, "status": self.status, "submitted_at": self.submitted_at}


class WorkflowConflict(RuntimeError):
    """The draft is not in a state that allows this move (someone else moved it first)."""


class DraftRepository:
    def __init__(self, store: Store):
        self.store = store

    # ------------------------------------------------------------------ drafts

    def create(self, title: str, form: str, unit: str = "", author: str = "") -> DraftRecord:
        draft_id = uuid.uuid4().hex[:12]
        with self.store.write() as db:
            db.execute("INSERT INTO drafts(id, title, form, unit, author) VALUES (?, ?, ?, ?, ?)",
                       (draft_id, title, form, unit, author))
        return self.get(draft_id)

    def list(self, units: list[str] | None = None, submitted_only: bool = False) -> list[dict]:
        """Drafts of `units` (None: all), newest first; `submitted_only`: those ever sent for review."""
        where, params = [], []
        if units is not None:
            where.append(f"unit IN ({','.join('?' * len(units))})" if units else "0")
            params.extend(units)
        if submitted_only:
            where.append("submitted_at IS NOT NULL")
        sql = ("SELECT id, title, form, created_at, updated_at, report_json IS NOT NULL AS has_data, unit, author, "
               "status, submitted_at FROM drafts" + (f" WHERE {' AND '.join(where)}" if where else "")
               + " ORDER BY updated_at DESC")
        return [{"id": r["id"], "title": r["title"], "form": r["form"], "created_at": r["created_at"],
                 "updated_at": r["updated_at"], "has_data": bool(r["has_data"]), "unit": r["unit"],
                 "author": r["author"], "status": r["status"], "submitted_at": r["submitted_at"]}
                for r in self.store.query(sql, tuple(params))]

    def move_unit(self, old: str, new: str) -> int:
        """Give the drafts of unit `old` to unit `new` (the local drafts, when accounts are turned on)."""
        with self.store.write() as db:
            return db.execute("UPDATE drafts SET unit = ? WHERE unit = ?", (new, old)).rowcount

    def get(self, draft_id: str) -> DraftRecord:
        rows = self.store.query("SELECT * FROM drafts WHERE id = ?", (draft_id,))
        if not rows:
            raise DraftNotFound(draft_id)
        r = rows[0]
        record = DraftRecord(
            id=r["id"], title=r["title"], form=r["form"], created_at=r["created_at"], updated_at=r["updated_at"],
            report=Report.model_validate_json(r["report_json"]) if r["report_json"] else None,
            pending=Report.model_validate_json(r["pending_json"]) if r["pending_json"] else None,
            interview=json.loads(r["interview_json"]) if r["interview_json"] else {},
            unit=r["unit"], author=r["author"], status=r["status"], submitted_at=r["submitted_at"])
        for head in self.store.query("SELECT section, revision_id FROM section_heads WHERE draft_id = ?", (draft_id,)):
            record.sections[head["section"]] = self._state(draft_id, head["section"], head["revision_id"])
        return record

    def delete(self, draft_id: str) -> None:
        with self.store.write() as db:
            db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    def _touch(self, db, draft_id: str) -> None:
        cur = db.execute("UPDATE drafts SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                         (draft_id,))
        if cur.rowcount == 0:
            raise DraftNotFound(draft_id)

    def set_report(self, draft_id: str, report: Report) -> None:
        """The draft's input changed outside a turn (a note moved): the pending paste stays."""
        with self.store.write() as db:
            self._touch(db, draft_id)
            db.execute("UPDATE drafts SET report_json = ? WHERE id = ?", (report.model_dump_json(), draft_id))

    def confirm(self, draft_id: str, report: Report, title: str | None = None) -> None:
        """The officer confirmed the parsed data: it becomes the draft's input; the pending copy goes."""
        with self.store.write() as db:
            self._touch(db, draft_id)
            self._set_report(db, draft_id, report, title)

    @staticmethod
    def _set_report(db, draft_id: str, report: Report, title: str | None) -> None:
        db.execute("UPDATE drafts SET report_json = ?, pending_json = NULL WHERE id = ?",
                   (report.model_dump_json(), draft_id))
        if title:
            db.execute("UPDATE drafts SET title = ? WHERE id = ?", (title, draft_id))

    # ------------------------------------------------------------------ turns

    def finish_turn(self, draft_id: str, text: str, cards: list[dict], pending: Report | None = None,
                    confirmed: Report | None = None, report: Report | None = None,
                    interview: dict | None = None, drop_pending: bool = False) -> int:
        """The assistant's reply and what it changes, in one transaction: a new pending paste (or the pending one
        given up), confirmed
        data (the pending copy goes), an answer recorded in the report (a pending paste stays), the
        interview's state."""
        with self.store.write() as db:
            self._touch(db, draft_id)
            if confirmed is not None:
                self._set_report(db, draft_id, confirmed, confirmed.project.name)
            elif report is not None:
                db.execute("UPDATE drafts SET report_json = ? WHERE id = ?", (report.model_dump_json(), draft_id))
                if report.project.name:
                    db.execute("UPDATE drafts SET title = ? WHERE id = ?", (report.project.name, draft_id))
            if pending is not None and confirmed is None:
                db.execute("UPDATE drafts SET pending_json = ? WHERE id = ?", (pending.model_dump_json(), draft_id))
            elif drop_pending:
                db.execute("UPDATE drafts SET pending_json = NULL WHERE id = ?", (draft_id,))
            if interview is not None:
                db.execute("UPDATE drafts SET interview_json = ? WHERE id = ?",
                           (json.dumps(interview, ensure_ascii=False), draft_id))
            cur = db.execute("INSERT INTO turns(draft_id, role, text, cards) VALUES (?, ?, ?, ?)",
                             (draft_id, "assistant", text, json.dumps(cards, ensure_ascii=False)))
            return int(cur.lastrowid)

    def add_turn(self, draft_id: str, role: str, text: str, cards: list[dict] | None = None) -> int:
        with self.store.write() as db:
            self._touch(db, draft_id)
            cur = db.execute("INSERT INTO turns(draft_id, role, text, cards) VALUES (?, ?, ?, ?)",
                             (draft_id, role, text, json.dumps(cards or [], ensure_ascii=False)))
            return int(cur.lastrowid)

    def turns(self, draft_id: str) -> list[dict]:
        rows = self.store.query("SELECT id, role, text, cards, created_at FROM turns WHERE draft_id = ? ORDER BY id",
                                (draft_id,))
        return [{"id": r["id"], "role": r["role"], "text": r["text"], "cards": json.loads(r["cards"]),
                 "created_at": r["created_at"]} for r in rows]

    # ------------------------------------------------------------------ section revisions

    def _state(self, draft_id: str, section: str, revision_id: int) -> SectionState:
        rev = self.store.query("SELECT text, origin, citations FROM revisions WHERE id = ?", (revision_id,))[0]
        before = self.store.query("SELECT COUNT(*) FROM revisions WHERE draft_id = ? AND section = ? AND id < ?",
                                  (draft_id, section, revision_id))[0][0]
        after = self.store.query("SELECT COUNT(*) FROM revisions WHERE draft_id = ? AND section = ? AND id > ?",
                                 (draft_id, section, revision_id))[0][0]
        return SectionState(section, rev["text"], rev["origin"], json.loads(rev["citations"]), revision_id,
                            can_undo=before > 0, can_redo=after > 0)

    def revise(self, draft_id: str, section: str, text: str, origin: str, citations: list[dict] | None = None) -> SectionState:
        """A new revision becomes current; revisions undone before it are dropped (linear history)."""
        with self.store.write() as db:
            self._touch(db, draft_id)
            head = db.execute("SELECT revision_id FROM section_heads WHERE draft_id = ? AND section = ?",
                              (draft_id, section)).fetchone()
            if head:
                db.execute("DELETE FROM revisions WHERE draft_id = ? AND section = ? AND id > ?",
                           (draft_id, section, head[0]))
            cur = db.execute("INSERT INTO revisions(draft_id, section, text, origin, citations) VALUES (?, ?, ?, ?, ?)",
                             (draft_id, section, text, origin, json.dumps(citations or [], ensure_ascii=False)))
            db.execute("INSERT INTO section_heads(draft_id, section, revision_id) VALUES (?, ?, ?) "
                       "ON CONFLICT(draft_id, section) DO UPDATE SET revision_id = excluded.revision_id",
                       (draft_id, section, cur.lastrowid))
            revision_id = int(cur.lastrowid)
        return self._state(draft_id, section, revision_id)

    def step(self, draft_id: str, section: str, direction: int) -> SectionState | None:
        """Undo (direction −1) or redo (+1); None when there is nothing to move to."""
        with self.store.write() as db:
            head = db.execute("SELECT revision_id FROM section_heads WHERE draft_id = ? AND section = ?",
                              (draft_id, section)).fetchone()
            if not head:
                return None
            if direction < 0:
                row = db.execute("SELECT MAX(id) FROM revisions WHERE draft_id = ? AND section = ? AND id < ?",
                                 (draft_id, section, head[0])).fetchone()
            else:
                row = db.execute("SELECT MIN(id) FROM revisions WHERE draft_id = ? AND section = ? AND id > ?",
                                 (draft_id, section, head[0])).fetchone()
            if row[0] is None:
                return None
            self._touch(db, draft_id)
            db.execute("UPDATE section_heads SET revision_id = ? WHERE draft_id = ? AND section = ?",
                       (row[0], draft_id, section))
            revision_id = int(row[0])
        return self._state(draft_id, section, revision_id)

    def history(self, draft_id: str, section: str) -> list[dict]:
        rows = self.store.query("SELECT id, text, origin, created_at FROM revisions WHERE draft_id = ? AND section = ? "
                                "ORDER BY id", (draft_id, section))
        return [dict(r) for r in rows]

    # ------------------------------------------------------------------ review workflow

    MOVES = {"submit": (("draft", "returned"), "submitted"), "return": (("submitted",), "returned"),
             "approve": (("submitted",), "approved")}

    def move(self, draft_id: str, action: str, actor: str, note: str = "") -> str:
        """One workflow move and its event, in one transaction; WorkflowConflict when the draft's status
        does not allow it. Returns the new status."""
        before, after = self.MOVES[action]
        with self.store.write() as db:
            row = db.execute("SELECT status FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            if row is None:
                raise DraftNotFound(draft_id)
            if row[0] not in before:
                raise WorkflowConflict(row[0])
            db.execute("UPDATE drafts SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                       (after, draft_id))
            if action == "submit":
                db.execute("UPDATE drafts SET submitted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                           (draft_id,))
            db.execute("INSERT INTO draft_events(draft_id, actor, action, note) VALUES (?, ?, ?, ?)",
                       (draft_id, actor, action, note))
            if action == "submit":  # what this round sent, in the same transaction as the move
                number = db.execute(_ROUND, (draft_id,)).fetchone()[0]
                report = db.execute("SELECT report_json FROM drafts WHERE id = ?", (draft_id,)).fetchone()[0]
                texts = {r[0]: r[1] for r in db.execute(
                    "SELECT h.section, v.text FROM section_heads h JOIN revisions v ON v.id = h.revision_id "
                    "WHERE h.draft_id = ?", (draft_id,))}
                db.execute("INSERT OR REPLACE INTO submissions(draft_id, round, report_json, sections_json) "
                           "VALUES (?, ?, ?, ?)", (draft_id, number, report, json.dumps(texts, ensure_ascii=False)))
        return after

    def submissions(self, draft_id: str) -> list[dict]:
        """Each 送审's snapshot, oldest first: {round, at, report (Report | None), sections {kind: text}}."""
        rows = self.store.query("SELECT round, at, report_json, sections_json FROM submissions WHERE draft_id = ? "
                                "ORDER BY round", (draft_id,))
        return [{"round": r["round"], "at": r["at"],
                 "report": Report.model_validate_json(r["report_json"]) if r["report_json"] else None,
                 "sections": json.loads(r["sections_json"] or "{}")} for r in rows]

    def add_event(self, draft_id: str, actor: str, action: str, note: str = "") -> None:
        with self.store.write() as db:
            db.execute("INSERT INTO draft_events(draft_id, actor, action, note) VALUES (?, ?, ?, ?)",
                       (draft_id, actor, action, note))

    def events(self, draft_id: str) -> list[dict]:
        rows = self.store.query("SELECT at, actor, action, note FROM draft_events WHERE draft_id = ? ORDER BY id",
                                (draft_id,))
        return [dict(r) for r in rows]

    def round(self, draft_id: str) -> int:
        """The submission the draft is on: 1 after the first 送审."""
        return int(self.store.query(_ROUND, (draft_id,))[0][0])

    def add_comment(self, draft_id: str, section: str, text: str, author: str) -> dict:
        with self.store.write() as db:
            status = db.execute("SELECT status FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            if status is None:
                raise DraftNotFound(draft_id)
            if status[0] != "submitted":
                raise WorkflowConflict(status[0])
            number = db.execute(_ROUND, (draft_id,)).fetchone()[0]  # in the comment's own transaction
            cur = db.execute("INSERT INTO comments(draft_id, section, text, author, round) VALUES (?, ?, ?, ?, ?)",
                             (draft_id, section, text, author, number))
            comment_id = int(cur.lastrowid)
        return next(c for c in self.comments(draft_id) if c["id"] == comment_id)

    def comments(self, draft_id: str) -> list[dict]:
        rows = self.store.query("SELECT id, section, text, author, round, created_at FROM comments WHERE draft_id = ? "
                                "ORDER BY id", (draft_id,))
        return [dict(r) for r in rows]
