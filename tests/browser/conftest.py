"""Fixtures of the real-browser tests: JupyterLab, Notebook 7 and Voila, driven by headless Chromium.

The servers serve a temporary copy of notebooks/ (the course's files are never touched) plus
small notebooks the tests generate, on free ports of 127.0.0.1, with fresh settings,
workspaces, config and runtime dirs. One Chromium serves the whole session.

Without Chromium (/usr/bin/chromium, Debian's ``chromium`` package) or the playwright package
every test here is skipped, saying why; with ``ATTN_LAB_REQUIRE_BROWSER=1`` (CI sets it) a
missing browser is a failure instead. The starting, driving and reading code is shared with
the latency benchmark: ``benchmarks/jupyter_harness.py``.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import jupyter_harness as harness  # noqa: E402

REQUIRE_ENV = "ATTN_LAB_REQUIRE_BROWSER"
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generated_notebooks import EXPLORER_NB, GENERATED, SLIDERS_NB  # noqa: E402

_SERVERS: list = []        # running servers: their log tails are attached to failing tests
_PAGES: list = []          # open notebook pages: screenshots and console errors on failure


def _missing() -> str | None:
    return harness.playwright_missing_reason()


def pytest_collection_modifyitems(config, items):
    """Skip every browser test, with the reason, when the browser is missing and not required."""
    reason = _missing()
    if reason is None or os.environ.get(REQUIRE_ENV) == "1":
        return
    skip = pytest.mark.skip(reason=f"browser tests need Chromium and playwright: {reason}; "
                                   f"set {REQUIRE_ENV}=1 to make this a failure")
    for item in items:
        if HERE in pathlib.Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure: the tail of each running server's log, page screenshots and console errors."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and HERE in pathlib.Path(str(item.fspath)).resolve().parents:
        for server in _SERVERS:
            report.sections.append((f"{server.kind} server log ({server.log_path})", server.log_tail(40)))
        for i, nb in enumerate(list(_PAGES)):
            shot = nb.server.workdir.parent / f"failure-{re.sub(r'[^A-Za-z0-9_.-]', '_', item.name)}-{i}.png"
            with contextlib.suppress(Exception):
                nb.page.screenshot(path=str(shot), full_page=True)
                report.sections.append((f"page {nb.name}", f"screenshot: {shot}\nconsole errors:\n"
                                        + "\n".join(nb.console_errors[-20:])))


# ----- session: browser, servers -------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (Debian's, never a Playwright download)."""
    reason = _missing()
    if reason is not None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but the browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    browser = harness.launch_browser()           # on the process's one Playwright (see shared_playwright)
    yield browser
    with contextlib.suppress(Exception):
        browser.close()


@pytest.fixture(scope="session")
def browser_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def served_notebooks(browser_workdir):
    """A copy of notebooks/ plus the generated test notebooks: the folder the servers serve."""
    folder = harness.copy_notebooks(browser_workdir / "notebooks")
    for name, cells in GENERATED.items():
        harness.write_notebook(folder / name, cells)
    return folder


@contextlib.contextmanager
def _running(server):
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    _SERVERS.append(server)
    try:
        yield server
    finally:
        _SERVERS.remove(server)
        server.stop()


@pytest.fixture(scope="session")
def lab_server(chromium, served_notebooks, browser_workdir):
    """JupyterLab with notebook windowing off, so every cell (and widget) is in the page."""
    with _running(harness.Server("lab", served_notebooks, browser_workdir / "lab")) as server:
        yield server


@pytest.fixture(scope="session")
def notebook7_server(chromium, served_notebooks, browser_workdir):
    with _running(harness.Server("notebook", served_notebooks, browser_workdir / "notebook7")) as server:
        yield server


@pytest.fixture(scope="session")
def voila_server(chromium, served_notebooks, browser_workdir):
    """Voila rendering the generated explorer notebook (it executes the notebook itself)."""
    with _running(harness.Server("voila", served_notebooks, browser_workdir / "voila",
                                 voila_notebook=served_notebooks / EXPLORER_NB)) as server:
        yield server


# ----- pages ---------------------------------------------------------------------------------
@contextlib.contextmanager
def open_notebook(browser, server, name, ui="lab", run=True):
    """A notebook open in its own browser context (and, with ``run``, after Run All)."""
    nb = harness.NotebookPage(browser, server, name, ui=ui)
    _PAGES.append(nb)
    try:
        nb.open()
        if run:
            nb.execution = nb.run_all()
        yield nb
    finally:
        _PAGES.remove(nb)
        nb.close()


@pytest.fixture(scope="session")
def notebook_opener():
    """``open_notebook(browser, server, name, ui="lab", run=True)`` as a context manager."""
    return open_notebook


@pytest.fixture(scope="module")
def explorer_nb(chromium, lab_server):
    """The generated explorer notebook in JupyterLab, after Run All."""
    with open_notebook(chromium, lab_server, EXPLORER_NB) as nb:
        nb.page.wait_for_selector(".attn-explorer[data-version]", timeout=30_000)
        nb.initial = harness.wait_quiet(nb.page)
        yield nb


@pytest.fixture(scope="module")
def sliders_nb(chromium, lab_server):
    """The generated ScoreSliders notebook in JupyterLab, after Run All."""
    with open_notebook(chromium, lab_server, SLIDERS_NB) as nb:
        nb.page.wait_for_selector(".attn-bars", timeout=30_000)
        yield nb
