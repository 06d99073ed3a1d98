"""The infrastructure template agrees with the code it deploys.

The Bicep compiler cannot run here, so these read the template files as text and pin
what the app relies on: the containers, the names, and the settings the host needs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.config import Settings
from app.storage.containers import CONTAINERS
from app.storage.export import container_resources, main, render
from app.tasks.messages import TASK_QUEUE_NAME

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"


def _bicep(name: str) -> str:
    return (INFRA / name).read_text()


def _bicep_default(text: str, param: str) -> str:
    match = re.search(rf"^param {param} string = '([^']*)'$", text, re.MULTILINE)
    assert match, f"param {param} with a string default not found"
    return match.group(1)


class TestContainersJson:
    def test_the_committed_file_equals_the_declaration(self):
        committed = (INFRA / "containers.json").read_text()

        assert committed == render(), "run: python -m app.storage.export"

    def test_every_declared_container_is_there_with_its_layout(self):
        committed = json.loads((INFRA / "containers.json").read_text())

        by_name = {c["name"]: c for c in committed}
        assert by_name.keys() == CONTAINERS.keys()
        for name, spec in CONTAINERS.items():
            assert by_name[name]["partitionKeyPath"] == f"/{spec.partition_key}"
            assert by_name[name]["defaultTtl"] == spec.default_ttl
            assert by_name[name]["indexingPolicy"] == spec.indexing_policy

    def test_the_cosmos_module_loads_it(self):
        cosmos = _bicep("modules/cosmos.bicep")

        match = re.search(r"loadJsonContent\('([^']+)'\)", cosmos)
        assert match
        assert (INFRA / "modules" / match.group(1)).resolve() == (
            INFRA / "containers.json"
        )

    def test_the_check_mode_reports_a_stale_file(self, tmp_path: Path):
        stale = tmp_path / "containers.json"
        stale.write_text(json.dumps(container_resources([])))

        assert main(["--output", str(stale), "--check"]) == 1
        assert main(["--output", str(stale)]) == 0
        assert main(["--output", str(stale), "--check"]) == 0


class TestTemplate:
    def test_the_database_and_queue_names_are_the_apps(self):
        main_bicep = _bicep("main.bicep")

        database = Settings.model_fields["cosmos_database"].default
        assert f"var databaseName = '{database}'" in main_bicep
        assert f"var taskQueueName = '{TASK_QUEUE_NAME}'" in main_bicep

    def test_the_default_schedule_is_the_apps(self):
        schedule = _bicep_default(_bicep("main.bicep"), "recommendationSchedule")

        assert schedule == Settings.model_fields["recommendation_schedule"].default

    def test_the_app_settings_hold_what_the_host_and_the_app_read(self):
        app = _bicep("modules/function-app.bicep")

        for setting in (
            "AzureWebJobsStorage__accountName",
            "AzureWebJobsStorage__credential",
            "AzureWebJobsStorage__clientId",
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
            "AZURE_CLIENT_ID",
            "COSMOS_ENDPOINT",
            "COSMOS_DATABASE",
            "RECOMMENDATION_SCHEDULE",
            "API_KEY",
            "EMAIL_BACKEND",
            "ACS_ENDPOINT",
            "EMAIL_SENDER",
        ):
            assert re.search(rf"^\s+{setting}: ", app, re.MULTILINE), setting
        assert "STORAGE_BACKEND: 'cosmos'" in app
        # Flex Consumption refuses these as app settings.
        assert "FUNCTIONS_WORKER_RUNTIME:" not in app
        assert "FUNCTIONS_EXTENSION_VERSION:" not in app

    def test_email_goes_through_communication_services_by_identity(self):
        app = _bicep("modules/function-app.bicep")
        main_bicep = _bicep("main.bicep")
        email = _bicep("modules/email.bicep")

        assert "EMAIL_BACKEND: 'acs'" in app
        assert "ACS_ENDPOINT: acsEndpoint" in app
        assert "EMAIL_SENDER: emailSender" in app
        assert "ACS_CONNECTION_STRING" not in app
        assert "acsEndpoint: email.outputs.endpoint" in main_bicep
        assert "emailSender: email.outputs.senderAddress" in main_bicep
        assert "domainManagement: 'AzureManaged'" in email
        assert "linkedDomains: [managedDomain.id]" in email
        assert (
            "output senderAddress string ="
            " 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'"
        ) in email
        # Communication and Email Service Owner, for the app's identity, on the
        # Communication Services resource only.
        assert "'09976791-48a7-449e-bb21-39d1a415f350'" in email
        assert "scope: communication\n" in email
        assert "principalId: appPrincipalId" in email

    def test_the_app_settings_are_settings_the_app_reads(self):
        app = _bicep("modules/function-app.bicep")
        block = app.split("var appSettings = {", 1)[1].split("\n}", 1)[0]
        host_only = {
            "AzureWebJobsStorage__accountName",
            "AzureWebJobsStorage__credential",
            "AzureWebJobsStorage__clientId",
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
            "AZURE_CLIENT_ID",
        }

        names = re.findall(r"^\s+(\w+): ", block, re.MULTILINE)

        assert names
        for name in set(names) - host_only:
            assert name.lower() in Settings.model_fields, name

    def test_the_app_runs_on_flex_consumption_with_python_3_11(self):
        app = _bicep("modules/function-app.bicep")

        assert "sku: { tier: 'FlexConsumption', name: 'FC1' }" in app
        assert "runtime: { name: 'python', version: '3.11' }" in app

    def test_keys_are_off_for_storage_and_cosmos(self):
        assert "allowSharedKeyAccess: false" in _bicep("modules/storage.bicep")
        assert "disableLocalAuth: true" in _bicep("modules/cosmos.bicep")

    def test_azd_finds_the_service_and_its_parameters(self):
        azure_yaml = (ROOT / "azure.yaml").read_text()
        parameters = json.loads((INFRA / "main.parameters.json").read_text())

        assert re.search(
            r"^  api:\n    project: \.\n    language: python\n    host: function$",
            azure_yaml,
            re.MULTILINE,
        )
        assert "'azd-service-name': 'api'" in _bicep("modules/function-app.bicep")
        assert {"environmentName", "location"} <= parameters["parameters"].keys()

    def test_every_skipped_check_gives_a_reason(self):
        bicep_files = [*INFRA.glob("*.bicep"), *INFRA.glob("modules/*.bicep")]

        skips = [
            line.strip()
            for path in bicep_files
            for line in path.read_text().splitlines()
            if "checkov:skip=" in line
        ]
        assert skips
        for skip in skips:
            assert re.fullmatch(r"//checkov:skip=CKV2?_AZURE_\d+:.{20,}", skip), skip
