"""Start JupyterLab, Notebook 7 or Voila and drive them with headless Chromium.

Shared by the real-browser tests (``tests/browser/``) and the latency benchmark
(``benchmarks/explorer_latency.py``), so both open notebooks, run them and read the
explorer's views the same way. Nothing here is a test: it only starts, drives and stops.

Everything runs on this machine: the servers listen on 127.0.0.1, the browser is
Debian's Chromium (``/usr/bin/chromium``; Playwright's own browser download is never
used), and every request the page makes to another host is blocked and recorded, so a
page that needs the internet (a CDN) shows up as a failure instead of a slow load.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
TOKEN = "attn-lab-test-token"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# JupyterLab user settings written into the fresh settings dir of every server.
LAB_SETTINGS = {
    # Every cell attached to the page, so every output (and widget) is in the DOM.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No "fetch Jupyter news?" toast over the notebook, and no request for the news.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


# ----- finding the browser ---------------------------------------------------------------------
def find_chromium() -> str | None:
    """Path of the system Chromium (Debian's ``chromium`` package), or None."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def playwright_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (python -m pip install -r requirements-dev.txt)"
    if find_chromium() is None:
        return ("Chromium is not installed (/usr/bin/chromium; on Debian/Ubuntu: "
                "apt-get install chromium)")
    return None


_PLAYWRIGHT = None


def shared_playwright():
    """This process's one Playwright driver (sync API), started on first use and stopped at exit.

    A process can run only one: a second ``sync_playwright()`` while the first is running fails
    with "using Playwright Sync API inside the asyncio loop", which is what happened when
    pytest-xdist gave one worker the browser tests and then the hub or teaching tests. Every
    fixture and script that needs a browser launches it from here.
    """
    global _PLAYWRIGHT
    if _PLAYWRIGHT is None:
        import atexit

        from playwright.sync_api import sync_playwright
        _PLAYWRIGHT = sync_playwright().start()
        atexit.register(_PLAYWRIGHT.stop)
    return _PLAYWRIGHT


def launch_browser(playwright=None):
    """Headless Chromium from the system package (Playwright's own download is not used)."""
    playwright = playwright or shared_playwright()
    return playwright.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)


def new_offline_context(browser, viewport=(1400, 1000)):
    """A browser context whose requests to any host but this machine are blocked and recorded.

    The blocked URLs are in ``context.external_requests``.
    """
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.external_requests = []

    def route(r):
        host = re.match(r"^[a-z]+://([^/:]+)", r.request.url)
        if host is None or host.group(1) in ("127.0.0.1", "localhost", "[::1]"):
            r.continue_()
        else:
            context.external_requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


# ----- servers ---------------------------------------------------------------------------------
def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_notebooks(dest: pathlib.Path) -> pathlib.Path:
    """A copy of notebooks/ (the course's notebooks are never touched); returns ``dest``."""
    shutil.copytree(NOTEBOOKS, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


def write_notebook(path: pathlib.Path, cells: list[str]) -> pathlib.Path:
    """A notebook of code cells (no outputs) with the python3 kernelspec, so no kernel dialog opens."""
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {},
                     "outputs": [], "source": source} for i, source in enumerate(cells)],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1))
    return path


def widget_output_cells(path: pathlib.Path) -> int:
    """How many code cells of a stored notebook have an output with a widget view."""
    nb = json.loads(pathlib.Path(path).read_text())
    return sum(any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))
               for cell in nb["cells"] if cell["cell_type"] == "code")


def code_cells(path: pathlib.Path) -> int:
    nb = json.loads(pathlib.Path(path).read_text())
    return sum(cell["cell_type"] == "code" for cell in nb["cells"])


class Server:
    """One JupyterLab, Notebook 7 or Voila process in its own process group.

    ``kind`` is ``"lab"``, ``"notebook"`` or ``"voila"``. ``root_dir`` is served; for Voila,
    ``voila_notebook`` is the notebook it renders. Logs go to ``workdir/<kind>.log``; settings,
    workspaces, runtime and config dirs are fresh under ``workdir``.
    """

    def __init__(self, kind: str, root_dir: pathlib.Path, workdir: pathlib.Path, voila_notebook=None,
                 extra_args=()):
        self.kind, self.root_dir, self.workdir = kind, pathlib.Path(root_dir), pathlib.Path(workdir)
        self.voila_notebook = voila_notebook
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.token = TOKEN
        self.proc = None
        self.log_path = self.workdir / f"{kind}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        settings, workspaces = self.workdir / "settings", self.workdir / "workspaces"
        common = ["--no-browser", f"--port={self.port}", "--ServerApp.ip=127.0.0.1",
                  f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
                  "--ServerApp.allow_root=True", "--ServerApp.port_retries=0"]
        if self.kind == "lab":
            return [sys.executable, "-m", "jupyterlab", *common,
                    f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}",
                    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                    "--LabApp.expose_app_in_browser=True", *self.extra_args]
        if self.kind == "notebook":
            return [sys.executable, "-m", "notebook", *common,
                    f"--JupyterNotebookApp.user_settings_dir={settings}",
                    f"--JupyterNotebookApp.workspaces_dir={workspaces}",
                    "--JupyterNotebookApp.expose_app_in_browser=True", *self.extra_args]
        if self.kind == "voila":
            # Standalone Voila (0.5) is its own tornado app, not a jupyter_server app: it has no
            # token, runs as root without asking (it rejects --allow-root as an unknown flag and
            # ignores --ServerApp.*), and executes the notebook itself on each page request.
            # --show_tracebacks puts a failing cell's traceback on the page instead of a bare
            # "There was an error"; connection files go to our folder instead of /tmp.
            (self.workdir / "runtime").mkdir(parents=True, exist_ok=True)
            return [sys.executable, "-m", "voila", str(self.voila_notebook), "--no-browser",
                    f"--port={self.port}", "--Voila.ip=127.0.0.1", "--show_tracebacks=True",
                    f"--Voila.root_dir={self.root_dir}",
                    f"--Voila.connection_dir_root={self.workdir / 'runtime'}", *self.extra_args]
        raise ValueError(f"kind must be 'lab', 'notebook' or 'voila'; got {self.kind!r}")

    def env(self) -> dict:
        env = dict(os.environ)
        for name in ("config", "runtime"):
            (self.workdir / name).mkdir(parents=True, exist_ok=True)
        env["JUPYTER_CONFIG_DIR"] = str(self.workdir / "config")       # nobody's ~/.jupyter
        env["JUPYTER_RUNTIME_DIR"] = str(self.workdir / "runtime")     # kernel connection files
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env.pop("JUPYTER_TOKEN", None)
        env.setdefault("PYTHONHASHSEED", "0")
        return env

    def write_settings(self):
        for rel, value in LAB_SETTINGS.items():
            path = self.workdir / "settings" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value, indent=2))
        (self.workdir / "workspaces").mkdir(parents=True, exist_ok=True)

    def start(self, timeout: float = 90.0, attempts: int = 3) -> "Server":
        """Start and wait until it answers; a server that exits at once (its free port was taken
        in the meantime by another process) is tried again on another port."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.write_settings()
        for attempt in range(attempts):
            self._log = open(self.log_path, "w")
            self.proc = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env(), cwd=self.root_dir,
                                         start_new_session=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if self._ready():
                    return self
                time.sleep(0.25)
            else:
                self.stop()
                raise RuntimeError(f"{self.kind} server not ready after {timeout:.0f} s\n" + self.log_tail())
            self._log.close()
            if attempt + 1 == attempts:
                raise RuntimeError(f"{self.kind} server exited with code {self.proc.returncode}\n"
                                   + self.log_tail())
            self.port = free_port()
        raise AssertionError("unreachable")

    def _ready(self) -> bool:
        if self.kind == "voila":      # Voila has no /api/status; GET / would execute the notebook
            url = f"{self.base_url}/voila/static/voila.js"
            with contextlib.suppress(OSError):
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                try:
                    urllib.request.urlopen(url, timeout=2)
                except urllib.error.HTTPError:
                    pass                              # any HTTP answer means it is serving
                return True
            return False
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/status?token={self.token}", timeout=2) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def api(self, path: str, method: str = "GET"):
        """JSON from the server's REST API (``path`` like ``/api/kernels``)."""
        sep = "&" if "?" in path else "?"
        req = urllib.request.Request(f"{self.base_url}{path}{sep}token={self.token}", method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def kernels(self) -> list[dict]:
        return self.api("/api/kernels")

    def shutdown_kernels(self):
        """Shut down every kernel (between tests, so finished notebooks do not hold CPU or memory)."""
        with contextlib.suppress(Exception):
            for session in self.api("/api/sessions"):
                self.api(f"/api/sessions/{session['id']}", method="DELETE")
        with contextlib.suppress(Exception):
            for kernel in self.kernels():
                self.api(f"/api/kernels/{kernel['id']}", method="DELETE")

    def connection_file(self, kernel_id: str) -> pathlib.Path:
        return self.workdir / "runtime" / f"kernel-{kernel_id}.json"

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").splitlines()
            return f"--- last {lines} lines of {self.log_path} ---\n" + "\n".join(text[-lines:])
        return f"(no log at {self.log_path})"

    def stop(self):
        """Stop the server and everything it started (kernels run in sessions of their own)."""
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            self._log.close()
            return
        children = []
        with contextlib.suppress(Exception):
            import psutil
            children = psutil.Process(self.proc.pid).children(recursive=True)
        if self.kind != "voila":
            self.shutdown_kernels()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)     # jupyter_server shuts its kernels down
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        for child in children:                            # kernels that outlived their server
            with contextlib.suppress(Exception):
                child.kill()
        self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ----- talking to a notebook's kernel directly -------------------------------------------------
class KernelProbe:
    """A second client of a running notebook kernel, to read its state without touching the page.

    JupyterLab ignores output whose request came from another client, so probing leaves the
    notebook as it is. ``run(code)`` returns stdout and raises on an error.
    """

    def __init__(self, connection_file: pathlib.Path):
        from jupyter_client import BlockingKernelClient
        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=30)

    def _drain(self):
        """Drop the iopub messages queued since the last call: every client receives all of the
        widgets' comm traffic, and a full queue would drop this client's own output."""
        while True:
            try:
                self.client.get_iopub_msg(timeout=0)
            except queue.Empty:
                return

    def run(self, code: str, timeout: float = 60) -> str:
        out, errors = [], []
        self._drain()

        def hook(msg):
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]))
        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=hook, store_history=False)
        if reply["content"]["status"] != "ok" or errors:
            raise RuntimeError(f"kernel error running {code!r}:\n" + "\n".join(errors))
        return "".join(out)

    def json(self, expression: str):
        """Evaluate ``expression`` in the kernel and return it through JSON."""
        return json.loads(self.run(f"import json as _j; print(_j.dumps({expression}))"))

    def close(self):
        with contextlib.suppress(Exception):
            self.client.stop_channels()


# ----- notebook pages (JupyterLab and Notebook 7) ----------------------------------------------
def lab_url(server: Server, name: str) -> str:
    """A fresh workspace for ``name``, so no layout from an earlier page is restored."""
    return f"{server.base_url}/lab/workspaces/w{uuid.uuid4().hex[:10]}/tree/{name}?token={server.token}&reset"


def notebook7_url(server: Server, name: str) -> str:
    return f"{server.base_url}/notebooks/{name}?token={server.token}"


_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# Execution counts come from the notebook model (the servers run with expose_app_in_browser):
# a cell whose input is hidden (the solutions) shows no prompt in the page.
EXECUTION_STATE_JS = """() => {
    const panel = document.querySelector('%s');
    if (!panel) return {n: 0, done: 0, counts: [], status: null};
    const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const status = ind ? ind.getAttribute('data-status') : null;
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    if (widget && widget.content && widget.content.model && widget.content.model.cells) {
        const cells = [...widget.content.model.cells].filter(c => c.type === 'code');
        const counts = cells.map(c => c.executionCount);
        return {n: cells.length, done: counts.filter(c => c !== null && c !== undefined).length, counts, status};
    }
    const prompts = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(
        c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '');
    return {n: prompts.length, done: prompts.filter(p => /\\[\\d+\\]/.test(p)).length, counts: prompts, status};
}""" % _PANEL

OUTPUT_REPORT_JS = """() => {
    const panel = document.querySelector('%s') || document.body;
    const outs = [...panel.querySelectorAll('.jp-OutputArea-output')];
    const mime = o => o.getAttribute('data-mime-type');
    return {
        errors: outs.filter(o => mime(o) === 'application/vnd.jupyter.error').map(o => o.innerText.slice(0, 3000)),
        stderr: outs.filter(o => mime(o) === 'application/vnd.jupyter.stderr').map(o => o.innerText.slice(0, 3000)),
        // a live widget view is a Lumino widget with the class jupyter-widgets directly in the output
        rendered_widgets: outs.filter(o => o.querySelector(':scope > .jupyter-widgets')).length,
        outputs_text: outs.map(o => o.innerText).join('\\n'),
        cells: panel.querySelectorAll('.jp-Notebook .jp-Cell').length,
        content_visibility_mode: !!panel.querySelector('.jp-content-visibility-mode'),
    };
}""" % _PANEL

# A Python traceback, as JupyterLab renders an error output (it shows errors with the stderr mime type).
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|Cell In\[\d+\], line \d+|^\w*(Error|Exception)\b.*$",
                       re.MULTILINE)
WIDGET_FAILURES = ("Error displaying widget", "model not found", "Error rendering", "Failed to load model class")


def output_report(page) -> dict:
    """Error and stderr outputs, how many outputs hold a live widget view, their text, the cell count."""
    return page.evaluate(OUTPUT_REPORT_JS)


def log_console_entries(page) -> int:
    """How many entries JupyterLab's log console holds for this notebook (output of widget callbacks)."""
    title = page.evaluate("""() => { const e = document.querySelector('.jp-LogConsoleStatusItem [title]');
                                     return e ? e.getAttribute('title') : ''; }""")
    found = re.search(r"(\d+) log entr", title or "")
    return int(found.group(1)) if found else 0


def log_console_text(page) -> str:
    """The log console's text (opened from the status bar when it is not open yet)."""
    if not page.locator(".jp-LogConsole").count():
        page.locator(".jp-LogConsoleStatusItem").click()
        page.wait_for_selector(".jp-LogConsole", timeout=10_000)
        page.wait_for_timeout(300)
    return page.locator(".jp-LogConsole").first.inner_text()


def page_errors(page, log_console: bool = True) -> list[str]:
    """Everything on the page that says something went wrong in the kernel or the widgets.

    Error outputs and tracebacks in cell outputs, "Error displaying widget"-like text, and
    (``log_console``, JupyterLab only) tracebacks that widget callbacks wrote to the log console.
    Plain warnings on stderr are allowed.
    """
    report = output_report(page)
    problems = [f"error output:\n{e}" for e in report["errors"]]
    problems += [f"traceback in a stderr output:\n{s}" for s in report["stderr"] if TRACEBACK.search(s)]
    problems += [f"widget failure text in an output: {t!r}" for t in WIDGET_FAILURES if t in report["outputs_text"]]
    if log_console and log_console_entries(page):
        text = log_console_text(page)
        if TRACEBACK.search(text):
            problems.append(f"traceback in the log console (a widget callback raised):\n{text[-3000:]}")
    return problems


def kernel_indicator(page) -> str | None:
    """The notebook toolbar's kernel status ('idle', 'busy', 'starting', ...)."""
    return page.evaluate("""() => {
        const el = document.querySelector('%s .jp-Notebook-ExecutionIndicator');
        return el ? el.getAttribute('data-status') : null;
    }""" % _PANEL)


def wait_kernel_idle(page, timeout: float = 15) -> str | None:
    """The toolbar's kernel status once it says idle, or whatever it says after ``timeout`` s.

    After a burst of inputs the kernel answers the last one a little later on a loaded machine:
    "busy" right after the page caught up is not a fault, "busy" for 15 s is.
    """
    deadline = time.monotonic() + timeout
    state = kernel_indicator(page)
    while state != "idle" and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        state = kernel_indicator(page)
    return state


def notebook_kernel(server: Server, name: str) -> dict | None:
    """The kernel model of the session of notebook ``name`` (``id``, ``execution_state``, ``connections``)."""
    for session in server.api("/api/sessions"):
        if session.get("path") == name and session.get("kernel"):
            return session["kernel"]
    return None


def wait_kernel_ready(page, server: Server, name: str, timeout: float = 90):
    """Until the page is connected to its notebook's started kernel and both say idle.

    Before its kernel exists the page briefly says "idle" too ("No Kernel"), so the server's
    view (a kernel with a connection) is checked as well; a Run All before that is lost.
    """
    deadline = time.monotonic() + timeout
    settled, kernel = 0, None
    while time.monotonic() < deadline:
        kernel = notebook_kernel(server, name)
        ok = (kernel is not None and kernel["execution_state"] == "idle" and kernel["connections"] > 0
              and kernel_indicator(page) == "idle")
        settled = settled + 1 if ok else 0
        if settled >= 3:
            return kernel
        page.wait_for_timeout(200)
    raise TimeoutError(f"kernel of {name} not ready after {timeout} s: {kernel} / page says {kernel_indicator(page)}")


def run_all(page):
    """Run > Run All Cells, through the menu as a learner does (JupyterLab and Notebook 7)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item:visible", has_text=re.compile(r"^Run All Cells")).first.click()


def wait_all_executed(page, timeout: float = 300, stall: float = 20) -> dict:
    """Until every code cell shows an execution count and the kernel is idle (three polls in a row).

    Raises early when the kernel has been idle for ``stall`` seconds with cells left unexecuted
    (Run All stops at the first error, or never started).
    """
    deadline = time.monotonic() + timeout
    settled, state, last, idle_since = 0, None, None, None
    while time.monotonic() < deadline:
        state = page.evaluate(EXECUTION_STATE_JS)
        ok = state["n"] > 0 and state["done"] == state["n"] and state["status"] == "idle"
        settled = settled + 1 if ok else 0
        if settled >= 3:
            return state
        if state["status"] == "idle" and state == last:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > stall:
                raise RuntimeError(f"Run All stopped: kernel idle with cells not executed: {state}\n"
                                   + "\n".join(page_errors(page, log_console=False)))
        else:
            idle_since = None
        last = state
        page.wait_for_timeout(250)
    raise TimeoutError(f"notebook not executed after {timeout} s: {state}")


def wait_widgets_rendered(page, expected: int, timeout: float = 30) -> int:
    """Until at least ``expected`` outputs hold a live widget view; returns how many do."""
    deadline = time.monotonic() + timeout
    while True:
        rendered = output_report(page)["rendered_widgets"]
        if rendered >= expected or time.monotonic() > deadline:
            return rendered
        page.wait_for_timeout(250)


class NotebookPage:
    """One notebook open in its own browser context, in JupyterLab (``ui="lab"``) or Notebook 7.

    ``probe()`` gives a :class:`KernelProbe` on the notebook's kernel; ``close()`` closes the page
    and shuts the notebook's kernel down.
    """

    def __init__(self, browser, server: Server, name: str, ui: str = "lab", viewport=(1400, 1000)):
        self.server, self.name, self.ui = server, name, ui
        self.context = new_offline_context(browser, viewport)
        self.page = self.context.new_page()
        self.console_errors = []
        self.page.on("console", lambda m: self.console_errors.append(m.text[:500]) if m.type == "error" else None)
        self.kernel_id = None
        self._probe = None

    def open(self, timeout: float = 90) -> "NotebookPage":
        url = lab_url(self.server, self.name) if self.ui == "lab" else notebook7_url(self.server, self.name)
        self.page.goto(url, timeout=timeout * 1000)
        self.page.wait_for_selector(f"{_PANEL} .jp-Notebook .jp-Cell", timeout=timeout * 1000)
        self.kernel_id = wait_kernel_ready(self.page, self.server, self.name, timeout)["id"]
        return self

    def run_all(self, timeout: float = 300) -> dict:
        run_all(self.page)
        return wait_all_executed(self.page, timeout)

    def probe(self) -> KernelProbe:
        if self._probe is None:
            self._probe = KernelProbe(self.server.connection_file(self.kernel_id))
        return self._probe

    def kernel_state(self) -> str | None:
        kernel = notebook_kernel(self.server, self.name)
        return kernel and kernel["execution_state"]

    def errors(self) -> list[str]:
        return page_errors(self.page, log_console=self.ui == "lab")

    def close(self):
        if self._probe is not None:
            self._probe.close()
        with contextlib.suppress(Exception):
            self.context.close()
        with contextlib.suppress(Exception):
            for session in self.server.api("/api/sessions"):
                if session.get("path") == self.name:
                    self.server.api(f"/api/sessions/{session['id']}", method="DELETE")


# ----- attn_lib_server -------------------------------------------------------------------------
def kernel_websocket_nodelay(server: Server) -> list[str]:
    """TCP_NODELAY of each kernel websocket the server opened, as attn_lib_server logged it
    (read back from the socket: "1", "0" or "None"); empty when the extension is not loaded."""
    from attn_lib_server import LOG_MESSAGE
    pattern = re.escape(LOG_MESSAGE).replace("%s", r"(\w+)")
    return re.findall(pattern, server.log_path.read_text(errors="replace"))


# ----- views with a data-version ---------------------------------------------------------------
VIEW_JS = """sel => { const e = document.querySelector(sel);
    if (!e) return null;
    const v = e.getAttribute('data-version');
    return {version: v === null ? null : Number(v), text: e.innerText, html: e.innerHTML}; }"""


def view_state(page, selector: str = ".attn-explorer") -> dict | None:
    """``version`` (the data-version, or None), ``text`` and ``html`` of the first match of ``selector``."""
    return page.evaluate(VIEW_JS, selector)


def wait_version_above(page, version, selector: str = ".attn-explorer", timeout: float = 20) -> dict:
    """Until the view's data-version is greater than ``version`` (None counts as 0)."""
    page.wait_for_function("""([sel, v]) => { const e = document.querySelector(sel);
        return e && Number(e.getAttribute('data-version')) > v; }""", arg=[selector, version or 0],
                           timeout=timeout * 1000, polling=50)
    return view_state(page, selector)


def wait_quiet(page, selector: str = ".attn-explorer", quiet_ms: int = 800, timeout: float = 60) -> dict:
    """Until the view has not changed (data-version and HTML) for ``quiet_ms``; returns its state."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = view_state(page, selector)
        if now != last:
            last, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return last
        page.wait_for_timeout(100)
    raise TimeoutError(f"{selector} still changing after {timeout} s")


def wait_synced(page, kernel_version, selector: str = ".attn-explorer", quiet_ms: int = 300,
                timeout: float = 30) -> dict:
    """Until the page shows the kernel's latest repaint: the view's data-version equals
    ``kernel_version()`` and has stayed so for ``quiet_ms``. Returns the view's state."""
    deadline = time.monotonic() + timeout
    since, last = None, None
    while time.monotonic() < deadline:
        view = view_state(page, selector)
        synced = view is not None and view["version"] == kernel_version()
        if synced and view == last:
            if (time.monotonic() - since) * 1000 >= quiet_ms:
                return view
        else:
            since = time.monotonic() if synced else None
        last = view
        page.wait_for_timeout(50)
    raise TimeoutError(f"{selector} not in sync with the kernel after {timeout} s: page {last and last['version']}, "
                       f"kernel {kernel_version()}")
