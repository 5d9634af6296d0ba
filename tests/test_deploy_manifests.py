"""deploy/: Kubernetes manifests valid against the Kubernetes schemas (offline), and consistent.

kubernetes-validate ships the JSON schemas of every Kubernetes release, so this needs no
network and no cluster. The mappings ConfigMap is made from mappings/ the way the README
says (kubectl create configmap --from-file) and checked the same way.
"""

from pathlib import Path

import kubernetes_validate
import pytest
import trustme
import yaml

from shim.config import load_config
from shim.translation.mapping import load_table

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "kubernetes"
# Oldest release still commonly run, and the newest the package knows.
VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]
CONFIGMAP_LIMIT = 1024 * 1024  # etcd's object size limit for a ConfigMap's data


def documents():
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind):
    return next(doc for doc in documents() if doc["kind"] == kind)


def mappings_configmap():
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "api2shim-mappings"},
            "data": {p.name: p.read_text() for p in sorted((ROOT / "mappings").glob("*.yaml"))}}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_is_valid_kubernetes(version):
    docs = documents() + [mappings_configmap()]
    assert sorted(d["kind"] for d in docs) == ["ConfigMap", "ConfigMap", "Deployment", "NetworkPolicy", "Service"]
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_an_invalid_manifest_is_caught():
    broken = by_kind("Deployment")
    broken["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "2087"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)


def test_the_mappings_fit_in_one_configmap():
    assert sum(len(v.encode()) for v in mappings_configmap()["data"].values()) < CONFIGMAP_LIMIT


def test_the_pieces_agree(tmp_path):
    deployment, service = by_kind("Deployment"), by_kind("Service")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"whm": 2087, "cpanel": 2083, "admin": 9180}
    assert {p["targetPort"] for p in service["spec"]["ports"]} == {"whm", "cpanel"}  # admin not exposed
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert (container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]) == (
        {"path": "/readyz", "port": "admin"}, {"path": "/healthz", "port": "admin"})
    # The config the ConfigMap carries loads, with its files where the pod mounts them.
    text = by_kind("ConfigMap")["data"]["config.yaml"]
    etc = tmp_path / "etc"
    (etc / "tls").mkdir(parents=True)
    ca = trustme.CA()
    cert = ca.issue_cert("shim.example.net")
    ca.cert_pem.write_to_path(str(etc / "tls" / "whm-ca.pem"))
    cert.cert_chain_pems[0].write_to_path(str(etc / "tls" / "tls.crt"))
    cert.private_key_pem.write_to_path(str(etc / "tls" / "tls.key"))
    (etc / "admin").mkdir()
    (etc / "admin" / "token").write_text("a-long-random-token\n")
    (etc / "mappings").mkdir()
    for name, content in mappings_configmap()["data"].items():
        (etc / "mappings" / name).write_text(content)
    (etc / "config.yaml").write_text(text.replace("/etc/api2shim", str(etc)))
    config = load_config(etc / "config.yaml")
    assert [(s.name, s.listen_port) for s in config.services] == [("whm", 2087), ("cpanel", 2083)]
    assert load_table(list(config.mappings)).entries
    # The admin token comes from a Secret mounted where the config looks for it (finding 10).
    assert config.admin_settings.token == "a-long-random-token"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    secrets = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    token_file = yaml.safe_load(text)["admin"]["token_file"]
    assert secrets["admin-token"] == "api2shim-admin" and token_file == mounts["admin-token"] + "/token"
    # the drain fits in the grace period, after the preStop pause
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pre_stop + config.shutdown_timeout < pod["terminationGracePeriodSeconds"]


def test_compose_file_runs_the_image_with_the_config():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    service = compose["services"]["api2shim"]
    assert service["command"][:2] == ["--config", "/etc/api2shim/config.yaml"]
    assert service["stop_signal"] == "SIGTERM"
    assert "127.0.0.1:9180:9180" in service["ports"]


def test_the_admin_port_is_off_the_service_and_fenced_by_a_network_policy():
    """Issue 13, finding 10: /usage and /reload must not be reachable by anyone who reaches the pod."""
    deployment, service, policy = by_kind("Deployment"), by_kind("Service"), by_kind("NetworkPolicy")
    assert "admin" not in {p["targetPort"] for p in service["spec"]["ports"]}
    assert 9180 not in {p["port"] for p in service["spec"]["ports"]}
    assert policy["spec"]["podSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    for rule in policy["spec"]["ingress"]:
        ports = {p["port"] for p in rule["ports"]}
        if "admin" in ports or 9180 in ports:
            assert rule.get("from"), "the admin port is open to every source"
            assert ports == {"admin"}
        else:
            assert ports == {"whm", "cpanel"}
    assert any("admin" in {p["port"] for p in rule["ports"]} for rule in policy["spec"]["ingress"])


def test_the_grace_period_covers_pre_stop_plus_the_exact_drain():
    """The drain ends at timeouts.shutdown (tests/test_lifecycle_e2e.py); the pod is killed only
    after preStop + that + a margin for the process to exit."""
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    config = yaml.safe_load(by_kind("ConfigMap")["data"]["config.yaml"])
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    shutdown = config["timeouts"]["shutdown"]
    assert pre_stop + shutdown + 5 <= pod["terminationGracePeriodSeconds"] <= pre_stop + shutdown + 15
