"""What the 100k-passage work changed: paged index builds, parallel preparation, the vectors generation,
the query-vector cache, the exact scan and searches racing an ingest."""
import shutil
import threading

import numpy as np
import pytest

from assistant.retrieval import knowledge_base as kb_module
from assistant.retrieval.dense import DenseIndex, top_rows
from assistant.retrieval.embedders import FakeEmbedder
from assistant.retrieval.knowledge_base import KnowledgeBase
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.prepare import PARALLEL_MIN_FILES, expand, prepare_files
from assistant.bench.scale_corpus import synthetic_passages, write_synthetic_corpus

from .conftest import DATA, SEEDS

QUERIES = ("预算执行率偏低 整改", "网站集约化 统一平台", "绩效目标 申报", "资金到位 拨付")


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__(32)
        self.query_calls = 0

    def embed_queries(self, texts):
        self.query_calls += len(texts)
        return super().embed_queries(texts)


def _files(tmp_path, n_files=PARALLEL_MIN_FILES + 2):
    base = [("text", "", p.read_text(encoding="utf-8")[:300]) for p in sorted((DATA / "kb").iterdir())]
    return write_synthetic_corpus(tmp_path / "syn", base, n_files * 200)


def test_build_pages_matches_one_build():
    docs = [["预算", "执行率", "偏低"], ["网站", "集约化"], [], ["预算", "预算", "资金"], ["资金", "到位"]]
    whole = LexicalIndex.build(list(range(10, 15)), docs, 0)
    paged = LexicalIndex.build_pages([([10, 11], docs[:2]), ([12, 13, 14], docs[2:])], 0)
    assert list(paged.ids) == [10, 11, 12, 13, 14]
    for q in (["预算"], ["资金", "到位"], ["集约化", "预算"]):
        assert np.allclose(whole.scores(q), paged.scores(q))
    assert paged.scores(["预算"]).argmax() == 3  # the passage saying it twice
    empty = LexicalIndex.build_pages([], 0)
    assert len(empty.ids) == 0 and len(empty.scores(["预算"])) == 0


def test_paged_rebuild_from_sqlite_ranks_like_before(tmp_path, monkeypatch):
    kb = KnowledgeBase(tmp_path / "a", embedder="none")
    kb.ingest([DATA / "kb", SEEDS["001"], SEEDS["002"]])
    before = {q: [h.passage_id for h in kb.search(q, k=5, retrievers=("bm25",))] for q in QUERIES}
    monkeypatch.setattr(kb_module, "PAGE", 7)  # many small pages
    shutil.rmtree(tmp_path / "a" / "index")
    fresh = KnowledgeBase(tmp_path / "a", embedder="none")
    assert {q: [h.passage_id for h in fresh.search(q, k=5, retrievers=("bm25",))] for q in QUERIES} == before
    fresh.close()
    kb.close()


def test_parallel_preparation_equals_inline(tmp_path):
    files = _files(tmp_path)
    jobs = [(f, "auto", "x") for f in files]
    inline = list(prepare_files(jobs, workers=1))
    parallel = list(prepare_files(jobs, workers=2))  # forked when this is the process's only thread
    idle = threading.Event()
    other = threading.Thread(target=idle.wait)
    other.start()  # with another thread alive the workers must be spawned, never forked
    try:
        spawned = list(prepare_files(jobs, workers=2))
    finally:
        idle.set()
        other.join()
    assert len(parallel) == len(files) >= PARALLEL_MIN_FILES

    def shape(prepared):
        return [(p.meta.title, p.tokens, [x.text for x in p.passages]) for p in prepared]

    assert shape(parallel) == shape(inline) == shape(spawned)
    assert all(p.meta.title.startswith("【合成】") for p in parallel)


def test_large_ingest_uses_workers_and_stays_searchable(tmp_path):
    files = _files(tmp_path)
    kb = KnowledgeBase(tmp_path / "data", embedder="none")
    result = kb.ingest([tmp_path / "syn"], workers=2)
    assert len(result.added) == len(files) and result.passages >= len(files) * 200
    hits = kb.search("预算执行率", k=3, retrievers=("bm25",))
    assert hits and all("【合成】" in h.text and h.title.startswith("【合成】") for h in hits)
    again = kb.ingest([tmp_path / "syn"], workers=2)
    assert again.passages == 0 and len(again.unchanged) == len(files)
    kb.close()


def test_query_vectors_are_cached_and_dense_grows_with_the_fill(tmp_path):
    emb = CountingEmbedder()
    kb = KnowledgeBase(tmp_path, embedder=emb)
    kb.ingest([DATA / "kb"])
    kb.fill_dense(batch_size=2, should_stop=lambda: kb.stats()["vectors"].get(emb.name, 0) >= 4)
    assert kb.stats()["vectors"][emb.name] < kb.stats()["passages"]
    first = kb.dense()
    partial = len(first)
    kb.search("预算执行率", k=3)
    kb.search("预算执行率", k=3)
    assert emb.query_calls == 1  # the second search took the cached vector
    assert kb.dense() is first and len(first) == partial  # nothing saved: nothing loaded
    kb.fill_dense()
    grown = kb.dense()
    # the fill's vectors are appended to the loaded index, not reloaded from scratch
    assert grown is first and len(grown) == kb.stats()["passages"] > partial
    assert sorted(grown.ids.tolist()) == sorted(r[0] for r in kb.store.query("SELECT id FROM passages"))
    kb.clear_query_cache()
    hits = kb.search("预算执行率", k=3, retrievers=("dense",))
    assert emb.query_calls == 2 and hits
    # a changed passage set (a new file) maps every vector afresh
    kb.ingest([SEEDS["001"]])
    assert kb.dense() is not first
    kb.close()


def test_search_during_a_reload_uses_the_last_complete_indexes(tmp_path):
    kb = KnowledgeBase(tmp_path, embedder=FakeEmbedder(32))
    kb.ingest([DATA / "kb"])
    kb.fill_dense()
    before = [h.passage_id for h in kb.search("预算执行率 整改", k=3)]
    held, release = threading.Event(), threading.Event()

    def reloading():  # stands for a long index load on another thread
        with kb._lock:
            held.set()
            release.wait(10)

    t = threading.Thread(target=reloading)
    t.start()
    held.wait(5)
    try:
        during = [h.passage_id for h in kb.search("预算执行率 整改", k=3)]
        still_reloading = t.is_alive()  # the search came back while the lock was still held
    finally:
        release.set()
        t.join()
    assert still_reloading and during == before
    kb.close()


def test_exact_scan_and_top_rows():
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(500, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = DenseIndex(16, "t")
    index.add(np.arange(1000, 1500), vecs)
    got = index.search(vecs[42], 5)
    brute = np.argsort(-(vecs @ vecs[42]))[:5]
    assert [pid for pid, _ in got] == [1000 + int(r) for r in brute] and got[0][0] == 1042
    assert list(top_rows(np.array([0.1, 0.9, 0.5, 0.7]), 2)) == [1, 3]
    assert list(top_rows(np.array([0.1, 0.9]), 5)) == [1, 0]


def test_searches_racing_an_ingest_never_fail(tmp_path):
    kb = KnowledgeBase(tmp_path / "data", embedder=FakeEmbedder(32))
    kb.ingest([SEEDS["001"]])
    errors: list[BaseException] = []
    done = threading.Event()

    def searcher():
        while not done.is_set():
            try:
                kb.search("预算执行率 整改", k=3)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
                return

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        kb.ingest([DATA / "kb", SEEDS["002"]])
        kb.fill_dense()
    finally:
        done.set()
        for t in threads:
            t.join()
    assert errors == []
    assert {h.source for h in kb.search("网站集约化", k=10, retrievers=("bm25",))} & {p.name for p in expand([DATA / "kb"])}
    kb.close()


@pytest.mark.parametrize("n", [1, 250])
def test_synthetic_corpus_files_hold_one_passage_per_article(tmp_path, n):
    base = [("text", "", "岳阳市平台运维费用144.9万元。第二句。")]
    files = write_synthetic_corpus(tmp_path, base, n)
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert text.count("第") >= n and "岳阳市" not in text and text.startswith("【合成】")
    assert len(synthetic_passages(base, n)) == n
