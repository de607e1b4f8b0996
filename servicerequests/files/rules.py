"""What a file must be to be attached to a service request: the limits, the allow-list of types
(checked by content, not only by name) and the name it is kept under. Pure functions; nothing here
reads or writes the database or the storage.

- At most :data:`MAX_FILE_BYTES` (5 MB, as the Azure portal) per file and
  :data:`MAX_FILES_PER_REQUEST` files per request.
- The extension must be in :data:`ALLOWED_TYPES`, and the content must be what the extension says:
  binary formats by their signature (the ``puremagic`` library's database of magic bytes, a small
  pure-Python package with no system library), text formats by decoding as UTF-8 or UTF-16 without
  control characters (HAR and JSON must also parse, HAR with its ``log`` object). ETL (Windows
  event trace) files have no published signature: they are accepted when their content matches no
  known format at all (so an executable, archive, script or page renamed ``.etl`` is still refused).
- The stored type is the one found here, never the one the client declared.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

import puremagic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_REQUEST = 20
MAX_NAME_LENGTH = 120
#: Bytes read to recognise a binary format.
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileType:
    """One allowed kind of file: its extensions, how its content is checked, the stored type."""

    label: str
    extensions: frozenset[str]
    content_type: str
    check: str  # "text", "json", "har", "magic" (puremagic's extensions in ``magic``), "unknown-binary"
    magic: frozenset[str] = frozenset()


def _t(label, extensions, content_type, check, magic=()):
    return FileType(label, frozenset(extensions.split()), content_type, check, frozenset(magic))


#: The allow-list (docs/api.md, "Attachments"): logs and text, HAR, images, PDF, archives, event logs.
ALLOWED_TYPES: tuple[FileType, ...] = (
    _t(gettext_lazy("Text or log"), "txt log text out trace", "text/plain; charset=utf-8", "text"),
    _t("CSV", "csv tsv", "text/csv; charset=utf-8", "text"),
    _t(
        gettext_lazy("Configuration or markup"),
        "xml yaml yml ini cfg conf md",
        "text/plain; charset=utf-8",
        "text",
    ),
    _t("JSON", "json", "application/json", "json"),
    _t(gettext_lazy("HTTP archive (HAR)"), "har", "application/json", "har"),
    _t(gettext_lazy("PNG image"), "png", "image/png", "magic", [".png"]),
    _t(gettext_lazy("JPEG image"), "jpg jpeg", "image/jpeg", "magic", [".jpg", ".jpeg", ".jfif", ".jpe"]),
    _t(gettext_lazy("GIF image"), "gif", "image/gif", "magic", [".gif"]),
    _t(gettext_lazy("BMP image"), "bmp", "image/bmp", "magic", [".bmp"]),
    _t(gettext_lazy("WebP image"), "webp", "image/webp", "magic", [".webp"]),
    _t(gettext_lazy("PDF document"), "pdf", "application/pdf", "magic", [".pdf"]),
    _t(gettext_lazy("ZIP archive"), "zip", "application/zip", "magic", [".zip"]),
    _t(gettext_lazy("gzip archive"), "gz tgz", "application/gzip", "magic", [".gz", ".tgz"]),
    _t(gettext_lazy("7-Zip archive"), "7z", "application/x-7z-compressed", "magic", [".7z"]),
    _t(gettext_lazy("Cabinet archive"), "cab", "application/vnd.ms-cab-compressed", "magic", [".cab"]),
    _t(gettext_lazy("Windows event log"), "evtx", "application/octet-stream", "magic", [".evtx"]),
    _t(gettext_lazy("Windows event trace (ETL)"), "etl", "application/octet-stream", "unknown-binary"),
)
_BY_EXTENSION = {ext: kind for kind in ALLOWED_TYPES for ext in kind.extensions}
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(sorted(_BY_EXTENSION))
#: The ``accept`` attribute of a file input (a hint to the picker; the server checks regardless).
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)


class FileRefused(ValueError):
    """A file that may not be attached; the message names the file and the reason."""

    def __init__(self, file_name: str, reason: str, *, too_large: bool = False):
        self.file_name = file_name
        self.reason = reason
        self.too_large = too_large
        super().__init__(f"{file_name}: {reason}")


_UNSAFE = re.compile(r"[^\w .()\[\]+,=@-]", re.UNICODE)


def sanitised_name(raw: str) -> str:
    """The name a file is kept and downloaded under: the last path segment only, NFC, no control
    characters, nothing but letters, digits, spaces and ``. ( ) [ ] + , = @ - _`` (others become
    ``_``), no leading dots or spaces, at most :data:`MAX_NAME_LENGTH` characters (the extension
    kept). ``""`` when nothing is left."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip().lstrip(". ").rstrip(". ")
    name = re.sub(r"\s+", " ", name)
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16]
        name = (
            (stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext) if dot and stem else name[:MAX_NAME_LENGTH]
        )
    return name


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _text(content: bytes) -> str | None:
    """The text of ``content`` when it is UTF-8 (BOM optional) or UTF-16 with a BOM, without control
    characters other than tab, line feed, carriage return and form feed; else None."""
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = content.decode("utf-16")
        else:
            text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
        return None
    return text


def _magic_extensions(head: bytes, *, beyond: int = 0) -> set[str]:
    """The extensions of the formats whose signature ``head`` carries (puremagic); with ``beyond``,
    only signatures that reach past the first ``beyond`` bytes."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return set()
    return {m.extension.lower() for m in matches if m.offset + len(m.byte_match) > beyond}


def file_type_check(raw_name: str, content: bytes, *, size: int) -> tuple[str, FileType]:
    """The sanitised name and the allowed type of a file, or :class:`FileRefused` naming the file
    and the reason (no name, too large, empty, type not allowed, content not what the name says)."""
    name = sanitised_name(raw_name)
    shown = name or (str(raw_name or "").strip() or _("the file"))
    if not name:
        raise FileRefused(shown, _("the file has no usable name."))
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            name,
            _("is %(size)s bytes; a file may be at most %(max)s bytes (5 MB).")
            % {"size": size, "max": MAX_FILE_BYTES},
            too_large=True,
        )
    if size == 0:
        raise FileRefused(name, _("is empty."))
    kind = _BY_EXTENSION.get(_extension(name))
    if kind is None:
        raise FileRefused(
            name,
            _("this type of file can't be attached; allowed: %(extensions)s.")
            % {"extensions": ", ".join(f".{e}" for e in ALLOWED_EXTENSIONS)},
        )
    if kind.check in ("text", "json", "har"):
        text = _text(content)
        if text is None:
            raise FileRefused(
                name, _("the content is not text, so it is not a %(kind)s file.") % {"kind": kind.label}
            )
        if kind.check in ("json", "har"):
            try:
                document = json.loads(text)
            except ValueError:
                raise FileRefused(
                    name,
                    _("the content is not valid JSON, so it is not a %(kind)s file.") % {"kind": kind.label},
                ) from None
            if kind.check == "har" and not (
                isinstance(document, dict) and isinstance(document.get("log"), dict)
            ):
                raise FileRefused(
                    name, _('the content has no HAR "log" object, so it is not an HTTP archive.')
                )
        return name, kind
    found = _magic_extensions(content[:SNIFF_BYTES])
    if kind.check == "magic":
        if not found & kind.magic:
            raise FileRefused(
                name,
                _("the content is not a %(kind)s (its signature does not match).") % {"kind": kind.label},
            )
        return name, kind
    # ETL: no published signature; anything recognisable as another format, or without a NUL byte in
    # its first block (text), is refused. A trace's first buffer starts with its size (64 KB is
    # 00 00 01 00, also the icon's signature): a match within those four bytes alone does not count.
    if _magic_extensions(content[:SNIFF_BYTES], beyond=4) or b"\x00" not in content[:SNIFF_BYTES]:
        raise FileRefused(name, _("the content is not a %(kind)s file.") % {"kind": kind.label})
    return name, kind
