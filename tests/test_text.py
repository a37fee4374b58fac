"""The control characters a report cannot hold: one definition for the way in (the service) and out (.docx)."""
import io

import docx

from assistant.core import check_file
from assistant.core.text import without_controls

from .conftest import SEEDS


def test_breaks_become_newlines_and_other_controls_go_everywhere_in_a_value():
    assert without_controls("第一行\x0b第二行\x0c第三行\x00\x07\x7f\ufffe完") == "第一行\n第二行\n第三行完"
    assert without_controls("表格\t制表符\r\n保留") == "表格\t制表符\r\n保留"
    value = {"a\x01": ["x\x0by", ("z\x00",)], "n": 3}
    assert without_controls(value) == {"a": ["x\ny", ("z",)], "n": 3}


def test_a_docx_is_written_from_text_that_carried_controls():
    from assistant.compose import compose_draft
    from assistant.render.docx_report import docx_bytes

    draft = compose_draft(check_file(SEEDS["000"]))
    draft.sections[0].text = "项目概况\x0b第二行\x00结束"
    doc = docx.Document(io.BytesIO(docx_bytes(draft)))
    texts = [p.text for p in doc.paragraphs]
    assert "项目概况" in texts and "第二行结束" in texts  # each line its own paragraph
