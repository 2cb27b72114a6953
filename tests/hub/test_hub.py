"""The course behind a JupyterHub, as a class uses it: log in, follow the nbgitpuller link, work, update.

One student logs in to a JupyterHub 6 (dummy authenticator, simple spawner, configurable-http-proxy)
through the teacher's nbgitpuller link (scripts/nbgitpuller_link.py), whose repository is a bare
clone of this course. The tests run in file order on that one student's session:

1. the link lands in notebook 00 of the pulled course;
2. notebook 02 runs (Run All) behind the proxy and the explorer repaints when a control moves;
3. the kernel websocket kept TCP_NODELAY (attn_lib_server is loaded in the single-user server);
4. JupyterLab asked nothing about Jupyter news (the course's settings override);
5. after the teacher pushes a commit, a second click of the link merges it and keeps the
   student's own edit.
"""

from __future__ import annotations

import json
import re
import uuid

import hub_harness
import pytest
from hub_harness import COURSE, harness

pytestmark = [pytest.mark.hub, pytest.mark.browser]

STUDENT = "student"
START = f"{COURSE}/notebooks/00_start_here.ipynb"
EXPLORER_NOTEBOOK = f"{COURSE}/notebooks/02_queries_keys_values.ipynb"
NEWS_PROMPT = "official Jupyter news"            # JupyterLab 4's toast: "Would you like to get notified about ..."
STUDENT_NOTE = "My own note: the query asks, the keys answer."


@pytest.fixture(scope="module")
def link(hub, course_remote):
    remote, _ = course_remote
    return hub_harness.nbgitpuller_link(hub.url, repo=remote.as_uri(), branch="main")


@pytest.fixture(scope="module")
def student(hub, hub_browser, link):
    """The student's browser context, after logging in through the link; its first page shows notebook 00."""
    hub.prepare_home(STUDENT)
    context = harness.new_offline_context(hub_browser)
    page = context.new_page()
    page.goto(link, timeout=60_000)
    hub_harness.login(page, hub, STUDENT)
    hub_harness.wait_notebook_open(page, START, timeout=120)
    context.first_page = page
    context.server = hub_harness.StudentServer(hub, STUDENT)
    yield context
    context.close()


@pytest.fixture(scope="module")
def notebook02(student):
    """Notebook 02 open in a second tab (a fresh workspace), after Run All."""
    page = student.new_page()
    page.goto(f"{student.server.base_url}/lab/workspaces/w{uuid.uuid4().hex[:8]}/tree/{EXPLORER_NOTEBOOK}?reset",
              timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell", timeout=60_000)
    harness.wait_kernel_ready(page, student.server, EXPLORER_NOTEBOOK, timeout=90)
    harness.run_all(page)
    page.execution = harness.wait_all_executed(page, timeout=240)
    return page


def test_the_link_pulls_the_course_and_lands_in_notebook_00(student, hub):
    page = student.first_page
    assert re.search(r"/user/student/lab(/workspaces/[^/]+)?/tree/" + re.escape(START), page.url), page.url
    assert hub_harness.current_path(page) == START
    clone = hub.homes / STUDENT / COURSE
    assert (clone / ".git").is_dir(), "nbgitpuller did not clone the course into the student's home"
    assert (clone / "notebooks" / "02_queries_keys_values.ipynb").exists()


def test_notebook_02_runs_and_the_explorer_repaints_behind_the_proxy(notebook02):
    page = notebook02
    assert page.execution["done"] == page.execution["n"] > 0
    assert harness.page_errors(page) == []
    widget = page.locator(".attn-explorer-widget").filter(has=page.locator(".widget-slider .noUi-handle")).first
    widget.evaluate("w => w.setAttribute('data-hub-test', 'explorer')")
    selector = "[data-hub-test=explorer] .attn-explorer"
    before = harness.wait_quiet(page, selector)
    assert before is not None and before["version"] is not None
    widget.locator(".widget-slider .noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    after = harness.wait_version_above(page, before["version"], selector, timeout=30)
    assert after["version"] > before["version"]
    assert after["html"] != before["html"]


def test_the_kernel_websocket_behind_the_proxy_has_tcp_nodelay(notebook02, student):
    logged = student.server.nodelay()
    assert logged, ("attn_lib_server logged no kernel websocket: the extension is not loaded in the single-user "
                    "server\n" + student.server.log_tail(30))
    assert set(logged) == {"1"}, f"kernel websockets with TCP_NODELAY {logged}"


def test_jupyterlab_asks_nothing_about_news(notebook02, student):
    # The settings API applies overrides to the schema's defaults; the student has set nothing.
    answer = student.server.api("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    default = answer["schema"]["properties"]["fetchNews"]["default"]
    assert "fetchNews" not in (answer.get("settings") or {})
    assert default == "false", (
        "the course's JupyterLab settings override (jupyter-config/lab/overrides.d/attn_lib.json, installed "
        f"with attn_lib into share/jupyter/lab/settings/overrides.d) is not in effect: fetchNews {default!r}")
    for page in (student.first_page, notebook02):         # both have been open for many seconds
        assert page.get_by_text(NEWS_PROMPT).count() == 0, "JupyterLab shows the Jupyter news prompt"


def test_a_second_click_merges_the_update_and_keeps_the_students_edit(student, hub, course_remote, link):
    remote, teacher = course_remote
    server, clone = student.server, hub.homes / STUDENT / COURSE
    # The student edits notebook 00's first markdown cell (through the server, as JupyterLab saves)
    # and writes a file of their own.
    model = server.api(f"/api/contents/{START}?content=1")
    notebook = model["content"]
    first_markdown = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
    first_markdown["source"] = "".join(first_markdown["source"]) + f"\n\n{STUDENT_NOTE}"
    server.api(f"/api/contents/{START}", method="PUT", body={"type": "notebook", "format": "json", "content": notebook})
    server.api(f"/api/contents/{COURSE}/my_notes.md", method="PUT",
               body={"type": "file", "format": "text", "content": "notes of the student\n"})
    # The teacher pushes an update to other files: a new page and a line in the glossary.
    glossary = (clone / "notebooks" / "glossary.md").read_text()
    update = hub_harness.commit_upstream(remote, teacher, {
        "notebooks/course_news.md": "# News\n\nNotebook 02 has a new exercise.\n",
        "notebooks/glossary.md": glossary + "\n**update**: a line the teacher added after the first pull.\n",
    }, "Course update")

    page = student.first_page
    page.goto(link, timeout=60_000)
    hub_harness.wait_notebook_open(page, START, timeout=120)

    assert hub_harness.git("merge-base", "--is-ancestor", update, "HEAD", cwd=clone) == ""
    assert (clone / "notebooks" / "course_news.md").read_text().startswith("# News")
    assert "a line the teacher added" in (clone / "notebooks" / "glossary.md").read_text()
    kept = server.api(f"/api/contents/{START}?content=1")["content"]
    assert STUDENT_NOTE in json.dumps(kept), "the student's edit of notebook 00 was lost in the merge"
    assert (clone / "my_notes.md").read_text() == "notes of the student\n"
