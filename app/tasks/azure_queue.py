"""The Azure Storage queue producer: what the Function App's queue trigger reads.

Messages are base64-encoded (`TextBase64EncodePolicy`) because the Functions queue
trigger decodes base64 by default (host.json `messageEncoding`); plain text would send
every message to the poison queue. The connection is the one the trigger uses:
`AzureWebJobsStorage` as a connection string, or identity-based with
`AzureWebJobsStorage__queueServiceUri` and azure-identity.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import TextBase64EncodePolicy
from azure.storage.queue.aio import QueueClient

from app.tasks.messages import TaskMessage, encode_message

if TYPE_CHECKING:
    from app.config import Settings


class AzureTaskQueue:
    def __init__(
        self,
        queue_name: str,
        *,
        connection_string: str | None = None,
        queue_service_uri: str | None = None,
    ):
        if not connection_string and not queue_service_uri:
            raise ValueError("a connection string or a queue service URI is required")
        self.queue_name = queue_name
        self._connection_string = connection_string
        self._queue_service_uri = queue_service_uri
        self._clients: dict[str, QueueClient] = {}
        self._credential: Any = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, queue_name: str) -> AzureTaskQueue:
        connection = settings.azurewebjobsstorage
        return cls(
            queue_name,
            connection_string=connection.get_secret_value() if connection else None,
            queue_service_uri=settings.azurewebjobsstorage__queueserviceuri,
        )

    def client(self, queue_name: str | None = None) -> QueueClient:
        """A client for this queue (or another of the account), made once."""
        name = queue_name or self.queue_name
        if name not in self._clients:
            policy = TextBase64EncodePolicy()
            if self._connection_string:
                client = QueueClient.from_connection_string(
                    self._connection_string, name, message_encode_policy=policy
                )
            else:
                from azure.identity.aio import DefaultAzureCredential

                if self._credential is None:
                    self._credential = DefaultAzureCredential()
                client = QueueClient(
                    str(self._queue_service_uri),
                    name,
                    credential=self._credential,
                    message_encode_policy=policy,
                )
            self._clients[name] = client
        return self._clients[name]

    async def send(self, message: TaskMessage) -> None:
        await self.send_raw(encode_message(message))

    async def send_raw(self, body: str, *, queue_name: str | None = None) -> None:
        client = self.client(queue_name)
        try:
            await client.send_message(body)
        except ResourceNotFoundError:
            # A new account has no queue yet; create it once and send again.
            async with self._lock:
                with contextlib.suppress(ResourceExistsError):
                    await client.create_queue()
            await client.send_message(body)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
        if self._credential is not None:
            await self._credential.close()
            self._credential = None
