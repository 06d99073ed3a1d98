import subprocess
import sys
from pathlib import Path

import pytest

from app.matching.scoring import (
    CandidateFeatures,
    JobFeatures,
    MatchResult,
    candidate_features,
    job_features,
    score_pair,
)


def candidate(
    skills: set[str] | None = None, years: float = 5.0, location: str | None = "paris"
) -> CandidateFeatures:
    return CandidateFeatures(
        skills=frozenset({"python", "sql"} if skills is None else skills),
        experience_years=years,
        location=location,
    )


def job(
    skills: set[str] | None = None,
    min_years: float = 2.0,
    max_years: float | None = 8.0,
    location: str | None = "paris",
    remote: bool = False,
) -> JobFeatures:
    return JobFeatures(
        skills=frozenset({"python", "sql"} if skills is None else skills),
        min_experience=min_years,
        max_experience=max_years,
        location=location,
        remote=remote,
    )


class TestCandidateFeatures:
    def test_normalises_raw_profile_values(self) -> None:
        features = candidate_features(
            skills=["JS", "Node.js"], experience_years=3, location="NYC"
        )

        assert features == CandidateFeatures(
            skills=frozenset({"javascript", "nodejs"}),
            experience_years=3.0,
            location="new york",
        )


class TestJobFeatures:
    def test_normalises_raw_posting_values(self) -> None:
        features = job_features(
            skills=["k8s", "Golang"],
            min_experience=2,
            max_experience=None,
            location="San Francisco, CA",
            remote=False,
        )

        assert features == JobFeatures(
            skills=frozenset({"kubernetes", "go"}),
            min_experience=2.0,
            max_experience=None,
            location="san francisco",
            remote=False,
        )

    def test_treats_a_remote_location_as_a_remote_job(self) -> None:
        features = job_features(
            skills=[],
            min_experience=0,
            max_experience=None,
            location="Remote",
            remote=False,
        )

        assert features.remote


class TestSkillMatch:
    def test_is_the_share_of_job_skills_the_candidate_has(self) -> None:
        result = score_pair(candidate({"a", "b", "x"}), job({"a", "b", "c", "d"}))

        assert result.skill_match == 0.5

    def test_is_full_for_a_job_without_skills(self) -> None:
        result = score_pair(candidate(set()), job(set()))

        assert result.skill_match == 1.0


class TestExperienceMatch:
    @pytest.mark.parametrize("years", [2.0, 5.0, 8.0])
    def test_is_full_inside_the_range(self, years: float) -> None:
        result = score_pair(candidate(years=years), job(min_years=2, max_years=8))

        assert result.experience_match == 1.0

    def test_costs_a_quarter_per_missing_year(self) -> None:
        result = score_pair(candidate(years=0.5), job(min_years=2, max_years=8))

        assert result.experience_match == 0.625

    def test_does_not_go_below_zero(self) -> None:
        result = score_pair(candidate(years=0), job(min_years=10, max_years=None))

        assert result.experience_match == 0.0

    def test_costs_a_tenth_per_extra_year(self) -> None:
        result = score_pair(candidate(years=11), job(min_years=2, max_years=8))

        assert result.experience_match == pytest.approx(0.7)

    def test_does_not_go_below_one_half_when_overqualified(self) -> None:
        result = score_pair(candidate(years=30), job(min_years=2, max_years=8))

        assert result.experience_match == 0.5

    def test_has_no_ceiling_without_a_maximum(self) -> None:
        result = score_pair(candidate(years=40), job(min_years=2, max_years=None))

        assert result.experience_match == 1.0


class TestLocationCompatibility:
    def test_holds_for_the_same_city(self) -> None:
        result = score_pair(candidate(location="paris"), job(location="paris"))

        assert result.location_compatible

    def test_fails_for_another_city(self) -> None:
        result = score_pair(candidate(location="paris"), job(location="lyon"))

        assert not result.location_compatible

    def test_holds_for_a_remote_job(self) -> None:
        result = score_pair(
            candidate(location="paris"), job(location="lyon", remote=True)
        )

        assert result.location_compatible

    def test_holds_for_a_candidate_without_location_only_if_remote(self) -> None:
        results = [
            score_pair(candidate(location=None), job(location=None, remote=remote))
            for remote in (False, True)
        ]

        assert [r.location_compatible for r in results] == [False, True]


class TestScorePair:
    def test_gives_100_for_a_perfect_match(self) -> None:
        result = score_pair(candidate(), job())

        assert result.score == 100.0

    def test_weighs_skills_experience_and_location(self) -> None:
        # 100 * (0.6 * 2/3 + 0.25 * 0.5 + 0.15 * 0) = 52.5
        result = score_pair(
            candidate({"a", "b"}, years=0),
            job({"a", "b", "c"}, min_years=2, location="x"),
        )

        assert result.score == 52.5

    def test_rounds_a_decimal_tie_up(self) -> None:
        # 100 * (0.6 * 1 + 0.25 * 0.95 + 0) = 83.75, which float64 sees as 83.7499...
        result = score_pair(
            candidate({"a"}, years=8.5), job({"a"}, max_years=8, location="x")
        )

        assert result.score == 83.8

    def test_rounds_to_one_decimal(self) -> None:
        # 100 * (0.6 / 7 + 0.25 + 0.15) = 48.571... -> 48.6
        result = score_pair(candidate({"a"}), job({"a", "b", "c", "d", "e", "f", "g"}))

        assert result.score == 48.6

    def test_gives_zero_when_nothing_matches(self) -> None:
        result = score_pair(
            candidate({"a"}, years=0), job({"b"}, min_years=10, location="x")
        )

        assert result.score == 0.0


class TestReasons:
    def test_uses_the_seed_phrasing(self) -> None:
        result = MatchResult(
            score=88.0, skill_match=0.9, experience_match=0.85, location_compatible=True
        )

        assert result.reasons == [
            "Skill match: 90%",
            "Experience match: 85%",
            "Location compatible: Yes",
        ]

    def test_says_no_and_rounds_percentages_half_up(self) -> None:
        result = MatchResult(
            score=30.0,
            skill_match=1 / 8,
            experience_match=2 / 3,
            location_compatible=False,
        )

        assert result.reasons == [
            "Skill match: 13%",
            "Experience match: 67%",
            "Location compatible: No",
        ]


class TestImportCost:
    def test_scoring_does_not_import_numpy_or_numba(self) -> None:
        code = (
            "import sys, app.matching, app.matching.scoring; "
            "print(sorted({'numpy', 'numba'} & set(sys.modules)))"
        )

        loaded = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

        assert loaded == "[]"
