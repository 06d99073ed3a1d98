"""Benchmark of the batch matching engine against the per-pair Python baseline.

Run from the repository root:

    python bench/matching.py                       # 20k candidates x 100k jobs
    python bench/matching.py --candidates 1000000  # the full nightly size

The population is synthetic and seeded: Zipf-skewed skill popularity over a vocabulary
of 2,000 skills, candidates with 3-15 skills, jobs with 2-8, 200 cities with
Zipf-skewed sizes, 15 % remote jobs, experience spread over 0-30 years.

Candidates are generated and scored shard by shard, as the nightly pass does, so that
a million candidate objects and their results never sit in memory at once. The engine
time covers ``JobIndex.top_k`` only (encoding, scoring, top-k, building the Python
result lists); generating the population is timed apart. The projection for
1,000,000 candidates multiplies the measured engine time per candidate, for the same
job count, by 1,000,000. The last line printed is one JSON object with the figures.
"""

import argparse
import heapq
import json
import math
import os
import platform
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.matching import (
    CandidateFeatures,
    JobFeatures,
    JobIndex,
    score_pair,
)

VOCABULARY_SIZE = 2_000
CITY_COUNT = 200
REMOTE_SHARE = 0.15
UNLOCATED_CANDIDATE_SHARE = 0.05
OPEN_ENDED_JOB_SHARE = 0.2
FULL_CANDIDATES = 1_000_000
FULL_JOBS = 100_000

SKILL_NAMES = [f"skill{rank:04d}" for rank in range(VOCABULARY_SIZE)]
CITY_NAMES = [f"city{rank:03d}" for rank in range(CITY_COUNT)]


def zipf_weights(size: int, exponent: float) -> npt.NDArray[np.float64]:
    """Probability of each rank under a Zipf law, most popular first."""
    weights = 1.0 / np.arange(1, size + 1, dtype=np.float64) ** exponent
    return np.asarray(weights / weights.sum(), np.float64)


def draw_skill_sets(
    rng: np.random.Generator, *, count: int, low: int, high: int, zipf: float
) -> list[frozenset[str]]:
    """``count`` sets of ``low..high`` distinct skills, each drawn Zipf-weighted."""
    sizes = rng.integers(low, high + 1, size=count)
    # Drawing twice the largest size with replacement leaves enough distinct skills
    # for all but a vanishing few sets, which are topped up below.
    draws = rng.choice(VOCABULARY_SIZE, size=(count, 2 * high), p=weights(zipf))
    sets: list[frozenset[str]] = []
    for row, size in zip(draws.tolist(), sizes.tolist(), strict=True):
        chosen: dict[int, None] = dict.fromkeys(row)
        while len(chosen) < size:
            chosen.update(
                dict.fromkeys(rng.choice(VOCABULARY_SIZE, size=high).tolist())
            )
        sets.append(frozenset(SKILL_NAMES[s] for s in list(chosen)[:size]))
    return sets


_WEIGHTS: dict[float, npt.NDArray[np.float64]] = {}


def weights(zipf: float) -> npt.NDArray[np.float64]:
    if zipf not in _WEIGHTS:
        _WEIGHTS[zipf] = zipf_weights(VOCABULARY_SIZE, zipf)
    return _WEIGHTS[zipf]


def make_jobs(count: int, *, seed: int, zipf: float) -> list[JobFeatures]:
    rng = np.random.default_rng([seed, 1])
    skills = draw_skill_sets(rng, count=count, low=2, high=8, zipf=zipf)
    cities = rng.choice(CITY_COUNT, size=count, p=zipf_weights(CITY_COUNT, 1.0))
    remote = rng.random(count) < REMOTE_SHARE
    min_years = rng.choice(
        [0, 1, 2, 3, 4, 5, 7, 10],
        size=count,
        p=np.array([8, 12, 16, 18, 14, 14, 10, 8]) / 100,
    )
    spans = rng.choice([2, 3, 4, 5, 8], size=count)
    open_ended = rng.random(count) < OPEN_ENDED_JOB_SHARE
    return [
        JobFeatures(
            skills=skills[i],
            min_experience=float(min_years[i]),
            max_experience=None if open_ended[i] else float(min_years[i] + spans[i]),
            # Remote postings often still name a city; it does not matter then.
            location=CITY_NAMES[cities[i]] if not remote[i] or i % 2 else None,
            remote=bool(remote[i]),
        )
        for i in range(count)
    ]


def make_candidates(
    count: int, *, seed: int, shard: int, zipf: float
) -> list[CandidateFeatures]:
    """Shard ``shard`` of the candidates; shards -2 and -1 are spares for warm-up."""
    rng = np.random.default_rng([seed, 2, shard + 2])
    skills = draw_skill_sets(rng, count=count, low=3, high=15, zipf=zipf)
    cities = rng.choice(CITY_COUNT, size=count, p=zipf_weights(CITY_COUNT, 1.0))
    unlocated = rng.random(count) < UNLOCATED_CANDIDATE_SHARE
    # Careers: many juniors, a long tail of seniors, capped at 30 years, half years.
    years = np.minimum(np.round(rng.gamma(2.0, 3.5, size=count) * 2) / 2, 30.0)
    return [
        CandidateFeatures(
            skills=skills[i],
            experience_years=float(years[i]),
            location=None if unlocated[i] else CITY_NAMES[cities[i]],
        )
        for i in range(count)
    ]


def naive_top_k(
    candidates: Sequence[CandidateFeatures], jobs: Sequence[JobFeatures], *, k: int
) -> list[list[tuple[int, float]]]:
    """The baseline: score_pair on every pair, heapq for the best k."""
    results = []
    for candidate in candidates:
        scored = (
            (score_pair(candidate, job).score, position)
            for position, job in enumerate(jobs)
        )
        best = heapq.nsmallest(k, ((-s, p) for s, p in scored if s > 0))
        results.append([(p, -s) for s, p in best])
    return results


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux: the true peak, NumPy buffers included.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=FULL_JOBS)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--baseline-candidates", type=int, default=20)
    parser.add_argument("--shard", type=int, default=50_000)
    parser.add_argument("--zipf", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    started = time.perf_counter()
    jobs = make_jobs(args.jobs, seed=args.seed, zipf=args.zipf)
    generate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    index = JobIndex.build(jobs, workers=args.workers)
    build_seconds = time.perf_counter() - started

    # The first call compiles the kernel (or loads it from Numba's cache).
    started = time.perf_counter()
    index.top_k(make_candidates(8, seed=args.seed, shard=-1, zipf=args.zipf), k=args.k)
    warmup_seconds = time.perf_counter() - started

    baseline = make_candidates(
        args.baseline_candidates, seed=args.seed, shard=-2, zipf=args.zipf
    )
    started = time.perf_counter()
    expected = naive_top_k(baseline, jobs, k=args.k)
    baseline_seconds = time.perf_counter() - started
    agrees = index.top_k(baseline, k=args.k) == expected

    engine_seconds = 0.0
    returned = 0
    for shard, start in enumerate(range(0, args.candidates, args.shard)):
        size = min(args.shard, args.candidates - start)
        started = time.perf_counter()
        candidates = make_candidates(size, seed=args.seed, shard=shard, zipf=args.zipf)
        generate_seconds += time.perf_counter() - started

        started = time.perf_counter()
        results = index.top_k(candidates, k=args.k)
        engine_seconds += time.perf_counter() - started
        returned += sum(len(row) for row in results)
        del candidates, results
        print(
            f"shard {shard}: {start + size:,} candidates, "
            f"engine {engine_seconds:.1f} s, peak RSS {peak_rss_mib():,.0f} MiB",
            file=sys.stderr,
        )

    engine_rate = args.candidates * args.jobs / engine_seconds
    baseline_rate = args.baseline_candidates * args.jobs / baseline_seconds
    projected = engine_seconds / args.candidates * FULL_CANDIDATES
    figures = {
        "candidates": args.candidates,
        "jobs": args.jobs,
        "k": args.k,
        "zipf": args.zipf,
        "workers": args.workers,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "engine_seconds": round(engine_seconds, 2),
        "engine_pairs_per_second": round(engine_rate),
        "baseline_candidates": args.baseline_candidates,
        "baseline_seconds": round(baseline_seconds, 2),
        "baseline_pairs_per_second": round(baseline_rate),
        "speedup": round(engine_rate / baseline_rate, 1),
        "baseline_agrees": agrees,
        "projected_seconds_1m_candidates": round(projected, 1),
        "projection_jobs": args.jobs,
        "full_size_run": args.candidates >= FULL_CANDIDATES and args.jobs >= FULL_JOBS,
        "index_build_seconds": round(build_seconds, 2),
        "warmup_seconds": round(warmup_seconds, 2),
        "generate_seconds": round(generate_seconds, 2),
        "results_returned": returned,
        "peak_rss_mib": round(peak_rss_mib()),
    }
    print(
        f"engine   {engine_rate / 1e6:10.1f} M pairs/s  ({engine_seconds:.1f} s)\n"
        f"baseline {baseline_rate / 1e6:10.2f} M pairs/s  ({baseline_seconds:.1f} s)\n"
        f"speedup  {engine_rate / baseline_rate:10.0f} x, baseline agrees: {agrees}\n"
        f"1M x {args.jobs:,} projected {projected / 60:.1f} min; "
        f"peak RSS {peak_rss_mib():,.0f} MiB",
        file=sys.stderr,
    )
    print(json.dumps(figures))
    if not math.isfinite(projected) or not agrees:
        sys.exit(1)


if __name__ == "__main__":
    main()
