"""Text as a report can hold it: the control characters a paste or a text file may carry, and no
.docx (XML 1.0) can store, taken out — the one definition the service (on the way in) and the
renderers (on the way out, for uploaded files) share."""
from __future__ import annotations

import re

# C0 controls but tab, newline and carriage return; DEL; the two noncharacters XML forbids
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BREAKS = "\x0b\x0c"  # Word's manual line break and page break: they mean a new line


def without_controls(value):
    """`value` — text, or lists, tuples and dicts of it — with line/page breaks as "\\n" and other control
    characters dropped; anything else unchanged."""
    if isinstance(value, str):
        if not _CONTROL.search(value):
            return value
        return _CONTROL.sub(lambda m: "\n" if m.group(0) in _BREAKS else "", value)
    if isinstance(value, list):
        return [without_controls(v) for v in value]
    if isinstance(value, tuple):
        return tuple(without_controls(v) for v in value)
    if isinstance(value, dict):
        return {without_controls(k): without_controls(v) for k, v in value.items()}
    return value
