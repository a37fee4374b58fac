"""Accounts in SQLite: users and the units they review, server-side sessions, failed logins, the audit
log and the service's settings. Passwords arrive here already hashed (the service hashes them)."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

from .database import Store

ROLES = ("officer", "reviewer", "admin")


@dataclass
class User:
    id: int
    username: str
    display_name: str
    role: str
    unit: str
    password_hash: str = field(repr=False)
    disabled: bool
    created_at: str
    units: list[str] = field(default_factory=list)  # the units a reviewer reviews

    def public(self) -> dict:
        return {"id": self.id, "username": self.username, "display_name": self.display_name, "role": self.role,
                "unit": self.unit, "units": self.units, "disabled": self.disabled, "created_at": self.created_at}


class UserExists(ValueError):
    pass


def _hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class AccountRepository:
    """Users, sessions, failed logins, audit and settings: everything the service's access rules read."""

    def __init__(self, store: Store):
        self.store = store

    # ------------------------------------------------------------------ users

    def count(self) -> int:
        return int(self.store.query("SELECT COUNT(*) FROM users")[0][0])

    def _user(self, row) -> User:
        units = [r[0] for r in self.store.query("SELECT unit FROM reviewer_units WHERE user_id = ? ORDER BY unit",
                                                (row["id"],))]
        return User(row["id"], row["username"], row["display_name"], row["role"], row["unit"], row["password_hash"],
                    bool(row["disabled"]), row["created_at"], units)

    def get(self, user_id: int) -> User | None:
        rows = self.store.query("SELECT * FROM users WHERE id = ?", (user_id,))
        return self._user(rows[0]) if rows else None

    def by_name(self, username: str) -> User | None:
        rows = self.store.query("SELECT * FROM users WHERE username = ?", (username,))
        return self._user(rows[0]) if rows else None

    def users(self) -> list[User]:
        return [self._user(r) for r in self.store.query("SELECT * FROM users ORDER BY role, unit, username")]

    def add(self, username: str, display_name: str, role: str, unit: str, password_hash: str,
            units: list[str] | None = None) -> User:
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise UserExists(username)
            cur = db.execute("INSERT INTO users(username, display_name, role, unit, password_hash) VALUES (?,?,?,?,?)",
                             (username, display_name, role, unit, password_hash))
            db.executemany("INSERT OR IGNORE INTO reviewer_units(user_id, unit) VALUES (?, ?)",
                           [(cur.lastrowid, u) for u in units or []])
            user_id = int(cur.lastrowid)
        return self.get(user_id)  # type: ignore[return-value]

    def update(self, user_id: int, *, display_name: str | None = None, role: str | None = None,
               unit: str | None = None, units: list[str] | None = None, disabled: bool | None = None,
               password_hash: str | None = None) -> User | None:
        """Change what is given; a new password, a disabled account or a new role also ends its sessions."""
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is None:
                return None
            for column, value in (("display_name", display_name), ("role", role), ("unit", unit),
                                  ("password_hash", password_hash)):
                if value is not None:
                    db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, user_id))
            if disabled is not None:
                db.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))
            if units is not None:
                db.execute("DELETE FROM reviewer_units WHERE user_id = ?", (user_id,))
                db.executemany("INSERT OR IGNORE INTO reviewer_units(user_id, unit) VALUES (?, ?)",
                               [(user_id, u) for u in units])
            if password_hash is not None or disabled or role is not None or unit is not None or units is not None:
                db.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        return self.get(user_id)

    def units(self) -> list[str]:
        """Every unit named by an account or a draft."""
        rows = self.store.query("SELECT unit FROM users WHERE unit != '' UNION SELECT unit FROM reviewer_units "
                                "UNION SELECT unit FROM drafts WHERE unit != '' ORDER BY 1")
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ sessions

    def open_session(self, session_id: str, user_id: int, csrf: str, address: str) -> None:
        now = time.time()
        with self.store.write() as db:
            db.execute("INSERT INTO sessions(id_hash, user_id, csrf, address, created_at, seen_at) VALUES (?,?,?,?,?,?)",
                       (_hash_id(session_id), user_id, csrf, address, now, now))

    def session(self, session_id: str, idle: float, absolute: float) -> tuple[User, str] | None:
        """The live session's user and CSRF token, its last-seen time moved on; None when it was closed,
        has expired (idle or absolute) or its user is disabled."""
        now = time.time()
        rows = self.store.query("SELECT user_id, csrf, created_at, seen_at FROM sessions WHERE id_hash = ?",
                                (_hash_id(session_id),))
        if not rows:
            return None
        row = rows[0]
        if now - row["seen_at"] > idle or now - row["created_at"] > absolute:
            self.close_session(session_id)
            return None
        user = self.get(row["user_id"])
        if user is None or user.disabled:
            return None
        if now - row["seen_at"] > 60:  # one write a minute per session, not one per request
            with self.store.write() as db:
                db.execute("UPDATE sessions SET seen_at = ? WHERE id_hash = ?", (now, _hash_id(session_id)))
        return user, row["csrf"]

    def close_session(self, session_id: str) -> None:
        with self.store.write() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash_id(session_id),))

    def live_sessions(self, user_id: int) -> int:
        return int(self.store.query("SELECT COUNT(*) FROM sessions WHERE user_id = ?", (user_id,))[0][0])

    # ------------------------------------------------------------------ failed logins

    def failed_login(self, username: str, address: str) -> None:
        with self.store.write() as db:
            db.execute("INSERT INTO login_failures(username, address, at) VALUES (?, ?, ?)",
                       (username.lower(), address, time.time()))
            db.execute("DELETE FROM login_failures WHERE at < ?", (time.time() - 86400,))

    def failures(self, username: str, address: str, since: float) -> tuple[list[float], list[float]]:
        """Times of failed logins since `since`: for this account, and from this address."""
        by_user = [r[0] for r in self.store.query("SELECT at FROM login_failures WHERE username = ? AND at >= ? "
                                                  "ORDER BY at", (username.lower(), since))]
        by_address = [r[0] for r in self.store.query("SELECT at FROM login_failures WHERE address = ? AND at >= ? "
                                                     "ORDER BY at", (address, since))]
        return by_user, by_address

    def clear_failures(self, username: str) -> None:
        with self.store.write() as db:
            db.execute("DELETE FROM login_failures WHERE username = ?", (username.lower(),))

    # ------------------------------------------------------------------ audit and settings

    def audit(self, actor: str, action: str, target: str = "", detail: str = "", role: str = "", unit: str = "",
              address: str = "") -> None:
        with self.store.write() as db:
            db.execute("INSERT INTO audit(actor, role, unit, action, target, detail, address) VALUES (?,?,?,?,?,?,?)",
                       (actor, role, unit, action, target, detail[:500], address))

    def audit_log(self, limit: int = 200, before: int | None = None, actor: str | None = None) -> list[dict]:
        where, params = [], []
        if before is not None:
            where.append("id < ?")
            params.append(before)
        if actor:
            where.append("actor = ?")
            params.append(actor)
        sql = "SELECT * FROM audit" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY id DESC LIMIT ?"
        return [dict(r) for r in self.store.query(sql, (*params, limit))]

    def settings(self) -> dict:
        return {r["key"]: json.loads(r["value"]) for r in self.store.query("SELECT key, value FROM settings")}

    def set_setting(self, key: str, value) -> None:
        with self.store.write() as db:
            db.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                       "excluded.value", (key, json.dumps(value, ensure_ascii=False)))
