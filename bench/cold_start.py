"""Cold-start cost of the Function App: importing `function_app` against its bare deps.

Run from the repository root:

    python bench/cold_start.py            # 15 runs of each
    python bench/cold_start.py --runs 31

A cold start imports `function_app` in a new worker process before the first
invocation, so every measurement is a fresh interpreter that times one import
statement. The baseline is what any FastAPI Function App pays (`fastapi`,
`azure.functions`, `pydantic`); the two are measured alternately in the same run so
that machine noise hits both alike, and the figures are medians. The store and queue
point at a temporary directory, as a fresh instance's would be empty.

The import is not the whole wait: work that an import skips may land on the first
request. So each side is also timed from the import to the answer of its first HTTP
request, sent as the host sends it (the registered `http_app_func`, via
`AsgiFunctionApp`): the bare side a one-route FastAPI app answering GET /api/health,
the project GET /api/health. The target applies to the import ratio; both are printed.

Then `python -X importtime` lists the modules `function_app` imports that the bare
dependencies do not, by self time: what to make lazy first. The last line printed is
one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3
BARE_IMPORT = "import fastapi, azure.functions, pydantic"
APP_IMPORT = "import function_app"
# The timer sits inside the child so interpreter start-up is not counted.
_TIMED = (
    "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
)
# Fewer profiles than timing runs: each only ranks modules, and costs a full import.
_PROFILE_RUNS = 3

# Import, then the first GET /api/health through the function the host would call.
# Prints the seconds to the end of the import and to the answer.
_FIRST_REQUEST = """
import time
t = time.perf_counter()
{setup}
imported = time.perf_counter() - t
import asyncio
import azure.functions as func
http = next(
    f for f in function_app.get_functions() if f.get_function_name() == "http_app_func"
).get_user_function()
request = func.HttpRequest(
    method="GET",
    url="http://localhost/api/health",
    headers={{}},
    params={{}},
    route_params={{"route": "api/health"}},
    body=b"",
)
status = asyncio.run(http(request, None)).status_code
assert status == 200, status
print(imported, time.perf_counter() - t)
"""
BARE_SETUP = """
import fastapi, azure.functions, pydantic
api = fastapi.FastAPI()
@api.get("/api/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
function_app = azure.functions.AsgiFunctionApp(
    app=api, http_auth_level=azure.functions.AuthLevel.ANONYMOUS
)
"""
APP_SETUP = "import function_app as module; function_app = module.app"


def _environment(data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STORAGE_BACKEND": "embedded",
        "EMBEDDED_STORE_PATH": str(data / "store.sqlite3"),
        "LOCAL_QUEUE_PATH": str(data / "queue.sqlite3"),
        "EMAIL_OUTBOX_PATH": str(data / "outbox"),
        "TASK_QUEUE": "local",
        "API_KEY": "",
        # Bytecode is written on the warm-up run; a deployed package ships its .pyc.
        "PYTHONDONTWRITEBYTECODE": "",
    }


def _run(
    args: Sequence[str], env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    return result


def time_import(statement: str, env: Mapping[str, str]) -> float:
    """Seconds one fresh interpreter spends on `statement`."""
    return float(_run(["-c", _TIMED.format(statement=statement)], env).stdout)


def time_first_request(setup: str, env: Mapping[str, str]) -> tuple[float, float]:
    """Seconds from the import of `setup` to the answer of its first request, and
    the part of them after the import."""
    stdout = _run(["-c", _FIRST_REQUEST.format(setup=setup)], env).stdout
    imported, answered = (float(value) for value in stdout.split())
    return answered, answered - imported


def import_profile(statement: str, env: Mapping[str, str]) -> dict[str, int]:
    """Self time in microseconds of each module `statement` imports (one run)."""
    stderr = _run(["-X", "importtime", "-c", statement], env).stderr
    profile: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        profile[name.strip()] = int(self_us)
    return profile


def median_profile(statement: str, env: Mapping[str, str]) -> dict[str, float]:
    profiles = [import_profile(statement, env) for _ in range(_PROFILE_RUNS)]
    return {
        name: statistics.median(p.get(name, 0) for p in profiles)
        for name in profiles[0]
    }


def by_package(profile: Mapping[str, float]) -> list[tuple[str, float]]:
    """Self time summed per package: ours by sub-package, others by distribution."""
    totals: dict[str, float] = {}
    for name, us in profile.items():
        parts = name.split(".")
        package = ".".join(parts[:2]) if parts[0] in ("app", "azure") else parts[0]
        totals[package] = totals.get(package, 0) + us
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="imports of each kind")
    parser.add_argument("--top", type=int, default=10, help="modules to list")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cold-start-") as data:
        env = _environment(Path(data))
        # Warm-up: compiles bytecode and fills the OS file cache for both.
        time_first_request(APP_SETUP, env)
        time_first_request(BARE_SETUP, env)
        bare: list[float] = []
        app: list[float] = []
        bare_first: list[tuple[float, float]] = []
        app_first: list[tuple[float, float]] = []
        for i in range(args.runs):
            # Swap the order every run so neither always follows the other.
            pair = [(bare, BARE_IMPORT), (app, APP_IMPORT)]
            for samples, statement in pair if i % 2 == 0 else reversed(pair):
                samples.append(time_import(statement, env))
            first = [(bare_first, BARE_SETUP), (app_first, APP_SETUP)]
            for samples, setup in first if i % 2 == 0 else reversed(first):
                samples.append(time_first_request(setup, env))

        baseline = set(import_profile(BARE_IMPORT, env))
        profile = median_profile(APP_IMPORT, env)

    extra = {name: us for name, us in profile.items() if name not in baseline}
    top = sorted(extra.items(), key=lambda item: item[1], reverse=True)[: args.top]
    bare_s, app_s = statistics.median(bare), statistics.median(app)
    ratio = app_s / bare_s
    bare_first_s = statistics.median(total for total, _ in bare_first)
    app_first_s = statistics.median(total for total, _ in app_first)
    bare_request_s = statistics.median(request for _, request in bare_first)
    app_request_s = statistics.median(request for _, request in app_first)
    first_ratio = app_first_s / bare_first_s

    print(f"python {sys.version.split()[0]}, {args.runs} runs each, medians")
    print(f"bare deps ({BARE_IMPORT.removeprefix('import ')}): {bare_s * 1e3:7.1f} ms")
    print(f"function_app:                                 {app_s * 1e3:7.1f} ms")
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(f"ratio: {ratio:.2f} ({verdict} the {TARGET_RATIO} target)")
    # The API is built on the first request, so the import may skip FastAPI itself,
    # which the bare side imports: then the second ratio is the one to read.
    print(f"function_app imports fastapi: {'fastapi' in profile}")
    print("import + first GET /api/health through http_app_func:")
    print(
        f"  bare one-route app:  {bare_first_s * 1e3:7.1f} ms"
        f" (of which the request {bare_request_s * 1e3:.1f} ms)"
    )
    print(
        f"  function_app:        {app_first_s * 1e3:7.1f} ms"
        f" (of which the request {app_request_s * 1e3:.1f} ms)"
    )
    print(f"  ratio: {first_ratio:.2f}")
    print(
        f"modules beyond the bare deps: {len(extra)},"
        f" {sum(extra.values()) / 1e3:.1f} ms self time in total"
    )
    print(
        f"top {len(top)} by self time (median of {_PROFILE_RUNS} -X importtime runs):"
    )
    for name, us in top:
        print(f"  {us / 1e3:7.2f} ms  {name}")
    print("the same modules by package:")
    for package, us in by_package(extra)[: args.top]:
        print(f"  {us / 1e3:7.2f} ms  {package}")
    figures = {
        "runs": args.runs,
        "bare_s": round(bare_s, 4),
        "function_app_s": round(app_s, 4),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "bare_first_request_s": round(bare_first_s, 4),
        "function_app_first_request_s": round(app_first_s, 4),
        "first_request_ratio": round(first_ratio, 3),
        "bare_request_s": round(bare_request_s, 4),
        "function_app_request_s": round(app_request_s, 4),
        "imports_fastapi": "fastapi" in profile,
        "extra_modules": len(extra),
        "extra_self_s": round(sum(extra.values()) / 1e6, 4),
        "top": [{"module": name, "self_s": round(us / 1e6, 5)} for name, us in top],
        "by_package": {
            package: round(us / 1e6, 5) for package, us in by_package(extra)[: args.top]
        },
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
