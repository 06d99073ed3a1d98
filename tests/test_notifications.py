from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.notifications import Email, mime_message
from app.notifications.outbox import FileOutbox
from app.notifications.smtp import SmtpSender
from app.runtime import Runtime
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain, process_one
from tests.factories import apply, create_job, create_user
from tests.mail_support import SmtpServer

pytestmark = pytest.mark.anyio

HELLO = Email(key="k-1", to="ada@example.com", subject="Hello", text="Hi Ada")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestFileOutbox:
    async def test_writes_a_readable_eml_file(self, tmp_path: Path):
        outbox = FileOutbox(tmp_path, sender="jobs@example.com")

        await outbox.send(HELLO)

        (written,) = outbox.messages()
        text = written.read_text()
        assert "To: ada@example.com" in text
        assert "Message-ID: <k-1@example.com>" in text

    async def test_the_same_message_twice_is_one_file(self, tmp_path: Path):
        outbox = FileOutbox(tmp_path, sender="jobs@example.com")

        await outbox.send(HELLO)
        await outbox.send(HELLO)

        assert len(outbox.messages()) == 1


class TestSmtpSender:
    async def test_delivers_to_a_real_smtp_server(self, smtp_server: SmtpServer):
        sender = SmtpSender(
            host="127.0.0.1",
            port=smtp_server.port,
            sender="jobs@example.com",
            security="none",
        )

        await sender.send(
            Email(key="k-2", to="smtp-1@example.com", subject="S", text="T")
        )

        (received,) = [
            m for m in smtp_server.mailbox.messages if m["To"] == "smtp-1@example.com"
        ]
        assert received["Subject"] == "S"
        assert received["Message-ID"] == "<k-2@example.com>"

    async def test_an_unreachable_server_raises(self):
        sender = SmtpSender(
            host="127.0.0.1",
            port=_closed_port(),
            sender="a@example.com",
            security="none",
        )

        with pytest.raises(OSError):
            await sender.send(HELLO)


class TestConfirmationEmail:
    async def test_a_failed_send_is_retried_by_the_queue_and_sent_once(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        queue: LocalQueue,
        smtp_server: SmtpServer,
    ):
        user = await create_user(client, email="retry@example.com")
        job = await create_job(client)
        await apply(client, user["user_id"], job["job_id"])
        down = Runtime(
            settings.model_copy(
                update={
                    "email_backend": "smtp",
                    "smtp_port": _closed_port(),
                    "smtp_security": "none",
                }
            ),
            queue=queue,
        )
        up = Runtime(
            settings.model_copy(
                update={
                    "email_backend": "smtp",
                    "smtp_port": smtp_server.port,
                    "smtp_security": "none",
                }
            ),
            queue=queue,
        )
        try:
            while (received := await process_one(queue, down)) is not None:
                queue.release(received, delay=0)  # skip the back-off in the test
                if received.dequeue_count >= 2:
                    break
            await drain(queue, up)
            await drain(queue, up)
        finally:
            await down.aclose()
            await up.aclose()

        to_user = [m for m in smtp_server.mailbox.messages if m["To"] == user["email"]]
        assert len(to_user) == 1
        listing = (await client.get(f"/api/applications/{user['user_id']}")).json()
        assert listing["data"][0]["confirmation_sent_at"] is not None

    async def test_the_local_default_writes_to_the_outbox(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        queue: LocalQueue,
        settings: Settings,
    ):
        user = await create_user(client)
        job = await create_job(client, title="Platform engineer")
        await apply(client, user["user_id"], job["job_id"])

        await drain(queue, runtime)

        (written,) = sorted(settings.email_outbox_path.glob("*.eml"))
        assert "Platform engineer" in written.read_text()


class TestMimeMessage:
    def test_non_ascii_headers_and_text_read_back_as_written(self):
        email = Email(
            key="k-2",
            to="ada@example.com",
            subject="Votre candidature « Ingénieur données » à Zürich est bien reçue",
            text="Grüße, Ada — à bientôt.\n",
        )

        raw = mime_message(email, sender="Jobs Café <jobs@example.com>").as_bytes()
        parsed = message_from_bytes(raw, policy=policy.default)

        assert raw.isascii()
        assert parsed["Subject"] == email.subject
        assert parsed["From"] == "Jobs Café <jobs@example.com>"
        assert parsed["To"] == "ada@example.com"
        assert parsed["Message-ID"] == "<k-2@example.com>"
        assert isinstance(parsed, EmailMessage)
        assert parsed.get_content() == email.text
