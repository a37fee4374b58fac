"""Upload bombs for the mixed server run, built on the fly: a .docx whose archive lies about its size and a
.docx holding 40 MB of well-formed XML. Both must be refused while officers keep drafting."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'wordprocessingml.document.main+xml"/></Types>')


def _stream(zf: zipfile.ZipFile, name: str, chunk: bytes, times: int) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as fh:
        for _ in range(times):
            fh.write(chunk)


def lying_bomb(path: Path, megabytes: int = 1024) -> Path:
    """`megabytes` of zeros in word/document.xml (about 1 MB on disk per GB) whose central directory
    declares 1,000 bytes: zipfile.read would inflate all of it in one piece before noticing."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _TYPES)
        _stream(zf, "word/document.xml", b"\0" * (1024 * 1024), megabytes)
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46: pos + 46 + name_len] == b"word/document.xml":
            struct.pack_into("<I", data, pos + 24, 1000)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))
    return path


def xml_bomb(path: Path, megabytes: int = 40) -> Path:
    """`megabytes` of valid paragraphs (about 180 KB on disk): the file that took 120 s to review."""
    paragraph = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"
    per_mb = (1024 * 1024) // len(paragraph)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _TYPES)
        _stream(zf, "word/document.xml", paragraph * per_mb, megabytes)
    return path
