import random
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.matching import batch
from app.matching.batch import JobIndex
from app.matching.scoring import CandidateFeatures, JobFeatures, score_pair

# Few skills, cities and experience values, so that overlaps and exact ties are common.
SKILLS = [f"s{i}" for i in range(12)]
CITIES = ["paris", "lyon", "nice"]

skill_sets = st.frozensets(st.sampled_from(SKILLS), max_size=6)
locations = st.one_of(st.none(), st.sampled_from(CITIES), st.just("elsewhere"))
years = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 4.5, 6.0, 10.0, 25.0])
candidates_st = st.builds(
    CandidateFeatures, skills=skill_sets, experience_years=years, location=locations
)


@st.composite
def jobs_st(draw: st.DrawFn) -> JobFeatures:
    min_years = draw(years)
    span = draw(st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.0, 5.0])))
    return JobFeatures(
        skills=draw(skill_sets),
        min_experience=min_years,
        max_experience=None if span is None else min_years + span,
        location=draw(st.one_of(st.none(), st.sampled_from(CITIES))),
        remote=draw(st.booleans()),
    )


def brute_force(
    candidates: Sequence[CandidateFeatures],
    jobs: Sequence[JobFeatures],
    *,
    k: int,
    exclude: Mapping[int, set[int]] | None = None,
) -> list[list[tuple[int, float]]]:
    """The specification of top_k: sort every score_pair, best first, then position."""
    results = []
    for c, candidate in enumerate(candidates):
        skipped = (exclude or {}).get(c, set())
        scored = [
            (j, score_pair(candidate, job).score)
            for j, job in enumerate(jobs)
            if j not in skipped
        ]
        ranked = sorted((p for p in scored if p[1] > 0), key=lambda p: (-p[1], p[0]))
        results.append(ranked[:k])
    return results


def job(
    skills: set[str],
    *,
    min_years: float = 0.0,
    location: str | None = "paris",
    remote: bool = False,
) -> JobFeatures:
    return JobFeatures(
        skills=frozenset(skills),
        min_experience=min_years,
        max_experience=None,
        location=location,
        remote=remote,
    )


def candidate(skills: set[str], *, location: str | None = "paris") -> CandidateFeatures:
    return CandidateFeatures(
        skills=frozenset(skills), experience_years=3.0, location=location
    )


def zipf_population(
    rng: random.Random, *, candidates: int, jobs: int
) -> tuple[list[CandidateFeatures], list[JobFeatures]]:
    """A skewed population like the benchmark's, small enough for brute force."""
    vocabulary = [f"skill{i}" for i in range(150)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    cities = [f"city{i}" for i in range(20)]
    city_weights = [1 / (rank + 1) for rank in range(len(cities))]

    def skills(low: int, high: int) -> frozenset[str]:
        return frozenset(rng.choices(vocabulary, weights, k=rng.randint(low, high)))

    people = [
        CandidateFeatures(
            skills=skills(1, 12),
            experience_years=rng.choice([0.0, 1.0, 2.5, 4.0, 7.0, 12.0, 20.0]),
            location=rng.choices([*cities, None], [*city_weights, 0.3])[0],
        )
        for _ in range(candidates)
    ]
    postings = []
    for _ in range(jobs):
        min_years = rng.choice([0.0, 1.0, 2.0, 3.0, 5.0, 8.0])
        postings.append(
            JobFeatures(
                skills=skills(0, 8),
                min_experience=min_years,
                max_experience=rng.choice([None, min_years + 2, min_years + 5]),
                location=rng.choices([*cities, None], [*city_weights, 0.1])[0],
                remote=rng.random() < 0.15,
            )
        )
    return people, postings


class TestJobIndexAgreement:
    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        candidates=st.lists(candidates_st, max_size=8),
        jobs=st.lists(jobs_st(), max_size=25),
    )
    def test_scores_every_pair_exactly_as_score_pair(
        self, candidates: list[CandidateFeatures], jobs: list[JobFeatures]
    ) -> None:
        # With k at least the job count, top_k returns every pair scoring above zero.
        results = JobIndex.build(jobs).top_k(candidates, k=len(jobs) + 1)

        assert results == brute_force(candidates, jobs, k=len(jobs) + 1)

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        candidates=st.lists(candidates_st, max_size=8),
        jobs=st.lists(jobs_st(), max_size=40),
        k=st.integers(min_value=1, max_value=6),
        data=st.data(),
    )
    def test_top_k_equals_a_brute_force_sort_with_exclusions(
        self,
        candidates: list[CandidateFeatures],
        jobs: list[JobFeatures],
        k: int,
        data: st.DataObject,
    ) -> None:
        exclude = {
            c: data.draw(st.sets(st.integers(0, max(len(jobs) - 1, 0)), max_size=5))
            for c in range(len(candidates))
            if data.draw(st.booleans())
        }

        results = JobIndex.build(jobs).top_k(candidates, k=k, exclude=exclude)

        assert results == brute_force(candidates, jobs, k=k, exclude=exclude)

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_top_k_equals_brute_force_on_a_skewed_population(self, seed: int) -> None:
        people, postings = zipf_population(
            random.Random(seed), candidates=120, jobs=1500
        )

        results = JobIndex.build(postings).top_k(people, k=10)

        assert results == brute_force(people, postings, k=10)

    def test_keeps_exclusions_by_global_position_across_chunks(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(batch, "_CHUNK_SIZE", 7)
        people, postings = zipf_population(random.Random(4), candidates=40, jobs=300)
        rng = random.Random(5)
        exclude = {c: set(rng.sample(range(300), 30)) for c in range(0, 40, 3)}

        results = JobIndex.build(postings).top_k(people, k=5, exclude=exclude)

        assert results == brute_force(people, postings, k=5, exclude=exclude)

    def test_gives_the_same_result_on_one_thread(self) -> None:
        people, postings = zipf_population(random.Random(6), candidates=60, jobs=400)

        one = JobIndex.build(postings, workers=1).top_k(people, k=10)

        assert one == JobIndex.build(postings, workers=2).top_k(people, k=10)


class TestJobIndexTopK:
    def test_breaks_ties_by_job_position(self) -> None:
        jobs = [job({"a", "b"}), job({"a"}), job({"a"}), job({"a"})]

        results = JobIndex.build(jobs).top_k([candidate({"a"})], k=2)

        assert results == [[(1, 100.0), (2, 100.0)]]

    def test_ranks_by_score_first(self) -> None:
        jobs = [job({"a", "b"}), job({"a"}, location="lyon"), job({"a"})]

        results = JobIndex.build(jobs).top_k([candidate({"a"})], k=3)

        assert results == [[(2, 100.0), (1, 85.0), (0, 70.0)]]

    def test_skips_excluded_jobs(self) -> None:
        jobs = [job({"a"}), job({"a"}), job({"a"})]

        results = JobIndex.build(jobs).top_k(
            [candidate({"a"}), candidate({"a"})], k=2, exclude={1: {0, 2}}
        )

        assert results == [[(0, 100.0), (1, 100.0)], [(1, 100.0)]]

    def test_omits_jobs_scoring_zero(self) -> None:
        jobs = [job({"b"}, min_years=20.0, location="lyon"), job({"a"})]

        results = JobIndex.build(jobs).top_k([candidate({"a"})], k=5)

        assert results == [[(1, 100.0)]]

    def test_scores_a_job_without_skills_as_a_full_skill_match(self) -> None:
        jobs = [job({"x"}), job(set(), location="lyon")]

        results = JobIndex.build(jobs).top_k([candidate({"a"})], k=5)

        assert results == [[(1, 85.0), (0, 40.0)]]

    def test_matches_a_candidate_without_location_to_remote_jobs_only(self) -> None:
        jobs = [job({"a"}, location=None), job({"a"}, location="x", remote=True)]

        results = JobIndex.build(jobs).top_k([candidate({"a"}, location=None)], k=5)

        assert results == [[(1, 100.0), (0, 85.0)]]

    def test_returns_no_rows_for_no_candidates(self) -> None:
        results = JobIndex.build([job({"a"})]).top_k([], k=10)

        assert results == []

    def test_returns_empty_rows_without_jobs(self) -> None:
        results = JobIndex.build([]).top_k([candidate({"a"}), candidate(set())], k=10)

        assert results == [[], []]

    def test_returns_empty_rows_for_k_zero(self) -> None:
        results = JobIndex.build([job({"a"})]).top_k([candidate({"a"})], k=0)

        assert results == [[]]

    def test_rejects_a_negative_k(self) -> None:
        index = JobIndex.build([job({"a"})])

        with pytest.raises(ValueError, match="negative"):
            index.top_k([candidate({"a"})], k=-1)

    def test_can_be_reused_across_candidate_chunks(self) -> None:
        index = JobIndex.build([job({"a"}), job({"b"})])

        first = index.top_k([candidate({"a"})], k=1)

        assert (first, index.top_k([candidate({"b"})], k=1)) == (
            [[(0, 100.0)]],
            [[(1, 100.0)]],
        )
