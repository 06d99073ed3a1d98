from __future__ import annotations

import pytest

from app.config import Settings, SettingsError, load_settings


class TestLoadSettings:
    def test_defaults_need_no_environment(self, monkeypatch: pytest.MonkeyPatch):
        for name in ("STORAGE_BACKEND", "RECOMMENDATION_SCHEDULE", "API_KEY"):
            monkeypatch.delenv(name, raising=False)

        settings = load_settings()

        assert settings.storage_backend == "embedded"
        assert settings.recommendation_schedule == "0 0 2 * * *"
        assert settings.cosmos_database == "job-db"
        assert settings.api_key is None

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("STORAGE_BACKEND", "mongodb"),
            ("RECOMMENDATION_SCHEDULE", "0 2 * * *"),
            ("LOG_LEVEL", "chatty"),
            ("DEBUG", "maybe"),
            ("RECOMMENDATIONS_PER_CANDIDATE", "0"),
        ],
    )
    def test_a_bad_value_is_refused_by_name(
        self, monkeypatch: pytest.MonkeyPatch, name: str, value: str
    ):
        monkeypatch.setenv(name, value)

        with pytest.raises(SettingsError, match=name):
            load_settings()

    def test_cosmos_needs_an_endpoint(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("STORAGE_BACKEND", "cosmos")
        monkeypatch.delenv("COSMOS_ENDPOINT", raising=False)

        with pytest.raises(SettingsError, match="COSMOS_ENDPOINT"):
            load_settings()

    def test_a_blank_api_key_means_none(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("API_KEY", "  ")

        assert load_settings().api_key is None

    def test_names_are_read_in_any_case(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("AzureWebJobsStorage__queueServiceUri", "https://q.example")
        monkeypatch.setenv("cosmos_database", "other-db")

        settings = load_settings()

        assert settings.azurewebjobsstorage__queueserviceuri == "https://q.example"
        assert settings.cosmos_database == "other-db"

    def test_values_given_in_code_ignore_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setenv("COSMOS_DATABASE", "from-env")

        assert Settings(storage_backend="embedded").cosmos_database == "job-db"


class TestInAzure:
    def test_the_file_email_backend_is_refused(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("WEBSITE_INSTANCE_ID", "abc123")
        monkeypatch.setenv("API_KEY", "k" * 32)
        monkeypatch.setenv("EMAIL_BACKEND", "file")

        with pytest.raises(SettingsError, match="EMAIL_BACKEND=file"):
            load_settings()
