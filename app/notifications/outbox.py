"""The local default: messages land as .eml files in a folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.notifications import Email, mime_message

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class FileOutbox:
    def __init__(self, folder: Path, *, sender: str):
        self._folder = folder
        self._sender = sender

    async def send(self, email: Email) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        target = self._folder / f"{_UNSAFE.sub('_', email.key)}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(mime_message(email, sender=self._sender).as_bytes())
        # Renaming makes the file appear whole or not at all.
        os.replace(partial, target)

    def messages(self) -> list[Path]:
        return sorted(self._folder.glob("*.eml")) if self._folder.exists() else []

    async def close(self) -> None:
        return None
