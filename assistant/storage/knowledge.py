"""The knowledge base's documents, passages and vectors in SQLite: every statement the retrieval code needs.

Methods take and return plain values (ints, strings, bytes, tuples, dicts), never a cursor or a row,
so another engine can stand in for SQLite without the retrieval code or the service changing.
Readers over whole tables come in keyset pages of `page` rows, so an index rebuild at 100k passages
never holds the table at once.
"""
from __future__ import annotations

from typing import Callable, Iterator, Sequence

from .database import Store

PAGE = 5000  # rows per page when (re)building indexes: bounded memory at any corpus size

# a document's stored fields, in the order `store_document` writes them
DOCUMENT_FIELDS = ("source", "path", "content_hash", "kind", "title", "doc_no", "doc_no_key", "issuer", "region",
                   "year", "form", "project_type", "builtin", "figures")
# the columns of a `passage_meta_pages` row: what the search filters read
PASSAGE_META = ("id", "section", "kind", "region", "year", "doc_no_key", "doc_id", "project_type")


class KnowledgeStore:
    """Documents with their passages (and BM25 tokens), dense vectors per passage and model, the tokenizer stamp."""

    def __init__(self, store: Store):
        self.store = store

    # ------------------------------------------------------------------ documents

    def document_by_hash(self, digest: str) -> dict | None:
        """A document with this content (id, source, title), whatever its path."""
        rows = self.store.query("SELECT id, source, title FROM documents WHERE content_hash = ?", (digest,))
        return dict(rows[0]) if rows else None

    def document_by_path(self, path: str) -> dict | None:
        rows = self.store.query("SELECT id, source, title FROM documents WHERE path = ?", (path,))
        return dict(rows[0]) if rows else None

    def document(self, doc_id: int) -> dict | None:
        rows = self.store.query("SELECT id, source, path, title, kind, builtin FROM documents WHERE id = ?", (doc_id,))
        return dict(rows[0]) if rows else None

    def store_document(self, document: dict, passages: Sequence[tuple[int, str, str, str, str]]) -> bool:
        """One document (DOCUMENT_FIELDS) and its passages (seq, section, heading, text, tokens) in one
        transaction, replacing the document stored from the same path; True when it replaced one."""
        values = tuple(document[name] for name in DOCUMENT_FIELDS)
        with self.store.write() as db:
            old = db.execute("SELECT id FROM documents WHERE path = ?", (document["path"],)).fetchone()
            if old:
                db.execute("DELETE FROM documents WHERE id = ?", (old[0],))
            cur = db.execute(f"INSERT INTO documents({', '.join(DOCUMENT_FIELDS)}) "
                             f"VALUES ({','.join('?' * len(DOCUMENT_FIELDS))})", values)
            db.executemany("INSERT INTO passages(doc_id, seq, section, heading, text, tokens) VALUES (?,?,?,?,?,?)",
                           [(cur.lastrowid, *p) for p in passages])
            Store.bump_generation(db)
        return bool(old)

    def delete_document(self, doc_id: int) -> bool:
        """The document, its passages and vectors (cascade); moves the generation when one was there."""
        with self.store.write() as db:
            gone = db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            if gone:
                Store.bump_generation(db)
        return bool(gone)

    def documents(self, model: str, source: str | None = None) -> list[dict]:
        """Every document (or the one stored under file name `source`), newest first, with its passage count
        and how many passages have a `model` vector."""
        where, params = ("WHERE d.source = ? ", (model, source)) if source is not None else ("", (model,))
        rows = self.store.query(
            "SELECT d.id, d.source, d.title, d.kind, d.year, d.region, d.doc_no, d.issuer, d.project_type, d.builtin,"
            " d.added_at, COUNT(p.id) AS passages,"
            " SUM(EXISTS(SELECT 1 FROM vectors v WHERE v.passage_id = p.id AND v.model = ?)) AS vectors"
            f" FROM documents d LEFT JOIN passages p ON p.doc_id = d.id {where}GROUP BY d.id ORDER BY d.id DESC", params)
        return [{**dict(r), "builtin": bool(r["builtin"]), "vectors": int(r["vectors"] or 0)} for r in rows]

    def builtin_sources(self) -> set[str]:
        return {r[0] for r in self.store.query("SELECT source FROM documents WHERE builtin = 1")}

    # ------------------------------------------------------------------ tokens

    def tokenizer_version(self) -> str | None:
        """The tokenizer the stored BM25 tokens were made by (None before the first stamp)."""
        row = self.store.query("SELECT value FROM meta WHERE key = 'tokenizer'")
        return row[0][0] if row else None

    def retokenize(self, version: str, tokenize: Callable[[str, str], str]) -> None:
        """Every passage's tokens redone as `tokenize(heading, text)` and stamped `version`, in one transaction."""
        passages = self.store.query("SELECT id, heading, text FROM passages")
        with self.store.write() as db:
            db.executemany("UPDATE passages SET tokens = ? WHERE id = ?",
                           [(tokenize(r["heading"], r["text"]), r["id"]) for r in passages])
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('tokenizer', ?)", (version,))
            Store.bump_generation(db)

    # ------------------------------------------------------------------ paged readers for the indexes

    def _pages(self, sql: str, key: str, params: tuple, after: int, page: int) -> Iterator[list[tuple]]:
        """`sql` in pages of `page` rows ordered by `key` (an integer id, the first column), from `after` on:
        keyset paging, so each page is an index seek and no page holds the whole table."""
        where = " AND " if " WHERE " in sql else " WHERE "
        last = after
        while True:
            rows = self.store.query(f"{sql}{where}{key} > ? ORDER BY {key} LIMIT ?", (*params, last, page))
            if not rows:
                return
            yield [tuple(r) for r in rows]
            last = rows[-1][0]

    def passage_meta_pages(self, page: int = PAGE) -> Iterator[list[tuple]]:
        """Rows of PASSAGE_META (a passage with its document's fields), in passage id order."""
        return self._pages("SELECT p.id, p.section, d.kind, d.region, d.year, d.doc_no_key, d.id AS doc_id, "
                           "d.project_type FROM passages p JOIN documents d ON d.id = p.doc_id", "p.id", (), -1, page)

    def passage_token_pages(self, page: int = PAGE) -> Iterator[list[tuple[int, str]]]:
        """(passage id, space-separated BM25 tokens), in passage id order."""
        return self._pages("SELECT p.id, p.tokens FROM passages p", "p.id", (), -1, page)

    def vector_count(self, model: str) -> int:
        return int(self.store.query("SELECT COUNT(*) FROM vectors WHERE model = ?", (model,))[0][0])

    def vector_pages(self, model: str, after: int = 0, page: int = PAGE) -> Iterator[list[tuple[int, int, bytes]]]:
        """(position, passage id, float32 bytes) of `model`'s vectors in the order they were saved, after
        position `after`: a loaded index reads only the vectors saved since its last page."""
        return self._pages("SELECT rowid, passage_id, vec FROM vectors WHERE model = ?", "rowid", (model,), after,
                           page)

    # ------------------------------------------------------------------ vector fill

    def pending_vectors(self, model: str) -> int:
        """Passages without a `model` vector."""
        return int(self.store.query(
            "SELECT COUNT(*) FROM passages p LEFT JOIN vectors v ON v.passage_id = p.id AND v.model = ? "
            "WHERE v.passage_id IS NULL", (model,))[0][0])

    def pending_batch(self, model: str, size: int, after: int = 0) -> list[dict]:
        """Up to `size` passages after id `after` without a `model` vector: dicts of id, heading, text."""
        rows = self.store.query(
            "SELECT p.id, p.heading, p.text FROM passages p LEFT JOIN vectors v ON v.passage_id = p.id "
            "AND v.model = ? WHERE v.passage_id IS NULL AND p.id > ? ORDER BY p.id LIMIT ?", (model, after, size))
        return [dict(r) for r in rows]

    def save_vectors(self, model: str, vectors: Sequence[tuple[int, bytes]]) -> None:
        """(passage id, float32 bytes) pairs; moves the vectors generation."""
        with self.store.write() as db:
            # a passage replaced meanwhile is skipped: its id no longer exists
            db.executemany("INSERT OR IGNORE INTO vectors(passage_id, model, vec) SELECT ?, ?, ? "
                           "WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)",
                           [(pid, model, vec, pid) for pid, vec in vectors])
            Store.bump_vectors(db)

    # ------------------------------------------------------------------ readers for search and review

    def passage_text(self, passage_id: int) -> tuple[str, int] | None:
        """(text, document id) of one passage."""
        rows = self.store.query("SELECT text, doc_id FROM passages WHERE id = ?", (passage_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    def hits(self, ids: Sequence[int]) -> dict[int, dict]:
        """Each passage in `ids` that exists, by id: its id, section, heading and text with its document's
        source, title, kind, doc_no, region, year, issuer, figures (stored JSON) and project_type."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.store.query(
            "SELECT p.id, p.section, p.heading, p.text, d.source, d.title, d.kind, d.doc_no, d.region, d.year, "
            "d.issuer, d.figures, d.project_type "
            f"FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({marks})", tuple(ids))
        return {r["id"]: dict(r) for r in rows}

    def report_texts(self) -> list[tuple[str, str]]:
        """(report title, passage text) for every report passage."""
        rows = self.store.query("SELECT d.title, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
                                "WHERE d.kind = 'report'")
        return [(r[0], r[1]) for r in rows]

    def report_figures(self) -> list[tuple[str, str | None]]:
        """(report title, its key figures as stored JSON or None) for every report."""
        return [(r[0], r[1]) for r in self.store.query("SELECT title, figures FROM documents WHERE kind = 'report'")]

    def stats(self) -> dict:
        """Documents per kind, passages, vectors per model."""
        docs = self.store.query("SELECT kind, COUNT(*) FROM documents GROUP BY kind")
        passages = self.store.query("SELECT COUNT(*) FROM passages")[0][0]
        vectors = self.store.query("SELECT model, COUNT(*) FROM vectors GROUP BY model")
        return {"documents": {r[0]: r[1] for r in docs}, "passages": passages,
                "vectors": {r[0]: r[1] for r in vectors}}

    # ------------------------------------------------------------------ the benchmarks' synthetic corpus

    def passages_in_order(self) -> list[tuple[str, str, str]]:
        """(section, heading, text) of every passage, in id order."""
        return [(r[0], r[1], r[2]) for r in self.store.query("SELECT section, heading, text FROM passages ORDER BY id")]

    def passage_ids(self) -> list[int]:
        return [r[0] for r in self.store.query("SELECT id FROM passages ORDER BY id")]

    def vectors_in_passage_order(self, model: str) -> list[bytes]:
        rows = self.store.query("SELECT vec FROM vectors WHERE model = ? ORDER BY passage_id", (model,))
        return [r[0] for r in rows]

    def put_vectors(self, model: str, vectors: Sequence[tuple[int, bytes]]) -> None:
        """(passage id, float32 bytes) pairs written over any stored ones, with no existence check: the
        benchmark fills passages it has just listed."""
        with self.store.write() as db:
            db.executemany("INSERT OR REPLACE INTO vectors(passage_id, model, vec) VALUES (?, ?, ?)",
                           [(pid, model, vec) for pid, vec in vectors])
            Store.bump_vectors(db)
