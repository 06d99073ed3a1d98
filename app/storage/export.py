"""Write the container declaration as JSON for the infrastructure template.

`infra/modules/cosmos.bicep` reads `infra/containers.json` with `loadJsonContent`, so
the partition keys, TTL and indexing policies deployed to Azure are the ones declared
in `app/storage/containers.py`. Regenerate after changing that file:

    python -m app.storage.export
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from app.storage.base import ContainerSpec
from app.storage.containers import CONTAINERS

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "infra" / "containers.json"


def container_resources(specs: Iterable[ContainerSpec]) -> list[dict[str, Any]]:
    """Each container as the `resource` body of a Cosmos DB SQL container.

    `defaultTtl` is null where the declaration has none: the template then leaves TTL
    off, as Cosmos DB does when the property is absent.
    """
    return [
        {
            "name": spec.name,
            "partitionKeyPath": spec.partition_key_path,
            "defaultTtl": spec.default_ttl,
            "indexingPolicy": spec.indexing_policy,
        }
        for spec in specs
    ]


def render(specs: Iterable[ContainerSpec] = CONTAINERS.values()) -> str:
    """The file's exact text: sorted keys and a final newline keep diffs stable."""
    return json.dumps(container_resources(specs), indent=2, sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.storage.export",
        description="Write infra/containers.json from app/storage/containers.py.",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_PATH)
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the file differs from the declaration instead of writing it",
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m app.storage.export")
            return 1
        return 0
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
