"""The files a teacher deploys with: the Z2JH config.yaml, the nbgitpuller link, the no-news override.

Fast checks with no hub running (the hub itself is exercised in test_hub.py).
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import nbgitpuller_link as links
import yaml

Z2JH = ROOT / "docs" / "teaching" / "z2jh" / "config.yaml"
OVERRIDES = ROOT / "jupyter-config" / "lab" / "overrides.d" / "attn_lib.json"
NEWS_PLUGIN = "@jupyterlab/apputils-extension:notification"

# Top-level keys of the jupyterhub chart's values (chart 4.x); a misspelt one is silently ignored by helm.
CHART_TOP_LEVEL = {"fullnameOverride", "nameOverride", "enabled", "apps", "imagePullSecret", "imagePullSecrets",
                   "hub", "rbac", "proxy", "singleuser", "scheduling", "ingress", "httpRoute", "prePuller",
                   "custom", "cull", "debug", "global"}
SINGLEUSER_KEYS = {"image", "defaultUrl", "memory", "cpu", "storage", "extraFiles", "lifecycleHooks", "cmd",
                   "extraEnv", "profileList", "networkPolicy", "startTimeout", "uid", "fsGid", "serviceAccountName",
                   "initContainers", "extraContainers", "nodeSelector", "extraLabels", "extraAnnotations",
                   "extraResource", "extraTolerations", "extraNodeAffinity", "extraPodAffinity",
                   "extraPodAntiAffinity", "allowPrivilegeEscalation", "events", "podNameTemplate",
                   "cloudMetadata", "networkTools", "extraPodConfig", "automountServiceAccountToken"}
BYTES = re.compile(r"^(\d+(?:\.\d+)?)([KMGT])i?$")


def _bytes(quantity: str) -> float:
    match = BYTES.match(str(quantity))
    assert match, f"{quantity!r} is not a Kubernetes memory quantity like 512M or 1G"
    return float(match.group(1)) * 1024 ** "KMGT".index(match.group(2))


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(Z2JH.read_text())


def test_z2jh_config_is_yaml_with_only_chart_keys(values):
    assert isinstance(values, dict)
    assert set(values) <= CHART_TOP_LEVEL, f"not keys of the jupyterhub chart: {set(values) - CHART_TOP_LEVEL}"
    assert set(values["singleuser"]) <= SINGLEUSER_KEYS, set(values["singleuser"]) - SINGLEUSER_KEYS
    assert isinstance(values["hub"]["config"]["JupyterHub"], dict)


def test_z2jh_image_default_url_memory_and_culling(values):
    single = values["singleuser"]
    assert re.fullmatch(r"[a-z0-9.\-/]+", single["image"]["name"]), single["image"]["name"]
    tag = single["image"]["tag"]
    assert isinstance(tag, str) and tag != "latest", "pin the image to a release tag (a string)"
    assert single["defaultUrl"] == "/lab"
    guarantee, limit = _bytes(single["memory"]["guarantee"]), _bytes(single["memory"]["limit"])
    assert 0 < guarantee <= limit
    assert values["cull"]["enabled"] is True
    assert isinstance(values["cull"]["timeout"], int) and values["cull"]["timeout"] > 0


def test_z2jh_ships_the_same_no_news_override_as_the_course(values):
    (files,) = [f for f in values["singleuser"]["extraFiles"].values()
                if f["mountPath"].endswith("/share/jupyter/lab/settings/overrides.d/attn_lib.json")]
    assert files["data"] == json.loads(OVERRIDES.read_text())


def test_overrides_file_turns_the_news_prompt_off_in_jupyterlabs_schema():
    import jupyterlab
    schema_path = (pathlib.Path(jupyterlab.__file__).parent / "schemas" / "@jupyterlab" / "apputils-extension"
                   / "notification.json")
    if not schema_path.exists():
        pytest.skip(f"this JupyterLab has no {schema_path.name} schema")
    schema = json.loads(schema_path.read_text())
    setting = json.loads(OVERRIDES.read_text())[NEWS_PLUGIN]
    assert set(setting) <= set(schema["properties"])
    assert setting["fetchNews"] == "false"
    assert {"const": "false", "title": "Never"} in schema["properties"]["fetchNews"]["oneOf"]
    assert schema["properties"]["fetchNews"]["default"] == "none", "'none' is the setting that asks"


def test_hub_link_opens_notebook_00_of_the_pulled_course():
    url = links.nbgitpuller_link("https://hub.example.edu/", branch="v0.1.0")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    query = parse_qs(parts.query, strict_parsing=True)
    assert query == {"repo": [links.COURSE_REPO], "branch": ["v0.1.0"],
                     "urlpath": ["lab/tree/self-attention-lab/notebooks/00_start_here.ipynb"]}
    assert (ROOT / links.START_NOTEBOOK).exists()


def test_hub_link_with_a_target_folder_and_notebook_7():
    query = parse_qs(urlsplit(links.nbgitpuller_link("http://127.0.0.1:8000", repo="file:///tmp/course.git",
                                                     targetpath="course", ui="tree")).query)
    assert query["targetpath"] == ["course"]
    assert query["urlpath"] == ["tree/course/notebooks/00_start_here.ipynb"]
    assert links.target_folder("https://github.com/a/b.git/") == "b.git"      # nbgitpuller's own rule


def test_binder_link_pulls_the_course_into_an_environment_repository():
    url = links.binder_link("someone/course-env/main")
    parts = urlsplit(url)
    assert parts.netloc == "mybinder.org" and parts.path == "/v2/gh/someone/course-env/main"
    (inner,) = parse_qs(parts.query)["urlpath"]
    inner_parts = urlsplit(inner)
    assert inner_parts.path == "git-pull"
    query = parse_qs(inner_parts.query)
    assert query["repo"] == [links.COURSE_REPO]
    assert query["urlpath"] == ["lab/tree/self-attention-lab/notebooks/00_start_here.ipynb"]
    assert unquote(url).count("?") == 2
    with pytest.raises(ValueError, match="OWNER/REPO/REF"):
        links.binder_link("someone/course-env")


def test_link_script_prints_the_link(capsys):
    assert links.main(["https://hub.example.edu"]) == 0
    assert capsys.readouterr().out.strip() == links.nbgitpuller_link("https://hub.example.edu")
    with pytest.raises(SystemExit):
        links.main([])
