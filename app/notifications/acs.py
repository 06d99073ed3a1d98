"""Email through Azure Communication Services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.notifications import Email

if TYPE_CHECKING:
    from app.config import Settings


class AcsSender:
    def __init__(
        self,
        *,
        sender: str,
        endpoint: str | None = None,
        connection_string: str | None = None,
    ):
        self._sender = sender
        self._endpoint = endpoint
        self._connection_string = connection_string
        self._client: Any = None
        self._credential: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AcsSender:
        return cls(
            sender=settings.email_sender,
            endpoint=settings.acs_endpoint,
            connection_string=(
                settings.acs_connection_string.get_secret_value()
                if settings.acs_connection_string
                else None
            ),
        )

    def _get_client(self) -> Any:
        if self._client is None:
            from azure.communication.email.aio import EmailClient

            if self._connection_string:
                self._client = EmailClient.from_connection_string(
                    self._connection_string
                )
            else:
                from azure.identity.aio import DefaultAzureCredential

                self._credential = DefaultAzureCredential()
                self._client = EmailClient(str(self._endpoint), self._credential)
        return self._client

    async def send(self, email: Email) -> None:
        poller = await self._get_client().begin_send(
            {
                "senderAddress": self._sender,
                "recipients": {"to": [{"address": email.to}]},
                "content": {"subject": email.subject, "plainText": email.text},
            }
        )
        await poller.result()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._credential is not None:
            await self._credential.close()
