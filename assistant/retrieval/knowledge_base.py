"""The knowledge base: ingest documents into SQLite, keep BM25 and dense indexes, search both.

SQLite is the source of truth. The BM25 index is rebuilt from stored tokens whenever the database
generation moves (or its files are missing); dense vectors are stored per passage, so a fill that
is interrupted resumes where it stopped, and search uses whatever vectors are ready.
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
from .dense import IVF_THRESHOLD, DenseIndex, top_rows
from .embedders import Embedder, make_embedder
from .hits import Hit
from .lexical import LexicalIndex
from .prepare import SUFFIXES, PreparedFile, digest_of, expand, prepare_files
from .tokenize import normalise_doc_no, tokenizer_version, tokens

BUILTIN_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge" / "corpus"
__all__ = ["KnowledgeBase", "IngestResult", "Hit", "expand", "SUFFIXES"]
RRF_K = 60
PAGE = 5000  # rows per SQLite page when (re)building indexes: bounded memory at any corpus size
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
            if self.store.query("SELECT id FROM documents WHERE content_hash = ?", (digest,)):
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
        with self.store.write() as db:
            old = db.execute("SELECT id FROM documents WHERE path = ?", (str(f.path.resolve()),)).fetchone()
            if old:
                db.execute("DELETE FROM documents WHERE id = ?", (old[0],))
            cur = db.execute(
                "INSERT INTO documents(source, path, content_hash, kind, title, doc_no, doc_no_key, issuer, region,"
                " year, form, project_type, builtin, figures) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (f.path.name, str(f.path.resolve()), f.digest, meta.kind, meta.title, meta.doc_no, meta.doc_no_key,
                 meta.issuer, meta.region, meta.year, meta.form, meta.project_type, int(builtin), f.figures))
            db.executemany("INSERT INTO passages(doc_id, seq, section, heading, text, tokens) VALUES (?,?,?,?,?,?)",
                           [(cur.lastrowid, p.seq, p.section, p.heading, p.text, t) for p, t in zip(f.passages, f.tokens)])
            Store.bump_generation(db)
        return bool(old)

    def add_prepared(self, prepared: PreparedFile) -> bool:
        """Store a file prepared elsewhere (an upload read in a worker process) and make it searchable by
        keyword at once; its vectors come with the next fill. True when it replaced an older version."""
        self._retokenize_if_needed()
        replaced = self._store_file(prepared, builtin=False)
        self.lexical()
        return replaced

    def known_digest(self, digest: str) -> dict | None:
        rows = self.store.query("SELECT id, source, title FROM documents WHERE content_hash = ?", (digest,))
        return dict(rows[0]) if rows else None

    def documents(self) -> list[dict]:
        """Every document with its type, year, region, passage count and how many passages have vectors."""
        emb = self.embedder
        rows = self.store.query(
            "SELECT d.id, d.source, d.title, d.kind, d.year, d.region, d.doc_no, d.issuer, d.project_type, d.builtin,"
            " d.added_at, COUNT(p.id) AS passages,"
            " SUM(EXISTS(SELECT 1 FROM vectors v WHERE v.passage_id = p.id AND v.model = ?)) AS vectors"
            " FROM documents d LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.id ORDER BY d.id DESC",
            (emb.name if emb else "",))
        return [{**dict(r), "builtin": bool(r["builtin"]), "vectors": int(r["vectors"] or 0)} for r in rows]

    def document(self, doc_id: int) -> dict | None:
        rows = self.store.query("SELECT id, source, path, title, kind, builtin FROM documents WHERE id = ?", (doc_id,))
        return dict(rows[0]) if rows else None

    def delete_document(self, doc_id: int) -> bool:
        """Remove a document, its passages and vectors; the indexes follow the generation."""
        with self.store.write() as db:
            gone = db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            if gone:
                Store.bump_generation(db)
        if gone:
            self.lexical()
        return bool(gone)

    def ensure_builtin(self) -> IngestResult | None:
        """Index the seed reports shipped in knowledge/corpus on first use."""
        files = sorted(BUILTIN_DIR.glob("*.txt"))
        have = {r[0] for r in self.store.query("SELECT source FROM documents WHERE builtin = 1")}
        if all(f.name in have for f in files):
            return None
        return self.ingest([f for f in files if f.name not in have], kind="report", builtin=True)

    # ---------------------------------------------------------------- indexes

    def _retokenize_if_needed(self) -> None:
        """Stored tokens were made by another tokenizer (code or lexicon changed): redo them from text."""
        version = tokenizer_version()
        row = self.store.query("SELECT value FROM meta WHERE key = 'tokenizer'")
        if row and row[0][0] == version:
            return
        passages = self.store.query("SELECT id, heading, text FROM passages")
        with self.store.write() as db:
            db.executemany("UPDATE passages SET tokens = ? WHERE id = ?",
                           [(" ".join(tokens(f"{r['heading']} {r['text']}")), r["id"]) for r in passages])
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('tokenizer', ?)", (version,))
            Store.bump_generation(db)

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
        rows = self._paged("SELECT p.id, p.section, d.kind, d.region, d.year, d.doc_no_key, d.id AS doc_id, "
                           "d.project_type "
                           "FROM passages p JOIN documents d ON d.id = p.doc_id", "p.id")
        if index is None or len(index.ids) != len(rows):
            pages = (([r["id"] for r in page], [r["tokens"].split() for r in page])
                     for page in self._pages("SELECT p.id, p.tokens FROM passages p", "p.id"))
            index = LexicalIndex.build_pages(pages, generation)
            index.save(folder)
        self._meta = {
            "section": np.array([r["section"] for r in rows], dtype=object),
            "kind": np.array([r["kind"] for r in rows], dtype=object),
            "region": np.array([r["region"] or "" for r in rows], dtype=object),
            "year": np.array([r["year"] or 0 for r in rows], dtype=np.int64),
            "doc_no": np.array([r["doc_no_key"] or "" for r in rows], dtype=object),
            "doc": np.array([r["doc_id"] for r in rows], dtype=np.int64),
            "project_type": np.array([r["project_type"] or "" for r in rows], dtype=object),
        }
        self._lexical = index
        self._dense = None  # passage rows changed: dense rows are re-mapped on next use
        self._published = (index, self._meta, None, np.zeros(0, dtype=np.int64))
        return index

    def _pages(self, sql: str, key: str, params: tuple = (), after: int = -1) -> Iterable[list]:
        """`sql` in pages of PAGE rows ordered by `key` (an integer id, the first column), from `after` on,
        so no page holds the whole table."""
        where = " AND " if " WHERE " in sql else " WHERE "
        last = after
        while True:
            page = self.store.query(f"{sql}{where}{key} > ? ORDER BY {key} LIMIT {PAGE}", (*params, last))
            if not page:
                return
            yield page
            last = page[-1][0]

    def _paged(self, sql: str, key: str, params: tuple = ()) -> list:
        return [r for page in self._pages(sql, key, params) for r in page]

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
            index.reserve(self.store.query("SELECT COUNT(*) FROM vectors WHERE model = ?", (emb.name,))[0][0])
            self._dense_rowid, rows = 0, [np.zeros(0, dtype=np.int64)]
        else:  # only the vectors saved since: a background fill adds a batch at a time
            index, rows = self._dense, [self._dense_rows]
        for page in self._pages("SELECT rowid, passage_id, vec FROM vectors WHERE model = ?", "rowid", (emb.name,),
                                after=self._dense_rowid):
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
        return self.store.query(
            "SELECT COUNT(*) FROM passages p LEFT JOIN vectors v ON v.passage_id = p.id AND v.model = ? "
            "WHERE v.passage_id IS NULL", (emb.name,))[0][0]

    def pending_batch(self, size: int, after: int = 0) -> list:
        """The next passages after id `after` without a vector for this embedder (id, heading, text).

        Callers pass the last id they got, so a long fill walks the table once instead of rescanning
        the filled part for every batch.
        """
        emb = self.embedder
        if emb is None:
            return []
        return self.store.query(
            "SELECT p.id, p.heading, p.text FROM passages p LEFT JOIN vectors v ON v.passage_id = p.id "
            "AND v.model = ? WHERE v.passage_id IS NULL AND p.id > ? ORDER BY p.id LIMIT ?", (emb.name, after, size))

    def embed_batch(self, batch: list) -> np.ndarray:
        """Vectors for a batch (slow, no database access: the server runs it on a worker thread)."""
        return self.embedder.embed_passages(  # type: ignore[union-attr]
            [f"{r['heading']}\n{r['text']}" if r["heading"] else r["text"] for r in batch])

    def save_vectors(self, batch: list, vectors: np.ndarray) -> int:
        emb = self.embedder
        with self.store.write() as db:
            # a passage replaced meanwhile is skipped: its id no longer exists
            db.executemany("INSERT OR IGNORE INTO vectors(passage_id, model, vec) SELECT ?, ?, ? "
                           "WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)",
                           [(r["id"], emb.name, v.astype(np.float32).tobytes(), r["id"])  # type: ignore[union-attr]
                            for r, v in zip(batch, vectors)])
            Store.bump_vectors(db)
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
            row = self.store.query("SELECT text, doc_id FROM passages WHERE id = ?", (like,))
            if not row:
                return []
            query, exclude_doc = row[0]["text"][:MAX_QUERY_CHARS], row[0]["doc_id"]
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
                allowed = np.zeros(len(dense), dtype=bool)
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
        marks = ",".join("?" * len(ids))
        rows = {r["id"]: r for r in self.store.query(
            f"SELECT p.id, p.section, p.heading, p.text, d.source, d.title, d.kind, d.doc_no, d.region, d.year, d.issuer, "
            f"d.figures, d.project_type "
            f"FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({marks})", tuple(ids))}
        return [Hit(passage_id=pid, source=rows[pid]["source"], title=rows[pid]["title"], doc_kind=rows[pid]["kind"],
                    section=rows[pid]["section"], heading=rows[pid]["heading"], text=rows[pid]["text"],
                    score=fused[pid], retrievers=sorted(ranks[pid]), ranks=ranks[pid], doc_no=rows[pid]["doc_no"],
                    region=rows[pid]["region"], year=rows[pid]["year"], issuer=rows[pid]["issuer"],
                    figures=json.loads(rows[pid]["figures"]) if rows[pid]["figures"] else None,
                    project_type=rows[pid]["project_type"])
                for pid in ids if pid in rows]

    def report_texts(self) -> list[tuple[str, str]]:
        """(report title, passage text) for every report passage: the reviewer's sentence index."""
        rows = self.store.query("SELECT d.title, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
                                "WHERE d.kind = 'report'")
        return [(r[0], r[1]) for r in rows]

    def report_figures(self) -> list[dict]:
        rows = self.store.query("SELECT title, figures FROM documents WHERE kind = 'report'")
        return [{"title": r[0], **(json.loads(r[1]) if r[1] else {})} for r in rows]

    def stats(self) -> dict:
        docs = self.store.query("SELECT kind, COUNT(*) FROM documents GROUP BY kind")
        passages = self.store.query("SELECT COUNT(*) FROM passages")[0][0]
        emb = self.embedder if self._embedder is not False else None
        vectors = self.store.query("SELECT model, COUNT(*) FROM vectors GROUP BY model")
        return {"documents": {r[0]: r[1] for r in docs}, "passages": passages,
                "vectors": {r[0]: r[1] for r in vectors}, "embedder": emb.name if emb else None}

    def close(self) -> None:
        if self._query_pool is not None:
            self._query_pool.shutdown(wait=True)
        self.store.close()
