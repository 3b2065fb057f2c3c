"""The media folder: files citizens send and files operators attach."""

from __future__ import annotations

import mimetypes
import re
import uuid
from pathlib import Path

_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")
# Stored names are a uuid and a short suffix; anything else asked for (a null byte, `..`, a slash, 5,000 characters)
# cannot be one of ours, and is refused before it reaches the file system.
_STORED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_DEFAULT_SUFFIX = {"photo": ".jpg", "voice": ".ogg", "audio": ".mp3", "video": ".mp4", "document": ".bin"}


def save_media(media_dir: Path, *, tenant_id: int, data: bytes, kind: str, filename: str | None, mime_type: str | None) -> str:
    """Store `data` under the tenant's folder with a fresh name; returns the path relative to `media_dir`.

    The citizen's file name is never used as a path (it could hold `../`); only a safe suffix is kept.
    """
    suffix = Path(filename or "").suffix.lower()
    if not _SAFE_SUFFIX.match(suffix):
        suffix = mimetypes.guess_extension(mime_type or "") or _DEFAULT_SUFFIX.get(kind, ".bin")
    relative = Path(str(tenant_id)) / f"{uuid.uuid4().hex}{suffix}"
    target = media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative.as_posix()


def media_file(media_dir: Path, relative: str) -> Path | None:
    """The absolute path of a stored media file, or None if `relative` escapes the folder or does not exist."""
    root = media_dir.resolve()
    try:
        target = (root / relative).resolve()
        if root not in target.parents or not target.is_file():
            return None
    except (OSError, ValueError):  # a name the file system refuses (too long, a null byte...) names no file of ours
        return None
    return target


def tenant_media_file(media_dir: Path, *, tenant_id: int, name: str) -> Path | None:
    """The stored file `name` of a tenant's folder, or None unless `name` has the form `save_media` gives names."""
    if not _STORED_NAME.fullmatch(name) or ".." in name:
        return None
    return media_file(media_dir, f"{tenant_id}/{name}")


def guess_mime(path: str) -> str:
    """The content type to serve a stored file with."""
    return mimetypes.guess_type(path)[0] or "application/octet-stream"
