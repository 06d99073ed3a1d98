from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config import load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "local.settings.json.example"


class TestLocalSettingsExample:
    def test_its_values_start_the_app(self, monkeypatch: pytest.MonkeyPatch):
        for name, value in json.loads(EXAMPLE.read_text())["Values"].items():
            monkeypatch.setenv(name, value)

        settings = load_settings()

        assert settings.uses_azure_queue
        assert settings.recommendation_schedule == "0 0 2 * * *"
