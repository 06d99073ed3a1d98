"""The Function App: the API as one HTTP trigger, plus the timer and the queue trigger.

Each trigger decodes its input and calls the same handlers the local server uses.
"""

from datetime import UTC, datetime

from app.coldstart import ApiOnFirstRequest, long_lived

with long_lived():
    import azure.functions as func

    from app.config import load_settings
    from app.logs import install_correlation
    from app.observability import configure_observability, warn_if_open
    from app.runtime import Runtime, set_process_runtime
    from app.tasks.handlers import handle_message, handle_poison
    from app.tasks.messages import TASK_QUEUE_NAME
    from app.tasks.worker import start_nightly_run

    install_correlation()
    # Read once at start: a bad setting stops the app here with a message naming it.
    runtime = set_process_runtime(Runtime(load_settings()))
    # Before the API exists, so OpenTelemetry's FastAPI instrumentation covers it.
    configure_observability(runtime.settings)
    warn_if_open(runtime.settings)

    # FastAPI checks credentials itself (see app/api/auth.py), so /api/docs and
    # /api/health answer without a function key.
    app = func.AsgiFunctionApp(
        app=ApiOnFirstRequest(runtime), http_auth_level=func.AuthLevel.ANONYMOUS
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
