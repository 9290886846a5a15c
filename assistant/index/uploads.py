"""Uploaded documents: a safe file name, a size and type check, then the file is stored under the
library's `uploads/` folder and indexed like any other document. Whatever the client calls the file,
nothing is written outside `uploads/`.

>>> safe_name("../../etc/passwd.md")
'passwd.md'
>>> safe_name("C:\\\\manuals\\\\HP-3 手册 (v2).pdf")
'HP-3 手册 (v2).pdf'
>>> collection_folder("plant-a", "uploads"), collection_folder("uploads", "uploads")
('plant-a', '')
"""
from __future__ import annotations

import os
import re
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO

from ..ingest import EXTENSIONS, sniff
from ..errors import UploadConflict, UploadError, UploadInvalid, UploadTooLarge, UploadWrongType

CHUNK = 1 << 20
_UNSAFE = re.compile(r"[^\w\-. ()（）\[\]+,]", re.UNICODE)
# what the first bytes must say for each kind of file we index
_EXPECTED = {"pdf": {"pdf"}, "docx": {"zip"}, "html": {"html", "text"}, "markdown": {"text", "html"}, "text": {"text", "html"}}


def safe_name(filename: str | None, limit: int = 120) -> str:
    """The last path component, without control or shell-special characters, not hidden, not empty."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[: max(1, limit - len(ext) - 1)].strip(" .") or "upload"
    return f"{stem}.{ext}" if ext else stem


def collection_folder(collection: str, default: str) -> str:
    """The folder under uploads/ for a collection: '' for the default upload collection, else the
    collection's own name, which must be a safe file name (422 otherwise), so that two collections
    never write the same file."""
    if collection == default:
        return ""
    if safe_name(collection) != collection or len(collection) > 100:
        raise UploadInvalid("collection names for uploads may use letters, digits, spaces and - _ . ( ) + , [ ]",
                            detail={"collection": collection[:100]})
    return collection


def check_type(name: str, head: bytes) -> str:
    """The document format for this name and these first bytes, or UploadWrongType."""
    ext = os.path.splitext(name)[1].lower()
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        kinds = ", ".join(sorted(EXTENSIONS))
        raise UploadWrongType(f"unsupported file type '{ext or '(none)'}'", detail={"supported": kinds})
    found = sniff(head)
    if found not in _EXPECTED[fmt]:
        raise UploadWrongType(f"the file's content ({found}) does not match its extension {ext}")
    return fmt


def receive(src: BinaryIO, folder: Path, filename: str | None, max_bytes: int) -> Path:
    """Copy an upload into `folder` under a safe name (413 past max_bytes, 415 for a type we do not
    index) and return where it lies. The copy is written aside first and moved into place whole."""
    name = safe_name(filename)
    if folder.exists() and not folder.is_dir():  # a collection named like an uploaded file
        raise UploadConflict("the collection's upload folder clashes with an uploaded file; choose another collection name")
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / name).resolve()
    if target.parent != folder.resolve():  # cannot happen after safe_name; a last guard all the same
        raise UploadError("invalid file name")
    tmp = folder / f".incoming-{uuid.uuid4().hex}.part"
    size, head = 0, b""
    try:
        with open(tmp, "wb") as out:
            while block := src.read(CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise UploadTooLarge(f"file larger than the upload limit ({max_bytes / 1048576:g} MB)",
                                         detail={"limit_bytes": max_bytes})
                if len(head) < 8192:
                    head += block[: 8192 - len(head)]
                out.write(block)
        if size == 0:
            raise UploadInvalid("the file is empty")
        check_type(name, head)
        return _place(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _place(tmp: Path, target: Path) -> Path:
    """Move the new file into place; an older file of that name is kept as a hidden backup until
    the new one is indexed (see `restore`)."""
    if target.exists():
        os.replace(target, backup_of(target))
    os.replace(tmp, target)
    return target


def backup_of(path: Path) -> Path:
    return path.with_name(f".{path.name}.previous")


def settle(path: Path, indexed: bool) -> None:
    """After indexing: drop the backup (indexed) or put the previous file back (failed)."""
    bak = backup_of(path)
    if indexed:
        bak.unlink(missing_ok=True)
    elif bak.exists():
        os.replace(bak, path)
    else:
        path.unlink(missing_ok=True)
