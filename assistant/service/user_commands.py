"""`assistant user add | passwd | disable | enable | list` and `assistant audit`: accounts managed from the
command line, on the same database and with the same rules as the admin page."""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from ..storage.accounts import ROLES, AccountRepository, UserExists
from ..storage.database import Store
from ..storage.drafts import DraftRepository
from .auth import ROLE_NAMES, USERNAME_RULE, hash_password, password_problem, split_units, valid_username


class CommandError(RuntimeError):
    """A one-line Chinese reason the command cannot be done."""


def add_arguments(sub) -> None:
    u = sub.add_parser("user", help="账号管理：添加、改密码、停用、列出")
    verbs = u.add_subparsers(dest="verb", required=True)
    a = verbs.add_parser("add", help="添加用户")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=ROLES, help="officer 经办人、reviewer 审核人、admin 管理员")
    a.add_argument("--unit", default="", help="经办人所在单位")
    a.add_argument("--units", default="", help="审核人负责审核的单位，逗号分隔")
    a.add_argument("--display-name", default=None)
    a.add_argument("--take-local-drafts", action="store_true",
                   help="把本机单用户模式下写的草稿归入该经办人的单位")
    for name, text in (("passwd", "重设密码（该用户的所有会话失效）"), ("disable", "停用账号（立即退出登录）"),
                       ("enable", "重新启用账号")):
        v = verbs.add_parser(name, help=text)
        v.add_argument("username")
    for v in verbs.choices.values():
        v.add_argument("--data", default=None)
        if v.prog.split()[-1] in ("add", "passwd"):
            v.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（脚本用）")
    lst = verbs.add_parser("list", help="列出用户")
    lst.add_argument("--data", default=None)
    lst.add_argument("--json", action="store_true")
    au = sub.add_parser("audit", help="操作日志：谁、何时、做了什么")
    au.add_argument("--data", default=None)
    au.add_argument("--limit", type=int, default=50)
    au.add_argument("--actor", default=None)
    au.add_argument("--json", action="store_true")


def _password(args, username: str) -> str:
    if getattr(args, "password_stdin", False):
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"{username} 的新密码：")
        if getpass.getpass("再输入一次：") != password:
            raise CommandError("两次输入的密码不一致")
    problem = password_problem(password, username)
    if problem:
        raise CommandError(problem)
    return password


def run(args, data: Path) -> int:
    store = Store(data)
    try:
        repo = AccountRepository(store)
        if args.command == "audit":
            return _audit(repo, args)
        if args.verb == "list":
            return _list(repo, args)
        if args.verb == "add":
            return _add(repo, DraftRepository(store), args)
        user = repo.by_name(args.username)
        if user is None:
            raise CommandError(f"没有用户“{args.username}”；现有用户：assistant user list")
        if args.verb == "passwd":
            repo.update(user.id, password_hash=hash_password(_password(args, user.username)))
            repo.audit("命令行", "user_update", user.username, "password")
            print(f"已重设 {user.username} 的密码；其已登录的会话全部失效。")
        else:
            disable = args.verb == "disable"
            repo.update(user.id, disabled=disable)
            repo.audit("命令行", "user_update", user.username, "disabled" if disable else "enabled")
            print(f"已{'停用' if disable else '启用'} {user.username}。")
        return 0
    finally:
        store.close()


def _add(repo: AccountRepository, drafts: DraftRepository, args) -> int:
    if not valid_username(args.username):
        raise CommandError(USERNAME_RULE)
    units = split_units(args.units)
    if args.role == "officer" and not args.unit.strip():
        raise CommandError("经办人须用 --unit 指定所在单位")
    if args.role == "reviewer" and not units:
        raise CommandError("审核人须用 --units 指定负责审核的单位")
    if repo.by_name(args.username) is not None:
        raise CommandError(f"用户名“{args.username}”已存在")
    first = repo.count() == 0
    password = _password(args, args.username)
    try:
        user = repo.add(args.username, args.display_name or args.username, args.role, args.unit.strip(),
                        hash_password(password), units if args.role == "reviewer" else [])
    except UserExists as exc:
        raise CommandError(f"用户名“{args.username}”已存在") from exc
    repo.audit("命令行", "user_add", user.username, f"{ROLE_NAMES[user.role]} {user.unit or '、'.join(user.units)}")
    print(f"已添加{ROLE_NAMES[user.role]} {user.username}" + (f"（{user.unit}）" if user.unit else "")
          + (f"，审核：{'、'.join(user.units)}" if user.units else "") + "。")
    if args.take_local_drafts and user.role == "officer":
        moved = drafts.move_unit("", user.unit)
        repo.audit("命令行", "local_drafts_moved", user.unit, f"{moved} 份")
        print(f"本机草稿 {moved} 份已归入“{user.unit}”。")
    if first:
        print("账号已启用：此后须登录使用；服务若正在运行，下一个请求起即要求登录。")
    return 0


def _list(repo: AccountRepository, args) -> int:
    users = repo.users()
    if args.json:
        print(json.dumps([u.public() for u in users], ensure_ascii=False, indent=2))
        return 0
    if not users:
        print("还没有账号（本机单用户模式）。添加管理员：assistant user add 用户名 --role admin")
    for u in users:
        where = u.unit or "、".join(u.units)
        print(f"{u.username}\t{ROLE_NAMES[u.role]}\t{where}\t{'已停用' if u.disabled else '正常'}\t{u.display_name}")
    return 0


def _audit(repo: AccountRepository, args) -> int:
    rows = repo.audit_log(max(1, args.limit), None, args.actor)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r['at']}\t{r['actor']}\t{r['action']}\t{r['target']}\t{r['detail']}\t{r['address']}")
    return 0
