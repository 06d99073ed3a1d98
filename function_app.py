"""The Function App: the API as one HTTP trigger, plus the timer and the queue trigger.

Each trigger decodes its input and calls the same handlers the local server uses.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from app.runtime import Runtime


@contextmanager
def _long_lived() -> Iterator[None]:
    """Build objects that live as long as the process without collecting garbage.

    Importing the app and building the API create modules, classes and schemas that
    are never freed, so the collections they trigger free almost nothing (about 700
    objects for the import) yet rescan an ever larger heap: 60 to 85 ms of a cold
    start (bench/cold_start.py). Collect nothing meanwhile, then freeze what was
    built, which later full collections skip, and collect as usual from there.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


class _ApiOnFirstRequest:
    """The FastAPI app, built when the first HTTP invocation (or its lifespan
    start) reaches it.

    Registering the routes is most of the import (about 100 ms), and instances
    that scale out for the queue or fire the timer never serve HTTP. The first
    request pays it instead: bench/cold_start.py times import + first request.
    """

    def __init__(self, runtime: "Runtime"):
        self._runtime = runtime
        self._app: ASGIApp | None = None

    async def __call__(self, scope: "Scope", receive: "Receive", send: "Send") -> None:
        if self._app is None:
            with _long_lived():
                from app.api import create_app

                self._app = create_app(self._runtime)
        await self._app(scope, receive, send)


with _long_lived():
    import azure.functions as func

    from app.config import load_settings
    from app.logs import install_correlation
    from app.observability import configure_observability
    from app.runtime import Runtime, set_process_runtime
    from app.tasks.handlers import handle_message, handle_poison
    from app.tasks.messages import TASK_QUEUE_NAME
    from app.tasks.worker import start_nightly_run

    install_correlation()
    # Read once at start: a bad setting stops the app here with a message naming it.
    runtime = set_process_runtime(Runtime(load_settings()))
    # Before the API exists, so OpenTelemetry's FastAPI instrumentation covers it.
    configure_observability(runtime.settings)

    # FastAPI checks credentials itself (see app/api/auth.py), so /api/docs and
    # /api/health answer without a function key.
    app = func.AsgiFunctionApp(
        app=_ApiOnFirstRequest(runtime), http_auth_level=func.AuthLevel.ANONYMOUS
    )


@app.function_name("nightly_recommendations")
@app.timer_trigger(
    arg_name="timer", schedule="%RECOMMENDATION_SCHEDULE%", run_on_startup=False
)
async def nightly_recommendations(timer: func.TimerRequest) -> None:
    # Plans the night's run and queues its shards; background_tasks scores them.
    await start_nightly_run(runtime, fired_at=datetime.now(UTC))


@app.function_name("background_tasks")
@app.queue_trigger(
    arg_name="message", queue_name=TASK_QUEUE_NAME, connection="AzureWebJobsStorage"
)
async def background_tasks(message: func.QueueMessage) -> None:
    await handle_message(message.get_body(), runtime, message_id=message.id)


@app.function_name("poison_tasks")
@app.queue_trigger(
    arg_name="message",
    queue_name=f"{TASK_QUEUE_NAME}-poison",
    connection="AzureWebJobsStorage",
)
async def poison_tasks(message: func.QueueMessage) -> None:
    # Azure deletes poison messages after 7 days; the store keeps them for an admin.
    await handle_poison(
        queue_name=f"{TASK_QUEUE_NAME}-poison",
        message_id=message.id or "",
        body=message.get_body().decode(),
        dequeue_count=message.dequeue_count or 0,
        runtime=runtime,
    )
