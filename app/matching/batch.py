"""Top-k jobs for many candidates at once, exact and pruned.

``JobIndex.build`` prepares the active jobs once; ``JobIndex.top_k`` is then called for
as many candidate chunks or shards as needed. The result equals a brute-force sort of
``score_pair`` over every pair: the same scores (the kernel compiles the scoring
functions of ``app.matching.scoring`` with Numba), ordered by score descending, then
job position ascending. Jobs whose score rounds to 0.0 are never returned, so a
candidate may get fewer than ``k`` results.

How the pruning stays exact: the score is ``0.6 * skill + 0.25 * experience + 0.15 *
location`` and ``experience <= 1``. Jobs are split by location group (remote, one group
per city); for a candidate a group is compatible (location = 1) or not (location = 0),
which bounds the last two terms. Each job's skills are ordered rarest first. A job
whose first skill held by the candidate sits at position ``i`` of its ``n`` skills
overlaps the candidate in at most ``n - i`` skills, so its skill match is at most
``(n - i) / n``; that fraction is the job's *level* in the posting list of that skill.
Posting lists are walked level by level, best first, compatible groups before the
others. Once the candidate already has ``k`` results and a level's upper bound is below
the k-th best score, nothing left can enter the top k (not even with a tie, which needs
an equal score) and the walk stops. Jobs that share no skill with the candidate are
scanned only when a score of at most 40 (compatible) or 25 (others) can still enter.
Because Zipf-popular skills are rarely a job's rarest skill, the first levels are short.
"""

import math
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from app.matching import scoring
from app.matching.scoring import CandidateFeatures, JobFeatures

_REMOTE_GROUP = 0
_NO_GROUP_JOB = -1  # a non-remote job without a location: compatible with nobody
_NO_GROUP_CANDIDATE = -2  # a candidate whose location no job shares

# Enough candidates per chunk to amortise the thread hand-off, few enough that the
# encoded chunk and its results stay a few megabytes.
_CHUNK_SIZE = 16_384
_BLOCKS_PER_WORKER = 4

_skill_match = numba.njit(nogil=True)(scoring.skill_match)
_experience_match = numba.njit(nogil=True)(scoring.experience_match)
_score_tenths = numba.njit(nogil=True)(scoring.score_tenths)

Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
# Skill row pointers, skill ids (rarest first), min and max years (inf when open),
# location group: what scoring one job needs, passed to the kernel as one tuple.
_JobArrays = tuple[Int64Array, Int32Array, Float64Array, Float64Array, Int32Array]


@numba.njit(nogil=True, inline="always")
def _score_job(
    job: int,
    in_candidate: npt.NDArray[np.bool_],
    years: float,
    candidate_group: int,
    jobs: _JobArrays,
) -> int:
    """Score in tenths; the same arithmetic as ``scoring.score_pair``."""
    job_ptr, job_skills, job_min, job_max, job_group = jobs
    overlap = 0
    for p in range(job_ptr[job], job_ptr[job + 1]):
        if in_candidate[job_skills[p]]:
            overlap += 1
    skill = _skill_match(overlap, job_ptr[job + 1] - job_ptr[job])
    experience = _experience_match(years, job_min[job], job_max[job])
    remote = job_group[job] == _REMOTE_GROUP
    compatible = remote or job_group[job] == candidate_group
    return _score_tenths(skill, experience, 1.0 if compatible else 0.0)


@numba.njit(nogil=True, inline="always")
def _offer(
    best_tenths: Int64Array, best_jobs: Int64Array, count: int, tenths: int, job: int
) -> int:
    """Insert into the sorted top-k arrays if good enough; return the new count."""
    k = best_tenths.shape[0]
    if tenths <= 0:
        return count
    if count == k:
        last = k - 1
        if tenths < best_tenths[last] or (
            tenths == best_tenths[last] and job > best_jobs[last]
        ):
            return count
        slot = last
    else:
        slot = count
        count += 1
    while slot > 0 and (
        best_tenths[slot - 1] < tenths
        or (best_tenths[slot - 1] == tenths and best_jobs[slot - 1] > job)
    ):
        best_tenths[slot] = best_tenths[slot - 1]
        best_jobs[slot] = best_jobs[slot - 1]
        slot -= 1
    best_tenths[slot] = tenths
    best_jobs[slot] = job
    return count


@numba.njit(nogil=True)
def _top_k_block(
    first: int,
    stop: int,
    cand_ptr: Int64Array,
    cand_skills: Int32Array,
    cand_years: Float64Array,
    cand_group: Int32Array,
    exclude_ptr: Int64Array,
    exclude_jobs: Int64Array,
    jobs: _JobArrays,
    skill_free_jobs: Int64Array,
    group_job_ptr: Int64Array,
    group_jobs_all: Int64Array,
    global_ptr: Int64Array,
    global_jobs: Int64Array,
    global_levels: Int32Array,
    group_keys: Int64Array,
    group_key_ptr: Int64Array,
    group_jobs: Int64Array,
    group_levels: Int32Array,
    n_skills: int,
    ub_compatible: Int64Array,
    ub_incompatible: Int64Array,
    ub_no_overlap_compatible: int,
    ub_no_overlap_incompatible: int,
    out_jobs: Int64Array,
    out_tenths: Int64Array,
    out_count: Int64Array,
) -> None:
    """Top-k of candidates ``first..stop-1``, written to their rows of ``out_*``."""
    job_group = jobs[4]
    n_jobs = job_group.shape[0]
    k = out_jobs.shape[1]
    n_levels = ub_compatible.shape[0]
    seen = np.zeros(n_jobs, np.int32)
    in_candidate = np.zeros(n_skills, np.bool_)
    best_tenths = np.empty(k, np.int64)
    best_jobs = np.empty(k, np.int64)
    max_skills = 0
    for c in range(first, stop):
        max_skills = max(max_skills, cand_ptr[c + 1] - cand_ptr[c])
    near_cur = np.empty(2 * max_skills, np.int64)
    near_end = np.empty(2 * max_skills, np.int64)
    far_cur = np.empty(max_skills, np.int64)
    far_end = np.empty(max_skills, np.int64)

    for c in range(first, stop):
        mark = c - first + 1
        years = cand_years[c]
        home = cand_group[c]
        for p in range(cand_ptr[c], cand_ptr[c + 1]):
            in_candidate[cand_skills[p]] = True
        for p in range(exclude_ptr[c], exclude_ptr[c + 1]):
            seen[exclude_jobs[p]] = mark
        count = 0

        for job in skill_free_jobs:
            if seen[job] != mark:
                seen[job] = mark
                tenths = _score_job(job, in_candidate, years, home, jobs)
                count = _offer(best_tenths, best_jobs, count, tenths, job)

        # Cursors into the posting lists of the candidate's skills: compatible
        # groups (remote, home city) are "near", every other job is "far".
        n_near = 0
        n_far = 0
        for p in range(cand_ptr[c], cand_ptr[c + 1]):
            skill = cand_skills[p]
            far_cur[n_far] = global_ptr[skill]
            far_end[n_far] = global_ptr[skill + 1]
            n_far += 1
            for which in range(2):
                group = _REMOTE_GROUP if which == 0 else home
                if group < 0:
                    continue
                key = group * n_skills + skill
                at = np.searchsorted(group_keys, key)
                if at < group_keys.shape[0] and group_keys[at] == key:
                    near_cur[n_near] = group_key_ptr[at]
                    near_end[n_near] = group_key_ptr[at + 1]
                    n_near += 1

        far_open = True
        exhausted = True
        for level in range(n_levels):
            if count == k and ub_compatible[level] < best_tenths[k - 1]:
                exhausted = False
                break
            for q in range(n_near):
                cur = near_cur[q]
                end = near_end[q]
                while cur < end and group_levels[cur] == level:
                    job = group_jobs[cur]
                    cur += 1
                    if seen[job] != mark:
                        seen[job] = mark
                        tenths = _score_job(job, in_candidate, years, home, jobs)
                        count = _offer(best_tenths, best_jobs, count, tenths, job)
                near_cur[q] = cur
            if far_open and count == k and ub_incompatible[level] < best_tenths[k - 1]:
                far_open = False
            if not far_open:
                continue
            for q in range(n_far):
                cur = far_cur[q]
                end = far_end[q]
                while cur < end and global_levels[cur] == level:
                    job = global_jobs[cur]
                    cur += 1
                    # Home-city jobs are walked in the near lists, with their bound.
                    if job_group[job] != home and seen[job] != mark:
                        seen[job] = mark
                        tenths = _score_job(job, in_candidate, years, home, jobs)
                        count = _offer(best_tenths, best_jobs, count, tenths, job)
                far_cur[q] = cur

        # Every job sharing a skill with the candidate has been scored (or bounded
        # out); what remains shares none and scores at most its no-overlap bound.
        if exhausted:
            scan_far = far_open and not (
                count == k and ub_no_overlap_incompatible < best_tenths[k - 1]
            )
            scan_near = not (
                count == k and ub_no_overlap_compatible < best_tenths[k - 1]
            )
            if scan_far:
                for job in range(n_jobs):
                    if seen[job] != mark:
                        seen[job] = mark
                        tenths = _score_job(job, in_candidate, years, home, jobs)
                        count = _offer(best_tenths, best_jobs, count, tenths, job)
            elif scan_near:
                for which in range(2):
                    group = _REMOTE_GROUP if which == 0 else home
                    if group < 0:
                        continue
                    for p in range(group_job_ptr[group], group_job_ptr[group + 1]):
                        job = group_jobs_all[p]
                        if seen[job] != mark:
                            seen[job] = mark
                            tenths = _score_job(job, in_candidate, years, home, jobs)
                            count = _offer(best_tenths, best_jobs, count, tenths, job)

        for p in range(cand_ptr[c], cand_ptr[c + 1]):
            in_candidate[cand_skills[p]] = False
        out_count[c] = count
        for slot in range(count):
            out_jobs[c, slot] = best_jobs[slot]
            out_tenths[c, slot] = best_tenths[slot]


# Numba types the kernel's call with its exact parameters; the arguments are spread
# from the two dataclasses below, which mypy cannot count.
_run_block: Callable[..., None] = _top_k_block


@dataclass(frozen=True, slots=True)
class _EncodedCandidates:
    ptr: Int64Array
    skills: Int32Array
    years: Float64Array
    group: Int32Array
    exclude_ptr: Int64Array
    exclude_jobs: Int64Array

    def kernel_args(self) -> tuple[Any, ...]:
        return tuple(getattr(self, field.name) for field in fields(self))


@dataclass(frozen=True, slots=True)
class _IndexArrays:
    """What the kernel reads about the jobs, in the kernel's argument order."""

    jobs: _JobArrays
    skill_free_jobs: Int64Array
    group_job_ptr: Int64Array
    group_jobs_all: Int64Array
    global_ptr: Int64Array
    global_jobs: Int64Array
    global_levels: Int32Array
    group_keys: Int64Array
    group_key_ptr: Int64Array
    group_jobs: Int64Array
    group_levels: Int32Array
    n_skills: int
    ub_compatible: Int64Array
    ub_incompatible: Int64Array
    ub_no_overlap_compatible: int
    ub_no_overlap_incompatible: int

    def kernel_args(self) -> tuple[Any, ...]:
        return tuple(getattr(self, field.name) for field in fields(self))


def _csr(keys: Int64Array, n_keys: int) -> Int64Array:
    """Row pointers of entries already sorted by ``keys``."""
    ptr = np.zeros(n_keys + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n_keys), out=ptr[1:])
    return ptr


class JobIndex:
    """Active jobs prepared for exact, pruned top-k scoring; immutable once built."""

    def __init__(
        self,
        *,
        skill_ids: dict[str, int],
        group_ids: dict[str, int],
        arrays: "_IndexArrays",
        workers: int,
    ) -> None:
        self._skill_ids = skill_ids
        self._group_ids = group_ids
        self._arrays = arrays
        self._workers = workers

    @property
    def job_count(self) -> int:
        return int(self._arrays.jobs[4].shape[0])

    @classmethod
    def build(
        cls, jobs: Sequence[JobFeatures], *, workers: int | None = None
    ) -> "JobIndex":
        """Index ``jobs``; results refer to jobs by their position in this sequence.

        ``workers`` is the number of threads ``top_k`` uses (default: CPU count).
        """
        document_frequency: dict[str, int] = {}
        for job in jobs:
            for skill in job.skills:
                document_frequency[skill] = document_frequency.get(skill, 0) + 1
        # Rarest first: skill id order is the order of skills inside each job.
        ranked = sorted(document_frequency, key=lambda s: (document_frequency[s], s))
        skill_ids = {skill: rank for rank, skill in enumerate(ranked)}
        n_skills = max(len(skill_ids), 1)

        group_ids: dict[str, int] = {}
        job_group = np.empty(len(jobs), np.int32)
        for position, job in enumerate(jobs):
            if job.remote:
                job_group[position] = _REMOTE_GROUP
            elif job.location is None:
                job_group[position] = _NO_GROUP_JOB
            else:
                job_group[position] = group_ids.setdefault(
                    job.location, len(group_ids) + 1
                )
        n_groups = len(group_ids) + 1

        sorted_skills = [sorted(skill_ids[s] for s in job.skills) for job in jobs]
        sizes = np.fromiter((len(s) for s in sorted_skills), np.int64, len(jobs))
        job_ptr = np.zeros(len(jobs) + 1, np.int64)
        np.cumsum(sizes, out=job_ptr[1:])
        job_skills = np.fromiter(
            (skill for skills in sorted_skills for skill in skills),
            np.int32,
            int(job_ptr[-1]),
        )
        job_min = np.fromiter((j.min_experience for j in jobs), np.float64, len(jobs))
        job_max = np.fromiter(
            (math.inf if j.max_experience is None else j.max_experience for j in jobs),
            np.float64,
            len(jobs),
        )

        levels, ub_compatible, ub_incompatible = _levels(int(sizes.max(initial=0)))
        entry_job = np.repeat(np.arange(len(jobs), dtype=np.int64), sizes)
        entry_rank = np.arange(job_skills.shape[0], dtype=np.int64) - job_ptr[entry_job]
        entry_level = levels[sizes[entry_job], entry_rank].astype(np.int32)
        entry_skill = job_skills.astype(np.int64)
        entry_group = job_group[entry_job].astype(np.int64)

        far = entry_group != _REMOTE_GROUP
        order = np.lexsort((entry_job[far], entry_level[far], entry_skill[far]))
        global_jobs = entry_job[far][order]
        global_levels = entry_level[far][order]
        global_ptr = _csr(entry_skill[far][order], n_skills)

        near = entry_group >= 0
        near_keys = entry_group[near] * n_skills + entry_skill[near]
        order = np.lexsort((entry_job[near], entry_level[near], near_keys))
        group_jobs = entry_job[near][order]
        group_levels = entry_level[near][order]
        sorted_keys = near_keys[order]
        group_keys, starts = np.unique(sorted_keys, return_index=True)
        group_key_ptr = np.append(starts, sorted_keys.shape[0]).astype(np.int64)

        grouped = np.flatnonzero(job_group >= 0)
        grouped = grouped[np.argsort(job_group[grouped], kind="stable")]
        group_job_ptr = _csr(job_group[grouped].astype(np.int64), n_groups)

        arrays = _IndexArrays(
            jobs=(job_ptr, job_skills, job_min, job_max, job_group),
            skill_free_jobs=np.flatnonzero(sizes == 0).astype(np.int64),
            group_job_ptr=group_job_ptr,
            group_jobs_all=grouped.astype(np.int64),
            global_ptr=global_ptr,
            global_jobs=global_jobs,
            global_levels=global_levels,
            group_keys=group_keys.astype(np.int64),
            group_key_ptr=group_key_ptr,
            group_jobs=group_jobs,
            group_levels=group_levels,
            n_skills=n_skills,
            ub_compatible=ub_compatible,
            ub_incompatible=ub_incompatible,
            ub_no_overlap_compatible=scoring.score_tenths(0.0, 1.0, 1.0),
            ub_no_overlap_incompatible=scoring.score_tenths(0.0, 1.0, 0.0),
        )
        return cls(
            skill_ids=skill_ids,
            group_ids=group_ids,
            arrays=arrays,
            workers=workers or os.cpu_count() or 1,
        )

    def top_k(
        self,
        candidates: Sequence[CandidateFeatures],
        *,
        k: int,
        exclude: Mapping[int, Collection[int]] | None = None,
    ) -> list[list[tuple[int, float]]]:
        """Best ``k`` ``(job_position, score)`` per candidate, best first.

        Ties are broken by job position ascending. ``exclude`` maps a candidate's
        position to job positions it must not get (jobs it already applied to).
        Jobs scoring 0.0 are omitted, so a list may be shorter than ``k``.
        """
        if k < 0:
            raise ValueError("k must not be negative")
        if k == 0 or self.job_count == 0:
            return [[] for _ in candidates]

        results: list[list[tuple[int, float]]] = []
        if self._workers == 1:
            # One block per chunk: scored on this thread, without a pool to start.
            for start in range(0, len(candidates), _CHUNK_SIZE):
                chunk = candidates[start : start + _CHUNK_SIZE]
                encoded = self._encode(chunk, start=start, exclude=exclude or {})
                results.extend(self._run_chunk(encoded, k=k, pool=None))
            return results
        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            for start in range(0, len(candidates), _CHUNK_SIZE):
                chunk = candidates[start : start + _CHUNK_SIZE]
                encoded = self._encode(chunk, start=start, exclude=exclude or {})
                results.extend(self._run_chunk(encoded, k=k, pool=pool))
        return results

    def _encode(
        self,
        chunk: Sequence[CandidateFeatures],
        *,
        start: int,
        exclude: Mapping[int, Collection[int]],
    ) -> _EncodedCandidates:
        skill_ids = self._skill_ids
        group_ids = self._group_ids
        n_jobs = self.job_count
        ptr = np.zeros(len(chunk) + 1, np.int64)
        skills: list[int] = []
        exclude_ptr = np.zeros(len(chunk) + 1, np.int64)
        exclude_jobs: list[int] = []
        for offset, candidate in enumerate(chunk):
            # Skills no job asks for cannot change any score.
            skills.extend(skill_ids[s] for s in candidate.skills if s in skill_ids)
            ptr[offset + 1] = len(skills)
            excluded = exclude.get(start + offset)
            if excluded:
                exclude_jobs.extend(j for j in excluded if 0 <= j < n_jobs)
            exclude_ptr[offset + 1] = len(exclude_jobs)
        return _EncodedCandidates(
            ptr=ptr,
            skills=np.array(skills, np.int32),
            years=np.fromiter(
                (c.experience_years for c in chunk), np.float64, len(chunk)
            ),
            group=np.fromiter(
                (
                    _NO_GROUP_CANDIDATE
                    if c.location is None
                    else group_ids.get(c.location, _NO_GROUP_CANDIDATE)
                    for c in chunk
                ),
                np.int32,
                len(chunk),
            ),
            exclude_ptr=exclude_ptr,
            exclude_jobs=np.array(exclude_jobs, np.int64),
        )

    def _run_chunk(
        self,
        encoded: _EncodedCandidates,
        *,
        k: int,
        pool: ThreadPoolExecutor | None,
    ) -> list[list[tuple[int, float]]]:
        n = encoded.years.shape[0]
        out_jobs = np.zeros((n, k), np.int64)
        out_tenths = np.zeros((n, k), np.int64)
        out_count = np.zeros(n, np.int64)
        n_blocks = max(1, min(n, self._workers * _BLOCKS_PER_WORKER))
        bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)

        def run(first: int, stop: int) -> None:
            _run_block(
                first,
                stop,
                *encoded.kernel_args(),
                *self._arrays.kernel_args(),
                out_jobs,
                out_tenths,
                out_count,
            )

        if pool is None:
            run(0, n)
        else:
            futures = [
                pool.submit(run, int(bounds[b]), int(bounds[b + 1]))
                for b in range(n_blocks)
                if bounds[b] < bounds[b + 1]
            ]
            for future in futures:
                future.result()

        # Same division as score_pair (an integer number of tenths over 10), so the
        # floats are identical.
        scores = (out_tenths / 10).tolist()
        jobs = out_jobs.tolist()
        counts = out_count.tolist()
        return [
            list(zip(jobs[row][: counts[row]], scores[row][: counts[row]], strict=True))
            for row in range(n)
        ]


def _levels(max_size: int) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Level of every (job size, skill rank) and each level's score upper bounds.

    A level is a distinct bound ``(n - i) / n`` on the skill match, best first.
    """
    fractions = sorted(
        {(n - i) / n for n in range(1, max_size + 1) for i in range(n)}, reverse=True
    )
    level_of = {fraction: level for level, fraction in enumerate(fractions)}
    levels = np.zeros((max_size + 1, max(max_size, 1)), np.int64)
    for n in range(1, max_size + 1):
        for i in range(n):
            levels[n, i] = level_of[(n - i) / n]
    # Experience is at most 1.0, and score_tenths is monotone in each argument.
    ub_compatible = np.array(
        [scoring.score_tenths(f, 1.0, 1.0) for f in fractions], np.int64
    )
    ub_incompatible = np.array(
        [scoring.score_tenths(f, 1.0, 0.0) for f in fractions], np.int64
    )
    return levels, ub_compatible, ub_incompatible
