"""Untrusted .docx/.xlsx archives: every limit is on what a member actually inflates to, each refusal is
one line, and nothing is inflated in one piece first (bombs are built here, in the test)."""
import struct
import tracemalloc
import zipfile

import pytest

from assistant.core.parse import ReadError, load_document
from assistant.core.parse.archive import ArchiveLimits, check_archive

MB = 1024 * 1024
SMALL = ArchiveLimits(members=50, member=4 * MB, total=6 * MB, xml_part=2 * MB, xml_elements=5000)


def _docx_parts(document_xml: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                               b'package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="'
                               b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                               b'</Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                       b'2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": document_xml,
    }


def _paragraphs(texts) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)
    return ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>').encode()


def _write(path, parts: dict[str, bytes], streamed: dict[str, tuple[bytes, int]] | None = None):
    """A zip of `parts`, plus members written as `chunk` × `times` without holding them in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        for name, (chunk, times) in (streamed or {}).items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                for _ in range(times):
                    fh.write(chunk)
    return path


def _declare(path, member: str, size: int | None = None, crc: int | None = None, flags: int | None = None):
    """Rewrite what the central directory declares about `member` (the data stays as it is)."""
    data = bytearray(path.read_bytes())
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46: pos + 46 + name_len] == member.encode():
            if size is not None:
                struct.pack_into("<I", data, pos + 24, size)
            if crc is not None:
                struct.pack_into("<I", data, pos + 16, crc)
            if flags is not None:
                struct.pack_into("<H", data, pos + 8, flags)
        pos += 4
    path.write_bytes(bytes(data))
    return path


def test_a_real_report_passes_and_reads(tmp_path):
    p = _write(tmp_path / "ok.docx", _docx_parts(_paragraphs(["项目名称：农村公路养护", "项目资金共100万元"])))
    check_archive(p, ".docx", SMALL)
    doc = load_document(p)
    assert "农村公路养护" in doc.full_text()


def test_a_declared_size_that_lies_is_refused_without_inflating_the_payload(tmp_path):
    # 512 MB of zeros (about 0.5 MB compressed) declaring 1,000 bytes: zipfile.read would inflate it in one piece
    p = _write(tmp_path / "lie.docx", _docx_parts(b""), {"word/media/image1.png": (b"\0" * MB, 512)})
    _declare(p, "word/media/image1.png", size=1000)
    tracemalloc.start()
    with pytest.raises(ReadError) as err:
        load_document(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "image1.png" in str(err.value) and "\n" not in str(err.value)
    assert peak < 8 * MB  # inflated 64 KB at a time: the 512 MB never existed in memory


def test_the_checksum_must_match_what_was_inflated(tmp_path):
    p = _write(tmp_path / "crc.docx", _docx_parts(_paragraphs(["正文"])))
    _declare(p, "word/document.xml", crc=12345)
    with pytest.raises(ReadError, match="声明的大小或校验值与实际内容不符"):
        check_archive(p, ".docx", SMALL)


def test_each_limit_has_its_own_refusal(tmp_path):
    member = _write(tmp_path / "member.docx", _docx_parts(_paragraphs(["x"])), {"word/media/big.bin": (b"\0" * MB, 5)})
    with pytest.raises(ReadError, match=r"部件“word/media/big.bin”解压后超过 4 MB"):
        check_archive(member, ".docx", SMALL)
    total = _write(tmp_path / "total.docx", _docx_parts(_paragraphs(["x"])),
                   {f"word/media/p{k}.bin": (b"\0" * MB, 3) for k in range(3)})
    with pytest.raises(ReadError, match="解压后超过 6 MB"):
        check_archive(total, ".docx", SMALL)
    xml = _write(tmp_path / "xml.docx", _docx_parts(b"<w:document>" + b" " * (3 * MB) + b"</w:document>"))
    with pytest.raises(ReadError, match=r"XML 部件“word/document.xml”解压后超过 2 MB"):
        check_archive(xml, ".docx", SMALL)
    elements = _write(tmp_path / "elements.docx", _docx_parts(_paragraphs([""] * 2000)))
    with pytest.raises(ReadError, match="元素过多"):
        check_archive(elements, ".docx", SMALL)
    many = _write(tmp_path / "many.docx", {**_docx_parts(b"<a/>"), **{f"x/{k}.txt": b"." for k in range(60)}})
    with pytest.raises(ReadError, match="个部件（上限 50）"):
        check_archive(many, ".docx", SMALL)


def test_default_limits_refuse_forty_megabytes_of_valid_xml_quickly(tmp_path):
    # the upload that took 120 s to review: 40 MB of well-formed paragraphs, 180 KB on disk
    parts = _docx_parts(b"")
    del parts["word/document.xml"]
    p = _write(tmp_path / "big.docx", parts,
               {"word/document.xml": (b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 30000, 40)})
    with pytest.raises(ReadError, match="元素过多|解压后超过"):
        load_document(p)


def test_damaged_encrypted_and_unknown_compression(tmp_path):
    good = _write(tmp_path / "good.docx", _docx_parts(_paragraphs(["正文"] * 50)))
    cut = tmp_path / "cut.docx"
    data = good.read_bytes()
    start = data.find(b"word/document.xml") + 40  # inside the member's compressed data
    cut.write_bytes(data[:start] + bytes(b ^ 0xFF for b in data[start:start + 30]) + data[start + 30:])
    with pytest.raises(ReadError) as err:
        check_archive(cut, ".docx", SMALL)
    assert "cut.docx" in str(err.value) and any(w in str(err.value) for w in ("已损坏", "不完整", "校验值"))
    locked = _declare(_write(tmp_path / "locked.docx", _docx_parts(_paragraphs(["x"]))), "word/document.xml", flags=1)
    with pytest.raises(ReadError, match="已加密"):
        check_archive(locked, ".docx", SMALL)
    with zipfile.ZipFile(tmp_path / "bz.docx", "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("word/document.xml", b"<a/>")
    with pytest.raises(ReadError, match="不支持的压缩方式"):
        check_archive(tmp_path / "bz.docx", ".docx", SMALL)


def test_a_sheet_declaring_the_whole_grid_is_read_by_its_cells(tmp_path):
    """Two cells, dimension A1:XFD1048576: openpyxl would pad every row to 16,384 columns and 1,048,576 rows."""
    import openpyxl

    p = tmp_path / "wide.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "计划安排资金", 500
    ws["A2"], ws["B2"] = "实际支出", 450
    wb.save(p)
    with zipfile.ZipFile(p) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace('<dimension ref="A1:B2"/>', '<dimension ref="A1:XFD1048576"/>').encode()
    assert "XFD1048576" in parts["xl/worksheets/sheet1.xml"].decode()
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    doc = load_document(p)
    assert [[c.text for c in row.cells] for row in doc.rows] == [["计划安排资金", "500"], ["实际支出", "450"]]
    assert any(w.code == "xlsx.sheet_truncated" for w in doc.warnings)


def test_a_reader_library_failure_is_said_in_chinese_without_its_english(tmp_path):
    p = _write(tmp_path / "broken.docx", _docx_parts(b"<w:document><w:body><w:p>not closed"))
    with pytest.raises(ReadError) as err:
        load_document(p)
    message = str(err.value)
    assert message.startswith("broken.docx 无法读取：内容不是有效的 .docx 文件") and "\n" not in message
    assert not any("a" <= ch.lower() <= "z" for ch in message.replace("broken.docx", "").replace(".docx", "")
                   .replace("Word/Excel/WPS", ""))
