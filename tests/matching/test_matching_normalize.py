import pytest

from app.matching.normalize import (
    is_remote_location,
    normalize_location,
    normalize_skill,
    normalize_skills,
)


class TestNormalizeSkill:
    @pytest.mark.parametrize("raw", ["Node.js", "nodejs", "node js", "NODE", " Node "])
    def test_folds_case_spacing_and_punctuation_into_one_key(self, raw: str) -> None:
        key = normalize_skill(raw)

        assert key == normalize_skill("Node.js")

    def test_keeps_c_cpp_and_csharp_apart(self) -> None:
        keys = {normalize_skill(raw) for raw in ["C", "C++", "C#"]}

        assert len(keys) == 3

    @pytest.mark.parametrize(
        ("alias", "canonical"),
        [
            ("JS", "JavaScript"),
            ("TS", "TypeScript"),
            ("k8s", "Kubernetes"),
            ("Postgres", "PostgreSQL"),
            ("Golang", "Go"),
            ("ML", "Machine Learning"),
            ("React.js", "React"),
            ("ReactJS", "React"),
            ("Node", "Node.js"),
            ("csharp", "C#"),
            ("cpp", "C++"),
            ("dotnet", ".NET"),
            ("GCP", "Google Cloud"),
            ("Amazon Web Services", "AWS"),
        ],
    )
    def test_maps_an_alias_to_the_canonical_key(
        self, alias: str, canonical: str
    ) -> None:
        key = normalize_skill(alias)

        assert key == normalize_skill(canonical)

    def test_keeps_an_unknown_skill_as_its_folded_spelling(self) -> None:
        key = normalize_skill("  Apache-Kafka ")

        assert key == "apachekafka"

    def test_does_not_mistake_dotnet_for_a_bare_net(self) -> None:
        key = normalize_skill(".NET")

        assert key == "dotnet"


class TestNormalizeSkills:
    def test_merges_spellings_of_the_same_skill(self) -> None:
        keys = normalize_skills(["JavaScript", "js", "Python"])

        assert keys == frozenset({"javascript", "python"})

    def test_drops_blank_entries(self) -> None:
        keys = normalize_skills(["", "  ", "--", "Go"])

        assert keys == frozenset({"go"})


class TestNormalizeLocation:
    @pytest.mark.parametrize(
        "raw",
        [
            "San Francisco",
            "san francisco, CA",
            "San Francisco, California, USA",
            "San Francisco CA",
            "SF",
        ],
    )
    def test_folds_state_country_and_alias_into_the_city(self, raw: str) -> None:
        key = normalize_location(raw)

        assert key == "san francisco"

    @pytest.mark.parametrize(
        "raw", ["NYC", "New York City", "New York, NY", "new york"]
    )
    def test_folds_new_york_variants(self, raw: str) -> None:
        key = normalize_location(raw)

        assert key == "new york"

    def test_folds_la_into_los_angeles(self) -> None:
        key = normalize_location("LA")

        assert key == normalize_location("Los Angeles, CA")

    @pytest.mark.parametrize("raw", [None, "", "   ", ","])
    def test_gives_none_for_a_missing_location(self, raw: str | None) -> None:
        key = normalize_location(raw)

        assert key is None

    def test_gives_none_for_a_remote_marker(self) -> None:
        key = normalize_location("Remote (US)")

        assert key is None

    def test_keeps_a_lone_state_name_rather_than_emptying_it(self) -> None:
        key = normalize_location("Washington")

        assert key == "washington"

    def test_trusts_a_two_letter_state_code_only_in_capitals(self) -> None:
        key = normalize_location("Lake in")

        assert key == "lake in"


class TestIsRemoteLocation:
    @pytest.mark.parametrize(
        "raw", ["Remote", "remote (US)", "Anywhere", "Fully remote", "REMOTE - Europe"]
    )
    def test_recognises_remote_markers(self, raw: str) -> None:
        remote = is_remote_location(raw)

        assert remote

    @pytest.mark.parametrize(
        "raw",
        [None, "", "San Francisco", "Hybrid, remote 2 days a week", "Remoteville"],
    )
    def test_rejects_places_and_hybrid_work(self, raw: str | None) -> None:
        remote = is_remote_location(raw)

        assert not remote
