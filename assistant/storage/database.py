"""SQLite in the data folder: ingested documents, passages and vectors; drafts, chat turns, revisions.

The database is the source of truth; index files are caches rebuilt from it. Migrations are ordered
functions; `meta.schema_version` records how many have run. WAL mode, one connection per Store.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

DB_NAME = "assistant.sqlite3"


def _run(db: sqlite3.Connection, script: str) -> None:
    """Statements one by one: executescript() would commit the migration's transaction early."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _m001_knowledge(db: sqlite3.Connection) -> None:
    _run(db, """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,            -- file name shown to users
            path TEXT NOT NULL UNIQUE,       -- resolved path: identity of an ingested file
            content_hash TEXT NOT NULL,
            kind TEXT NOT NULL,              -- report | policy
            title TEXT NOT NULL,
            doc_no TEXT, doc_no_key TEXT, issuer TEXT, region TEXT, year INTEGER,
            form TEXT, project_type TEXT,
            builtin INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL DEFAULT (datetime('now'))
        );
        CREATE INDEX documents_hash ON documents(content_hash);
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            section TEXT NOT NULL,
            heading TEXT NOT NULL,
            text TEXT NOT NULL,
            tokens TEXT NOT NULL             -- BM25 tokens, space separated, so rebuilds skip jieba
        );
        CREATE INDEX passages_doc ON passages(doc_id);
        CREATE TABLE vectors (
            passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            vec BLOB NOT NULL,
            PRIMARY KEY (passage_id, model)
        );
        INSERT INTO meta(key, value) VALUES ('generation', '0');
    """)


def _m002_document_figures(db: sqlite3.Connection) -> None:
    # a report's key figures (JSON), so a precedent's amounts and dates can be mapped onto a new project
    db.execute("ALTER TABLE documents ADD COLUMN figures TEXT")


def _m003_drafts(db: sqlite3.Connection) -> None:
    _run(db, """
        CREATE TABLE drafts (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            form TEXT NOT NULL,
            report_json TEXT,                -- the confirmed input (Report model), source of every figure
            pending_json TEXT,               -- a parsed paste waiting for the officer's confirmation
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            role TEXT NOT NULL,              -- user | assistant
            text TEXT NOT NULL,
            cards TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX turns_draft ON turns(draft_id, id);
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            section TEXT NOT NULL,
            text TEXT NOT NULL,
            origin TEXT NOT NULL,            -- figures | precedent | findings | edit | gap
            citations TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX revisions_section ON revisions(draft_id, section, id);
        CREATE TABLE section_heads (
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            section TEXT NOT NULL,
            revision_id INTEGER NOT NULL,    -- the revision shown, moved along the history by undo and redo
            PRIMARY KEY (draft_id, section)
        )
    """)


def _m004_interview(db: sqlite3.Connection) -> None:
    # the interview's own state: the question put last, the questions skipped, the way back
    db.execute("ALTER TABLE drafts ADD COLUMN interview_json TEXT")


def _m005_accounts(db: sqlite3.Connection) -> None:
    # accounts, their sessions (server-side, so a logged-out cookie is dead), failed logins, the audit log;
    # a draft's unit, author and place in the review workflow, its events and the reviewer's comments.
    # Drafts made before accounts (single-user mode) have unit '' — the local unit.
    _run(db, """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL,              -- officer | reviewer | admin
            unit TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE reviewer_units (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            unit TEXT NOT NULL,
            PRIMARY KEY (user_id, unit)
        );
        CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,        -- sha256 of the session id: the database alone opens no session
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            csrf TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            seen_at REAL NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE login_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            address TEXT NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX login_failures_user ON login_failures(username, at);
        CREATE INDEX login_failures_address ON login_failures(address, at);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            actor TEXT NOT NULL,             -- username, or '本机' in single-user mode, or '-' before login
            role TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        ALTER TABLE drafts ADD COLUMN unit TEXT NOT NULL DEFAULT '';
        ALTER TABLE drafts ADD COLUMN author TEXT NOT NULL DEFAULT '';
        ALTER TABLE drafts ADD COLUMN status TEXT NOT NULL DEFAULT 'draft';   -- draft | submitted | returned | approved
        ALTER TABLE drafts ADD COLUMN submitted_at TEXT;
        CREATE INDEX drafts_unit ON drafts(unit, status);
        CREATE TABLE draft_events (
            id INTEGER PRIMARY KEY,
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            actor TEXT NOT NULL,
            action TEXT NOT NULL,            -- submit | return | approve | precedent
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX draft_events_draft ON draft_events(draft_id, id);
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            section TEXT NOT NULL,           -- a section kind, or '' for the draft as a whole
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            round INTEGER NOT NULL,          -- which submission it was written on
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX comments_draft ON comments(draft_id, id)
    """)


def _m006_submissions(db: sqlite3.Connection) -> None:
    # what each 送审 sent: the reviewer of a resubmission sees what changed since the round before
    _run(db, """
        CREATE TABLE submissions (
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            round INTEGER NOT NULL,
            report_json TEXT,
            sections_json TEXT NOT NULL DEFAULT '{}',   -- section kind → the adopted text sent
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            PRIMARY KEY (draft_id, round)
        )
    """)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_knowledge, _m002_document_figures, _m003_drafts,
                                                           _m004_interview, _m005_accounts, _m006_submissions]


class Store:
    """One SQLite database; writes go through `write()`, serialised by a lock."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_NAME
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    migration(self.db)
                    self.db.execute(f"PRAGMA user_version = {number}")
                    self.db.execute("COMMIT")
                except BaseException:
                    self.db.execute("ROLLBACK")
                    raise

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error or interruption."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    def generation(self) -> int:
        return int(self.query("SELECT value FROM meta WHERE key = 'generation'")[0][0])

    @staticmethod
    def bump_generation(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    def vectors_generation(self) -> int:
        """Moves whenever vectors are saved (deletions move `generation`): a one-row read, where
        counting the vectors table costs ~10 ms at 100k passages on every search."""
        row = self.query("SELECT value FROM meta WHERE key = 'vectors'")
        return int(row[0][0]) if row else 0

    @staticmethod
    def bump_vectors(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES ('vectors', '1') "
                   "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    def close(self) -> None:
        with self._lock:
            self.db.close()
