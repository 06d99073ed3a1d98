"""The containers, declared once: partition keys, TTL and indexing policies.

The `provision` command and the embedded store both read these; the infrastructure
template is checked against them by a test.
"""

from __future__ import annotations

from app.storage.base import ContainerSpec

USERS = "users"
JOBS = "jobs"
APPLICATIONS = "applications"
RECOMMENDATIONS = "recommendations"
IMPORTS = "imports"
POISON_MESSAGES = "poison_messages"
RUNS = "runs"

# The seed expires candidate profiles 30 days after their last write.
USERS_DEFAULT_TTL_SECONDS = 30 * 24 * 3600


def _range_paths(*fields: str) -> list[dict[str, str]]:
    return [{"path": f"/{name}/?"} for name in fields]


CONTAINERS: dict[str, ContainerSpec] = {
    USERS: ContainerSpec(
        name=USERS,
        partition_key="user_id",
        default_ttl=USERS_DEFAULT_TTL_SECONDS,
        indexing_policy={
            "indexingMode": "consistent",
            "automatic": True,
            "includedPaths": [{"path": "/*"}],
            "excludedPaths": [{"path": '/"_etag"/?'}],
        },
    ),
    JOBS: ContainerSpec(
        name=JOBS,
        partition_key="company_id",
        indexing_policy={
            "indexingMode": "consistent",
            "automatic": True,
            # The seed indexes title, skills and location; status, company, experience
            # and created_at are what the list filters and the newest-first sort need.
            "includedPaths": [
                *_range_paths(
                    "title",
                    "location",
                    "location_key",
                    "status",
                    "company_id",
                    "min_experience",
                    "max_experience",
                    "remote",
                    "created_at",
                ),
                {"path": "/skills/[]/?"},
                {"path": "/skill_keys/[]/?"},
            ],
            "excludedPaths": [{"path": "/*"}, {"path": '/"_etag"/?'}],
            # Each list filter with the newest-first sort the API serves.
            "compositeIndexes": [
                [
                    {"path": f"/{name}", "order": "ascending"},
                    {"path": "/created_at", "order": "descending"},
                ]
                for name in ("location_key", "company_id", "status")
            ],
        },
    ),
    APPLICATIONS: ContainerSpec(
        name=APPLICATIONS,
        partition_key="user_id",
        indexing_policy={
            "indexingMode": "consistent",
            "automatic": True,
            "includedPaths": _range_paths(
                "job_id", "company_id", "status", "created_at", "match_score"
            ),
            "excludedPaths": [{"path": "/*"}, {"path": '/"_etag"/?'}],
        },
    ),
    RECOMMENDATIONS: ContainerSpec(
        name=RECOMMENDATIONS,
        partition_key="user_id",
        indexing_policy={
            "indexingMode": "consistent",
            "automatic": True,
            "includedPaths": [{"path": "/*"}],
            "excludedPaths": [{"path": '/"_etag"/?'}],
            # Analytics and the per-candidate list sort on these pairs.
            "compositeIndexes": [
                [
                    {"path": "/user_id", "order": "ascending"},
                    {"path": "/score", "order": "descending"},
                ],
                [
                    {"path": "/job_id", "order": "ascending"},
                    {"path": "/score", "order": "descending"},
                ],
            ],
        },
    ),
    # A bulk import: its record and its chunks of rows share one partition.
    IMPORTS: ContainerSpec(
        name=IMPORTS,
        partition_key="import_id",
        indexing_policy={
            "indexingMode": "consistent",
            "automatic": True,
            "includedPaths": _range_paths("kind", "chunk"),
            "excludedPaths": [{"path": "/*"}, {"path": '/"_etag"/?'}],
        },
    ),
    # A recommendation run: its record and its shards (candidate ids, totals) share
    # one partition, so progress is one single-partition query.
    RUNS: ContainerSpec(
        name=RUNS,
        partition_key="run_id",
        indexing_policy={
            "indexingMode": "consistent",
            "automatic": True,
            "includedPaths": _range_paths("kind", "shard", "done"),
            "excludedPaths": [{"path": "/*"}, {"path": '/"_etag"/?'}],
        },
    ),
    # Messages that failed every delivery; Azure deletes its poison queues' messages
    # after 7 days, so they are kept here until an admin requeues them.
    POISON_MESSAGES: ContainerSpec(
        name=POISON_MESSAGES,
        partition_key="queue_name",
        indexing_policy={
            "indexingMode": "consistent",
            "automatic": True,
            "includedPaths": _range_paths("recorded_at"),
            "excludedPaths": [{"path": "/*"}, {"path": '/"_etag"/?'}],
        },
    ),
}
