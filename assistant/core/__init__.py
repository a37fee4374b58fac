"""The deterministic core: models, numbers, figures, scores and findings; no I/O beyond reading the input.

`parse/` is the input side (text, .docx, .xlsx into a `Report`), `calc`/`scoring`/`checks` compute
every figure and score, `contract` is the `check --json` shape. `check_file` is the one call for
all of it: read a report, pick its rule set, check it.
"""
from __future__ import annotations

from pathlib import Path

from .checks import CheckResult, check_report
from .models import Report
from .parse import read_report
from .review_rules import load_pack
from .scoring import RuleSet, load_ruleset, ruleset_for_form


def rules_for(report: Report, rules_path: str | Path | None = None) -> RuleSet | None:
    if rules_path:
        return load_ruleset(rules_path)
    return ruleset_for_form(report.project.form)


def check_file(path: str | Path, form: str = "auto", rules_path: str | Path | None = None,
               review_pack: str | None = None) -> CheckResult:
    """Check a whole report: an unreadable cell is a finding, not a failure (only an unreadable file fails).
    `review_pack` names the review rules (knowledge/rulesets/review/<id>.yaml, or a path); by default the
    report's region chooses them."""
    report = read_report(path, form, lenient=True)
    pack = load_pack(review_pack) if review_pack else None
    return check_report(report, rules_for(report, rules_path), pack)
