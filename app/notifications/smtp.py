"""Email over SMTP with aiosmtplib."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiosmtplib

from app.notifications import Email, mime_message

if TYPE_CHECKING:
    from app.config import Settings

_TIMEOUT_SECONDS = 30


class SmtpSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        security: str,
        username: str | None = None,
        password: str | None = None,
    ):
        self._host = host
        self._port = port
        self._sender = sender
        self._security = security
        self._username = username
        self._password = password

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.email_sender,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=(
                settings.smtp_password.get_secret_value()
                if settings.smtp_password
                else None
            ),
        )

    async def send(self, email: Email) -> None:
        # One connection per message: confirmations are rare and a pooled connection
        # would go stale between them.
        await aiosmtplib.send(
            mime_message(email, sender=self._sender),
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            use_tls=self._security == "tls",
            start_tls=self._security == "starttls",
            timeout=_TIMEOUT_SECONDS,
        )

    async def close(self) -> None:
        return None
