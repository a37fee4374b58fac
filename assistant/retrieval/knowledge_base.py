"""The knowledge base: ingest documents into the database, keep BM25 and dense indexes, search both.

The database is the source of truth; every statement it runs lives in `storage.knowledge`. The BM25
index is rebuilt from stored tokens whenever the database generation moves (or its files are missing);
dense vectors are stored per passage, so a fill that is interrupted resumes where it stopped, and
search uses whatever vectors are ready.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..storage.database import Store
from ..storage.knowledge import PAGE, KnowledgeStore
from .dense import IVF_THRESHOLD, DenseIndex, top_rows
from .embedders import Embedder, make_embedder
from .hits import Hit
from .lexical import LexicalIndex
from .prepare import SUFFIXES, PreparedFile, digest_of, expand, prepare_files
from .tokenize import normalise_doc_no, tokenizer_version, tokens

BUILTIN_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge" / "corpus"
__all__ = ["KnowledgeBase", "IngestResult", "Hit", "expand", "SUFFIXES"]
RRF_K = 60
QUERY_CACHE = 512  # query vectors kept: section-precedent queries repeat across officers
Progress = Callable[[int], None]
MAX_QUERY_CHARS = 2000  # a section's opening says what it is about; a 5 MB query would cost seconds of BM25


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    passages: int = 0
    seconds: float = 0.0


class KnowledgeBase:
    def __init__(self, data_dir: str | Path, embedder: str | Embedder | None = None, store: Store | None = None):
        self.store = store or Store(data_dir)
        self.knowledge = KnowledgeStore(self.store)
        self.index_dir = Path(data_dir) / "index"
        self._embedder_spec = embedder
        self._embedder: Embedder | None | bool = False  # False: not created yet
        self._lexical: LexicalIndex | None = None
        self._meta: dict[str, np.ndarray] = {}
        self._dense: DenseIndex | None = None
        self._dense_rows = np.zeros(0, dtype=np.int64)
        self._dense_generation = -1
        self._dense_rowid = 0  # vectors.rowid of the last vector loaded
        # the last complete (lexical, meta, dense, dense rows): what searches use while another thread reloads
        self._published: tuple | None = None
        # index (re)loads happen once under this lock; searches that meet one use `_published` meanwhile
        self._lock = threading.RLock()
        self._cache_lock = threading.Lock()
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_pool: ThreadPoolExecutor | None = None

    # ---------------------------------------------------------------- ingest

    @property
    def embedder(self) -> Embedder | None:
        if self._embedder is False:
            spec = self._embedder_spec
            self._embedder = spec if spec is not None and not isinstance(spec, str) else make_embedder(spec)
        return self._embedder  # type: ignore[return-value]

    def ingest(self, paths: Iterable[str | Path], kind: str = "auto", builtin: bool = False,
               progress: Progress | None = None, workers: int | None = None) -> IngestResult:
        """Add or replace files; unchanged ones (same content) are skipped. Many files are prepared in
        `workers` processes (default: up to 4, one per core)."""
        t0 = time.perf_counter()
        result = IngestResult()
        self._retokenize_if_needed()  # new tokens below must match the stored ones
        jobs = []
        for path in expand(paths):
            try:
                digest = digest_of(path)
            except OSError:
                result.skipped.append((path.name, f"无法读取文件（没有权限或正被占用）：{path}" if path.exists()
                                       else f"找不到文件：{path}"))
                continue
            if self.knowledge.document_by_hash(digest):
                result.unchanged.append(path.name)
            else:
                jobs.append((path, kind, digest))
        for (path, _, _), prepared in zip(jobs, prepare_files(jobs, workers)):
            if isinstance(prepared, str):
                result.skipped.append((path.name, prepared))
                continue
            replaced = self._store_file(prepared, builtin)
            (result.replaced if replaced else result.added).append(path.name)
            result.passages += len(prepared.passages)
            if progress:
                progress(len(prepared.passages))
        if result.added or result.replaced or self._lexical is None:
            self.lexical()  # searchable the moment ingest returns
        result.seconds = time.perf_counter() - t0
        return result

    def _store_file(self, f: PreparedFile, builtin: bool) -> bool:
        """One document and its passages in one transaction; True when it replaced an older version."""
        meta = f.meta
        document = {"source": f.path.name, "path": str(f.path.resolve()), "content_hash": f.digest, "kind": meta.kind,
                    "title": meta.title, "doc_no": meta.doc_no, "doc_no_key": meta.doc_no_key, "issuer": meta.issuer,
                    "region": meta.region, "year": meta.year, "form": meta.form, "project_type": meta.project_type,
                    "builtin": int(builtin), "figures": f.figures}
        return self.knowledge.store_document(
            document, [(p.seq, p.section, p.heading, p.text, t) for p, t in zip(f.passages, f.tokens)])

    def add_prepared(self, prepared: PreparedFile) -> bool:
        """Store a file prepared elsewhere (an upload read in a worker process) and make it searchable by
        keyword at once; its vectors come with the next fill. True when it replaced an older version."""
        self._retokenize_if_needed()
        replaced = self._store_file(prepared, builtin=False)
        self.lexical()
        return replaced

    def known_digest(self, digest: str) -> dict | None:
        return self.knowledge.document_by_hash(digest)

    def documents(self, source: str | None = None) -> list[dict]:
        """Every document (or the one stored under file name `source`) with its type, year, region, passage
        count and how many passages have vectors."""
        emb = self.embedder
        return self.knowledge.documents(emb.name if emb else "", source)

    def document(self, doc_id: int) -> dict | None:
        return self.knowledge.document(doc_id)

    def delete_document(self, doc_id: int) -> bool:
        """Remove a document, its passages and vectors; the indexes follow the generation."""
        gone = self.knowledge.delete_document(doc_id)
        if gone:
            self.lexical()
        return gone

    def ensure_builtin(self) -> IngestResult | None:
        """Index the seed reports shipped in knowledge/corpus on first use."""
        files = sorted(BUILTIN_DIR.glob("*.txt"))
        have = self.knowledge.builtin_sources()
        if all(f.name in have for f in files):
            return None
        return self.ingest([f for f in files if f.name not in have], kind="report", builtin=True)

    # ---------------------------------------------------------------- indexes

    def _retokenize_if_needed(self) -> None:
        """Stored tokens were made by another tokenizer (code or lexicon changed): redo them from text."""
        version = tokenizer_version()
        if self.knowledge.tokenizer_version() == version:
            return
        self.knowledge.retokenize(version, lambda heading, text: " ".join(tokens(f"{heading} {text}")))

    def lexical(self) -> LexicalIndex:
        with self._lock:
            return self._lexical_locked()

    def _lexical_locked(self) -> LexicalIndex:
        if self._lexical is None:
            self._retokenize_if_needed()
        generation = self.store.generation()
        if self._lexical is not None and self._lexical.generation == generation:
            return self._lexical
        folder = self.index_dir / "bm25"
        index = LexicalIndex.load(folder, generation)
        # PAGE is read here, at call time, so a test can shrink the pages through this module
        rows = [r for page in self.knowledge.passage_meta_pages(PAGE) for r in page]  # PASSAGE_META columns
        if index is None or len(index.ids) != len(rows):
            pages = (([r[0] for r in page], [r[1].split() for r in page])
                     for page in self.knowledge.passage_token_pages(PAGE))
            index = LexicalIndex.build_pages(pages, generation)
            index.save(folder)
        _, section, kind, region, year, doc_no_key, doc_id, project_type = zip(*rows) if rows else ((),) * 8
        self._meta = {
            "section": np.array(section, dtype=object),
            "kind": np.array(kind, dtype=object),
            "region": np.array([r or "" for r in region], dtype=object),
            "year": np.array([y or 0 for y in year], dtype=np.int64),
            "doc_no": np.array([d or "" for d in doc_no_key], dtype=object),
            "doc": np.array(doc_id, dtype=np.int64),
            "project_type": np.array([t or "" for t in project_type], dtype=object),
        }
        self._lexical = index
        self._dense = None  # passage rows changed: dense rows are re-mapped on next use
        self._published = (index, self._meta, None, np.zeros(0, dtype=np.int64))
        return index

    def dense(self) -> DenseIndex | None:
        with self._lock:
            return self._dense_locked()

    def _dense_locked(self) -> DenseIndex | None:
        emb = self.embedder
        if emb is None:
            return None
        lex = self._lexical_locked()
        vectors_generation = self.store.vectors_generation()
        if self._dense is not None and self._dense_generation == vectors_generation:
            return self._dense
        if self._dense is None:  # first use, or passages changed: every vector, mapped afresh
            index = DenseIndex(emb.dim, emb.name)
            index.reserve(self.knowledge.vector_count(emb.name))
            self._dense_rowid, rows = 0, [np.zeros(0, dtype=np.int64)]
        else:  # only the vectors saved since: a background fill adds a batch at a time
            index, rows = self._dense, [self._dense_rows]
        for page in self.knowledge.vector_pages(emb.name, after=self._dense_rowid, page=PAGE):
            ids = np.array([r[1] for r in page], dtype=np.int64)
            index.add(ids, np.frombuffer(b"".join(r[2] for r in page), dtype=np.float32).reshape(len(page), emb.dim))
            rows.append(np.array([lex.row_of.get(int(i), -1) for i in ids], dtype=np.int64))
            self._dense_rowid = page[-1][0]
        if index.ivf is None and len(index) >= IVF_THRESHOLD:
            # stamped with both generations and the last vector rowid: a saved index is only reused
            # for exactly the rows, in the order, it was trained and filled on
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", emb.name)
            ivf_path = self.index_dir / f"ivf-{name}.faiss"
            stamp = f"passages:{lex.generation}:vectors:{vectors_generation}:rowid:{self._dense_rowid}"
            if not index.load_ivf(ivf_path, stamp):
                index.build_ivf()
                index.save_ivf(ivf_path, stamp)
        self._dense, self._dense_generation = index, vectors_generation
        self._dense_rows = np.concatenate(rows)
        self._published = (lex, self._meta, index, self._dense_rows)
        return index

    def pending_vectors(self) -> int:
        emb = self.embedder
        if emb is None:
            return 0
        return self.knowledge.pending_vectors(emb.name)

    def pending_batch(self, size: int, after: int = 0) -> list[dict]:
        """The next passages after id `after` without a vector for this embedder (id, heading, text).

        Callers pass the last id they got, so a long fill walks the table once instead of rescanning
        the filled part for every batch.
        """
        emb = self.embedder
        if emb is None:
            return []
        return self.knowledge.pending_batch(emb.name, size, after)

    def embed_batch(self, batch: list) -> np.ndarray:
        """Vectors for a batch (slow, no database access: the server runs it on a worker thread)."""
        return self.embedder.embed_passages(  # type: ignore[union-attr]
            [f"{r['heading']}\n{r['text']}" if r["heading"] else r["text"] for r in batch])

    def save_vectors(self, batch: list, vectors: np.ndarray) -> int:
        emb = self.embedder
        # a passage replaced meanwhile is skipped by the store: its id no longer exists
        self.knowledge.save_vectors(emb.name,  # type: ignore[union-attr]
                                    [(r["id"], v.astype(np.float32).tobytes()) for r, v in zip(batch, vectors)])
        return len(batch)

    def fill_dense(self, batch_size: int = 16, progress: Progress | None = None,
                   should_stop: Callable[[], bool] | None = None) -> int:
        """Embed passages that have no vector yet; commits every batch, so it can resume."""
        if self.embedder is None:
            return 0
        done = last = 0
        while not (should_stop and should_stop()):
            batch = self.pending_batch(batch_size, last)
            if not batch:
                break
            last = batch[-1]["id"]
            done += self.save_vectors(batch, self.embed_batch(batch))
            if progress:
                progress(len(batch))
        return done

    # ---------------------------------------------------------------- search

    def _snapshot(self, with_dense: bool) -> tuple[LexicalIndex, dict, DenseIndex | None, np.ndarray]:
        """Indexes and row maps that belong together. When another thread holds the lock (a reload,
        ~10 s at 100k passages), the last complete set is searched instead of waiting for it."""
        if not self._lock.acquire(blocking=self._published is None):
            lex, meta, dense, rows = self._published  # type: ignore[misc]
            return lex, meta, dense if with_dense else None, rows
        try:
            lex = self._lexical_locked()
            dense = self._dense_locked() if with_dense else None
            return lex, self._meta, dense, self._dense_rows
        finally:
            self._lock.release()

    @staticmethod
    def _mask(m: dict, kind=None, section=None, region=None, year=None, doc_no=None,
              project_type=None, not_project_type=None) -> np.ndarray | None:
        mask = np.ones(len(m.get("kind", [])), dtype=bool)
        if project_type:
            mask &= m["project_type"] == project_type
        if not_project_type:
            mask &= m["project_type"] != not_project_type
        if kind:
            mask &= m["kind"] == kind
        if section:
            mask &= m["section"] == section
        if region:
            mask &= np.array([region in r for r in m["region"]], dtype=bool)
        if year:
            mask &= m["year"] == int(year)
        if doc_no:
            mask &= m["doc_no"] == normalise_doc_no(doc_no)
        return None if mask.all() else mask

    def search(self, query: str = "", k: int = 5, kind: str | None = None, section: str | None = None,
               region: str | None = None, year: int | None = None, doc_no: str | None = None,
               retrievers: tuple[str, ...] = ("bm25", "dense"), weights: dict[str, float] | None = None,
               like: int | None = None, candidates: int = 50, project_type: str | None = None,
               not_project_type: str | None = None) -> list[Hit]:
        """Hybrid search: reciprocal-rank fusion of BM25 and dense, with filters (a report's project type
        among them: `project_type` keeps that type only, `not_project_type` every other)."""
        lex, meta, dense, dense_rows = self._snapshot("dense" in retrievers)
        if len(lex.ids) == 0:
            return []
        query = query[:MAX_QUERY_CHARS]
        weights = {"bm25": 1.0, "dense": 1.0, **(weights or {})}
        mask = self._mask(meta, kind, section, region, year, doc_no, project_type, not_project_type)
        exclude_doc = None
        if like is not None:
            found = self.knowledge.passage_text(like)
            if found is None:
                return []
            query, exclude_doc = found[0][:MAX_QUERY_CHARS], found[1]
            mask = (mask if mask is not None else np.ones(len(lex.ids), dtype=bool)) & (meta["doc"] != exclude_doc)
        ranked: dict[str, list[int]] = {}
        pending = None
        if dense is not None and len(dense):
            # the query embedding releases the GIL (C engine / torch): BM25 runs while it computes
            pending = self._query_executor().submit(self._vector_for, query)
        if "bm25" in retrievers:
            scores = lex.scores(tokens(query))
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            top = top_rows(scores, candidates)
            ranked["bm25"] = [int(lex.ids[r]) for r in top if scores[r] > 0]
        if pending is not None:
            allowed = None
            if mask is not None:
                # over the snapshot's rows only: the index object grows in place while a fill runs, and the
                # rows it gains after this snapshot have no row map here (they are left out of this search)
                allowed = np.zeros(len(dense_rows), dtype=bool)
                ok = dense_rows >= 0
                allowed[ok] = mask[dense_rows[ok]]
            ranked["dense"] = [pid for pid, _ in dense.search(pending.result(), candidates, allowed)]
        fused: dict[int, float] = {}
        ranks: dict[int, dict[str, int]] = {}
        for name, ids in ranked.items():
            for rank, pid in enumerate(ids, start=1):
                fused[pid] = fused.get(pid, 0.0) + weights.get(name, 1.0) / (RRF_K + rank)
                ranks.setdefault(pid, {})[name] = rank
        best = sorted(fused, key=lambda pid: (-fused[pid], pid))[:k]
        return self._hits(best, fused, ranks)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding, computed on the knowledge base's query thread."""
        return self._query_executor().submit(self._vector_for, query).result()

    def _vector_for(self, query: str) -> np.ndarray:
        """From a small LRU cache (the same section queries recur across drafts), else embedded."""
        emb = self.embedder
        key = f"{emb.name}\x00{query}"  # type: ignore[union-attr]
        with self._cache_lock:
            cached = self._query_vectors.get(key)
            if cached is not None:
                self._query_vectors.move_to_end(key)
                return cached
        vector = emb.embed_queries([query])[0]  # type: ignore[union-attr]
        with self._cache_lock:
            self._query_vectors[key] = vector
            while len(self._query_vectors) > QUERY_CACHE:
                self._query_vectors.popitem(last=False)
        return vector

    def clear_query_cache(self) -> None:
        with self._cache_lock:
            self._query_vectors.clear()

    def _query_executor(self) -> ThreadPoolExecutor:
        # one thread for every query embedding: the C engine keeps an OpenMP team per calling thread,
        # and two teams spinning on 2 cores doubled embedding time when measured
        with self._cache_lock:
            if self._query_pool is None:
                self._query_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embed")
            return self._query_pool

    def _hits(self, ids: list[int], fused: dict[int, float], ranks: dict[int, dict[str, int]]) -> list[Hit]:
        if not ids:
            return []
        rows = self.knowledge.hits(ids)
        return [Hit(passage_id=pid, source=rows[pid]["source"], title=rows[pid]["title"], doc_kind=rows[pid]["kind"],
                    section=rows[pid]["section"], heading=rows[pid]["heading"], text=rows[pid]["text"],
                    score=fused[pid], retrievers=sorted(ranks[pid]), ranks=ranks[pid], doc_no=rows[pid]["doc_no"],
                    region=rows[pid]["region"], year=rows[pid]["year"], issuer=rows[pid]["issuer"],
                    figures=json.loads(rows[pid]["figures"]) if rows[pid]["figures"] else None,
                    project_type=rows[pid]["project_type"])
                for pid in ids if pid in rows]

    def report_texts(self) -> list[tuple[str, str]]:
        """(report title, passage text) for every report passage: the reviewer's sentence index."""
        return self.knowledge.report_texts()

    def report_figures(self) -> list[dict]:
        return [{"title": title, **(json.loads(figures) if figures else {})}
                for title, figures in self.knowledge.report_figures()]

    def stats(self) -> dict:
        emb = self.embedder if self._embedder is not False else None
        return {**self.knowledge.stats(), "embedder": emb.name if emb else None}

    def close(self) -> None:
        if self._query_pool is not None:
            self._query_pool.shutdown(wait=True)
        self.store.close()
