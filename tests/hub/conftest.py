"""Fixtures of the hub test: a JupyterHub with students on 127.0.0.1, driven by headless Chromium.

The hub (JupyterHub 6, dummy authenticator, simple spawner, configurable-http-proxy) runs the
students' single-user servers in this Python environment, so attn_lib and its server extension
are the ones installed here. The course's remote is a bare clone of this repository's committed
HEAD in a temporary folder, reached as ``file://`` (nothing leaves the machine).

Tests marked ``hub`` skip, saying why, when jupyterhub, nbgitpuller, configurable-http-proxy,
playwright or Chromium is missing (``python -m pip install -r requirements-hub.txt`` and
``npm install --prefix "$VIRTUAL_ENV" configurable-http-proxy``); with
``ATTN_LAB_REQUIRE_EXTRAS=1`` (CI sets it) they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hub_harness
from hub_harness import harness

REQUIRE_ENV = "ATTN_LAB_REQUIRE_EXTRAS"
COURSE = hub_harness.COURSE

_HUBS: list = []


def missing() -> str | None:
    """Why the hub test cannot run here, or None."""
    return hub_harness.hub_missing_reason() or harness.playwright_missing_reason()


def pytest_collection_modifyitems(config, items):
    """Skip the hub tests, with the reason, when something is missing and extras are not required."""
    reason = missing()
    if reason is None or os.environ.get(REQUIRE_ENV) == "1":
        return
    skip = pytest.mark.skip(reason=f"the hub test needs requirements-hub.txt, configurable-http-proxy and a "
                                   f"browser: {reason}; set {REQUIRE_ENV}=1 to make this a failure")
    for item in items:
        if item.get_closest_marker("hub") and HERE in pathlib.Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure: the tail of the hub's log and of each student's server log."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and item.get_closest_marker("hub"):
        for hub in _HUBS:
            report.sections.append(("hub log", hub.log_tail(40)))
            for log in sorted(hub.logs.glob("*.log")):
                report.sections.append((f"server log {log.name}", log.read_text(errors="replace")[-4000:]))


@pytest.fixture(scope="module")
def hub_browser():
    reason = missing()
    if reason is not None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but the hub test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    browser = harness.launch_browser()           # on the process's one Playwright (see shared_playwright)
    yield browser
    with contextlib.suppress(Exception):
        browser.close()


@pytest.fixture(scope="module")
def course_remote(tmp_path_factory):
    """A bare clone of the course (the teacher's repository), and a folder for the teacher's clone."""
    base = tmp_path_factory.mktemp("remote")
    try:
        remote = hub_harness.bare_course_remote(base / COURSE)
    except RuntimeError as error:
        pytest.fail(f"cannot make the course's stand-in remote: {error}", pytrace=False)
    return remote, base / "teacher"


@pytest.fixture(scope="module")
def hub(hub_browser, tmp_path_factory):
    """A running hub; windowing off in each student's JupyterLab, so every cell is in the page."""
    hub = hub_harness.Hub(tmp_path_factory.mktemp("hub"), spawner_args=["--LabApp.expose_app_in_browser=True"])
    try:
        hub.start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    _HUBS.append(hub)
    yield hub
    _HUBS.remove(hub)
    hub.stop()
