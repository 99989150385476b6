"""The Kubernetes manifests are valid for Kubernetes 1.30 and 1.37 and run okrbot safely."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.deploy.files import IMAGE_UID, KUBERNETES, SCHEMAS, yaml_documents

BASE = KUBERNETES / "base"
CRON = KUBERNETES / "cron-scheduler"
VERSIONS = ("1.30.0", "1.37.0")
SCHEMA_NAMES = {
    ("v1", "ConfigMap"): "configmap-v1",
    ("v1", "Secret"): "secret-v1",
    ("v1", "Service"): "service-v1",
    ("apps/v1", "Deployment"): "deployment-apps-v1",
    ("batch/v1", "Job"): "job-batch-v1",
    ("batch/v1", "CronJob"): "cronjob-batch-v1",
    ("policy/v1", "PodDisruptionBudget"): "poddisruptionbudget-policy-v1",
}
KUSTOMIZATION_FILES = {"kustomization.yaml", "no-scheduler.yaml"}  # not Kubernetes objects
MANIFESTS = sorted(
    path
    for folder in (BASE, CRON)
    for path in folder.glob("*.yaml")
    if path.name not in KUSTOMIZATION_FILES
)


@functools.cache
def validator(version: str, name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / "kubernetes" / f"v{version}-strict.json").read_text())
    return Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": schema["$defs"]})


def errors(resource: dict[str, Any], version: str) -> list[str]:
    name = SCHEMA_NAMES[(resource["apiVersion"], resource["kind"])]
    found = validator(version, name).iter_errors(resource)
    return [f"{list(e.absolute_path)}: {e.message}" for e in found]


def objects(folder: Path) -> dict[str, dict[str, Any]]:
    """The objects of a folder's manifests, by kind."""
    found = {}
    for path in folder.glob("*.yaml"):
        if path.name not in KUSTOMIZATION_FILES:
            for document in yaml_documents(path):
                found[document["kind"]] = document
    return found


def pod(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template: dict[str, Any] = spec["template"]
    return template


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_each_manifest_is_valid_against_the_strict_schema(path: Path, version: str) -> None:
    for resource in yaml_documents(path):
        assert errors(resource, version) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_the_schema_refuses_an_unknown_field_and_a_wrong_type(version: str) -> None:
    (deployment,) = yaml_documents(BASE / "deployment.yaml")
    deployment["spec"]["replica"] = 2
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "3000"
    assert len(errors(deployment, version)) == 2


def test_kustomize_takes_every_manifest_but_the_secret_template() -> None:
    (base,) = yaml_documents(BASE / "kustomization.yaml")
    listed = set(base["resources"])
    present = {p.name for p in BASE.glob("*.yaml")} - KUSTOMIZATION_FILES
    assert listed == present - {"secret.example.yaml"}
    (component,) = yaml_documents(CRON / "kustomization.yaml")
    assert component["kind"] == "Component"
    assert component["resources"] == ["run-due-cronjob.yaml"]


def test_the_deployment_is_probed_limited_and_not_root() -> None:
    deployment = objects(BASE)["Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    (container,) = pod(deployment)["spec"]["containers"]
    assert container["args"][0] == "serve"
    assert "--no-scheduler" not in container["args"]
    port = int(container["args"][container["args"].index("--port") + 1])
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert set(container["resources"]) == {"requests", "limits"}
    assert "memory" in container["resources"]["limits"]


@pytest.mark.parametrize("folder", [BASE, CRON], ids=["base", "cron-scheduler"])
def test_every_pod_runs_as_the_image_user_on_a_read_only_root(folder: Path) -> None:
    workloads = [
        o for o in objects(folder).values() if o["kind"] in {"Deployment", "Job", "CronJob"}
    ]
    assert workloads
    for workload in workloads:
        spec = pod(workload)["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == IMAGE_UID
        assert spec["automountServiceAccountToken"] is False
        (container,) = spec["containers"]
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        # Python's temporary files (the demo's database, an export's partial file) go here.
        assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
        assert [
            ref.get("configMapRef") or ref.get("secretRef") for ref in container["envFrom"]
        ] == [
            {"name": "okrbot"},
            {"name": "okrbot"},
        ]


def test_the_service_and_the_budget_select_the_servers() -> None:
    found = objects(BASE)
    pod_labels = pod(found["Deployment"])["metadata"]["labels"]
    assert found["Deployment"]["spec"]["selector"]["matchLabels"] == pod_labels
    assert found["Service"]["spec"]["selector"] == pod_labels
    assert found["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    budget = found["PodDisruptionBudget"]["spec"]
    assert budget["selector"]["matchLabels"] == pod_labels
    assert budget["minAvailable"] < found["Deployment"]["spec"]["replicas"]


def test_the_migration_job_migrates() -> None:
    job = objects(BASE)["Job"]
    (container,) = pod(job)["spec"]["containers"]
    assert container["args"] == ["migrate"]
    assert pod(job)["spec"]["restartPolicy"] == "Never"


def test_the_cron_component_runs_run_due_and_turns_the_servers_scheduler_off() -> None:
    cron = objects(CRON)["CronJob"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = pod(cron)["spec"]["containers"]
    assert container["args"] == ["run-due"]
    (component,) = yaml_documents(CRON / "kustomization.yaml")
    (patch,) = component["patches"]
    assert patch["target"] == {"kind": "Deployment", "name": "okrbot"}
    assert yaml.safe_load((CRON / patch["path"]).read_text()) == [
        {
            "op": "replace",
            "path": "/spec/template/spec/containers/0/args",
            "value": ["serve", "--port", "3000", "--no-scheduler"],
        }
    ]


def kustomize(overlay: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: kustomize's own rendering is not checked")
    rendered = subprocess.run(
        [kubectl, "kustomize", str(overlay)], capture_output=True, text=True, check=True
    ).stdout
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


@pytest.mark.parametrize("with_cron", [False, True], ids=["base", "with-cron-scheduler"])
def test_an_overlay_renders_valid_objects(tmp_path: Path, with_cron: bool) -> None:
    relative = Path(os.path.relpath(KUBERNETES, tmp_path))
    overlay = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": "okrbot",
        "resources": [str(relative / "base")],
        "components": [str(relative / "cron-scheduler")] if with_cron else [],
        "images": [{"name": "okrbot", "newName": "registry.example/okrbot", "newTag": "0.1.0"}],
    }
    (tmp_path / "kustomization.yaml").write_text(json.dumps(overlay))
    rendered = kustomize(tmp_path)
    kinds = sorted(o["kind"] for o in rendered)
    expected = ["ConfigMap", "Deployment", "Job", "PodDisruptionBudget", "Service"]
    assert kinds == sorted(expected + (["CronJob"] if with_cron else []))
    for resource in rendered:
        assert resource["metadata"]["namespace"] == "okrbot"
        for version in VERSIONS:
            assert errors(resource, version) == []
        if resource["kind"] in {"Deployment", "Job", "CronJob"}:
            (container,) = pod(resource)["spec"]["containers"]
            assert container["image"] == "registry.example/okrbot:0.1.0"
            if resource["kind"] == "Deployment":
                assert ("--no-scheduler" in container["args"]) is with_cron
