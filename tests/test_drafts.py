"""Draft persistence: turns, confirmed data, section revisions with undo/redo, survival across reopen."""
import pytest

from assistant.storage.drafts import DraftNotFound, DraftRepository
from assistant.core.parse import read_report
from assistant.storage.database import Store

from .conftest import SEEDS


def test_draft_history_survives_reopening(tmp_path):
    repo = DraftRepository(Store(tmp_path))
    d = repo.create("门户网站集约化", "yueyang")
    repo.add_turn(d.id, "user", "粘贴的资金表")
    repo.add_turn(d.id, "assistant", "已识别资金表", [{"type": "paste", "rows": 3}])
    repo.confirm(d.id, read_report(SEEDS["000"]))
    repo.revise(d.id, "overview", "第一稿", "figures")
    repo.revise(d.id, "overview", "第二稿", "edit")
    repo.store.close()

    again = DraftRepository(Store(tmp_path))
    rec = again.get(d.id)
    assert rec.report.funding.total.arrived == read_report(SEEDS["000"]).funding.total.arrived
    assert rec.sections["overview"].text == "第二稿" and rec.sections["overview"].can_undo
    assert [t["role"] for t in again.turns(d.id)] == ["user", "assistant"]
    assert again.turns(d.id)[1]["cards"] == [{"type": "paste", "rows": 3}]
    assert again.list()[0]["id"] == d.id and again.list()[0]["has_data"]


def test_undo_redo_is_linear(tmp_path):
    repo = DraftRepository(Store(tmp_path))
    d = repo.create("x", "yueyang")
    for text in ("一", "二", "三"):
        repo.revise(d.id, "problems", text, "edit")
    assert repo.step(d.id, "problems", -1).text == "二"
    assert repo.step(d.id, "problems", -1).text == "一"
    assert repo.step(d.id, "problems", -1) is None
    assert repo.step(d.id, "problems", +1).text == "二"
    state = repo.revise(d.id, "problems", "四", "edit")  # a new edit drops the undone "三"
    assert state.text == "四" and not state.can_redo
    assert [h["text"] for h in repo.history(d.id, "problems")] == ["一", "二", "四"]


def test_missing_draft(tmp_path):
    repo = DraftRepository(Store(tmp_path))
    with pytest.raises(DraftNotFound):
        repo.get("nope")
    with pytest.raises(DraftNotFound):
        repo.add_turn("nope", "user", "hi")
