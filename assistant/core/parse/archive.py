"""Untrusted .docx/.xlsx archives measured before any reader library opens them.

Every member is inflated as a stream, 64 KB at a time, and counted as it comes out: the sizes an
archive declares are never trusted (a 2 MB file may declare 1,000 bytes and hold 2 GB of zeros,
which `zipfile.read` would inflate in one piece before noticing). Limits on the bytes a member
and the whole archive actually inflate to, on the size of each XML part and on the elements it
holds; the stream must end where the archive says and match its checksum, so the libraries that
read the file next see exactly what was measured here. Each limit has its own one-line refusal.
"""
from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .errors import ReadError

CHUNK = 64 * 1024
MAX_MEMBERS = 2000  # a report with many pictures has a few hundred parts
MAX_MEMBER = 64 * 1024 * 1024  # one picture or one part, inflated
MAX_TOTAL = 160 * 1024 * 1024  # everything, inflated
MAX_XML_PART = 16 * 1024 * 1024  # a 100-page report's document.xml is 2–6 MB
MAX_XML_ELEMENTS = 400_000  # per part; a 100-page report with tables has ~150,000
_START_TAG = re.compile(rb"<[^/?!]")
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class ArchiveLimits:
    members: int = MAX_MEMBERS
    member: int = MAX_MEMBER
    total: int = MAX_TOTAL
    xml_part: int = MAX_XML_PART
    xml_elements: int = MAX_XML_ELEMENTS


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_archive(path: Path, kind: str, limits: ArchiveLimits = ArchiveLimits()) -> None:
    """Refuse (ReadError, one line) an archive that is not a zip, or inflates beyond a limit, or lies."""
    name = path.name
    if not zipfile.is_zipfile(path):
        raise ReadError(f"{name} 不是有效的 {kind} 文件（不是 zip 压缩包，可能已损坏或改了扩展名）")
    with open(path, "rb") as raw:
        try:
            infos = zipfile.ZipFile(raw).infolist()
        except (zipfile.BadZipFile, ValueError, struct.error) as exc:
            raise ReadError(f"{name} 不是有效的 {kind} 文件（压缩包目录损坏）") from exc
        if len(infos) > limits.members:
            raise ReadError(f"{name} 含 {len(infos)} 个部件（上限 {limits.members}），已拒绝")
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            total += _measure(raw, info, name, kind, limits, limits.total - total)


def _measure(raw, info: zipfile.ZipInfo, name: str, kind: str, limits: ArchiveLimits, room: int) -> int:
    """The member's inflated size, counted while inflating it; ReadError on any limit or lie."""
    member = info.filename
    if info.flag_bits & 0x1:
        raise ReadError(f"{name} 已加密（{member}），请去掉密码后再上传")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ReadError(f"{name} 中的“{member}”使用了不支持的压缩方式，请在 Word/Excel/WPS 中另存后再上传")
    is_xml = member.lower().endswith(_XML_SUFFIXES)
    cap = min(limits.member, limits.xml_part if is_xml else limits.member)
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise ReadError(f"{name} 不是有效的 {kind} 文件（{member} 的位置不对，可能已损坏）")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, size, elements, crc, carry = info.compress_size, 0, 0, 0, b""
    try:
        while left > 0 or (inflater is not None and inflater.unconsumed_tail):
            if inflater is not None and inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, CHUNK)
            else:
                data = raw.read(min(CHUNK, left))
                if not data:
                    raise ReadError(f"{name} 不完整（{member} 被截断），请重新保存后上传")
                left -= len(data)
                chunk = inflater.decompress(data, CHUNK) if inflater is not None else data
            size += len(chunk)
            if size > cap or size > room:
                raise _too_big(name, member, is_xml, cap, room, limits)
            crc = zlib.crc32(chunk, crc)
            if is_xml:
                elements += len(_START_TAG.findall(carry + chunk))
                carry = chunk[-1:] if chunk.endswith(b"<") else b""
                if elements > limits.xml_elements:
                    raise ReadError(f"{name} 中的“{member}”元素过多（超过 {limits.xml_elements:,} 个），"
                                    "不像一份报告，已拒绝")
        if inflater is not None and not inflater.eof:
            raise ReadError(f"{name} 不完整（{member} 的压缩数据没有结束），可能已损坏")
    except zlib.error as exc:
        raise ReadError(f"{name} 已损坏（{member} 无法解压）") from exc
    if size != info.file_size or crc != info.CRC:
        raise ReadError(f"{name} 中的“{member}”声明的大小或校验值与实际内容不符（可能是伪造的压缩包），已拒绝")
    return size


def _too_big(name: str, member: str, is_xml: bool, cap: int, room: int, limits: ArchiveLimits) -> ReadError:
    if room < cap:
        return ReadError(f"{name} 解压后超过 {_mb(limits.total)}（上限），已拒绝")
    what = "XML 部件" if is_xml else "部件"
    return ReadError(f"{name} 中的{what}“{member}”解压后超过 {_mb(cap)}（上限），已拒绝")
