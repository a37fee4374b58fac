"""`assistant user …` and `assistant audit` on the command line, on the same database the service uses."""
import json
import sqlite3

from assistant.storage.database import DB_NAME

from .conftest import run_cli


def _user(data, *args, password="long-enough-1"):
    import subprocess
    import sys

    from .conftest import ROOT

    return subprocess.run([sys.executable, "-m", "assistant", "user", *args, "--data", str(data), "--password-stdin"],
                          input=password + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_add_list_passwd_disable(tmp_path):
    data = tmp_path / "data"
    first = _user(data, "add", "boss", "--role", "admin")
    assert first.returncode == 0 and "账号已启用" in first.stdout, first.stderr
    assert _user(data, "add", "张三", "--role", "officer", "--unit", "县交通运输局").returncode == 0
    assert _user(data, "add", "李四", "--role", "reviewer", "--units", "县交通运输局，县水利局").returncode == 0
    listed = json.loads(run_cli("user", "list", "--data", data, "--json").stdout)
    assert [(u["username"], u["role"], u["unit"], u["units"]) for u in listed] == [
        ("boss", "admin", "", []), ("张三", "officer", "县交通运输局", []), ("李四", "reviewer", "", ["县交通运输局", "县水利局"])]
    db = sqlite3.connect(data / DB_NAME)
    before = db.execute("SELECT password_hash FROM users WHERE username = '张三'").fetchone()[0]
    assert _user(data, "passwd", "张三", password="another-pass-2").returncode == 0
    after = db.execute("SELECT password_hash FROM users WHERE username = '张三'").fetchone()[0]
    assert before != after and after.startswith("$argon2id$")
    assert run_cli("user", "disable", "张三", "--data", data).returncode == 0
    assert db.execute("SELECT disabled FROM users WHERE username = '张三'").fetchone()[0] == 1
    db.close()
    audit = json.loads(run_cli("audit", "--data", data, "--json").stdout)
    assert [a["action"] for a in audit][:2] == ["user_update", "user_update"] and audit[0]["target"] == "张三"


def test_refusals_are_one_line(tmp_path):
    data = tmp_path / "data"
    assert _user(data, "add", "boss", "--role", "admin").returncode == 0
    cases = [(_user(data, "add", "boss", "--role", "admin"), "已存在"),
             (_user(data, "add", "王五", "--role", "officer"), "--unit"),
             (_user(data, "add", "赵六", "--role", "reviewer"), "--units"),
             (_user(data, "add", "x", "--role", "admin"), "用户名"),
             (_user(data, "add", "short", "--role", "admin", password="abc"), "至少 8 位"),
             (run_cli("user", "disable", "nobody", "--data", data), "没有用户")]
    for proc, words in cases:
        assert proc.returncode == 2, proc.stdout + proc.stderr
        line = proc.stderr.strip()
        assert len(line.splitlines()) == 1 and words in line and "Traceback" not in line, line


def test_local_drafts_go_to_the_first_officer_that_takes_them(tmp_path):
    from assistant.storage.database import Store
    from assistant.storage.drafts import DraftRepository

    data = tmp_path / "data"
    store = Store(data)
    DraftRepository(store).create("单用户模式下写的草稿", "yueyang")
    store.close()
    assert _user(data, "add", "boss", "--role", "admin").returncode == 0
    made = _user(data, "add", "张三", "--role", "officer", "--unit", "县交通运输局", "--take-local-drafts")
    assert made.returncode == 0 and "1 份" in made.stdout
    db = sqlite3.connect(data / DB_NAME)
    assert db.execute("SELECT unit FROM drafts").fetchall() == [("县交通运输局",)]
    db.close()
