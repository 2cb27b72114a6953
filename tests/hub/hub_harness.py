"""Start a JupyterHub with students on 127.0.0.1, and a local stand-in for the course's git remote.

Shared by the hub test (``tests/hub/test_hub.py``) and the classroom load benchmark
(``benchmarks/classroom_load.py``). Nothing here is a test: it only starts, drives and stops.

* :class:`Hub`: JupyterHub 6 with its ``dummy`` authenticator (any name, any password) and
  ``simple`` spawner (every student's single-user server is a process of this machine, in this
  Python environment, with a home folder under the hub's work folder), configurable-http-proxy
  from npm in front, everything bound to 127.0.0.1 on free ports.
* :func:`bare_course_remote`: a bare git clone of the course's committed HEAD, which an
  nbgitpuller link can name as ``file://...``: git clones from it exactly as from GitHub.
* :func:`nbgitpuller_link`: the link a teacher hands out (scripts/nbgitpuller_link.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))
import jupyter_harness as harness
from nbgitpuller_link import nbgitpuller_link  # noqa: F401  (re-exported for the tests)

API_TOKEN = "attn-lab-hub-test-token-0123456789abcdef"
"""The token of the hub's service account: admin of users and servers, and access to them."""

COURSE = "self-attention-lab"
"""The name of the course's stand-in remote, and so of the folder nbgitpuller clones it into."""

PROXY_ENV = "ATTN_LAB_CHP"
"""Names the configurable-http-proxy executable when it is neither in the environment's
``node_modules/.bin`` (``npm install --prefix "$VIRTUAL_ENV" configurable-http-proxy``) nor on PATH."""

# JupyterLab user settings written into each student's home before the first login: every cell in
# the DOM (as in tests/browser). The news prompt is NOT switched off here: the course's own
# settings override (jupyter-config/lab/overrides.d/attn_lib.json) must do that.
STUDENT_LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


# ----- what the hub needs --------------------------------------------------------------------
def find_proxy() -> str | None:
    """The configurable-http-proxy executable, or None."""
    named = os.environ.get(PROXY_ENV)
    if named:
        return named if os.access(named, os.X_OK) else None
    local = pathlib.Path(sys.prefix) / "node_modules" / ".bin" / "configurable-http-proxy"
    if os.access(local, os.X_OK):
        return str(local)
    return shutil.which("configurable-http-proxy")


def hub_missing_reason() -> str | None:
    """Why a hub cannot run here (a missing package or executable), or None when it can."""
    for module, package in (("jupyterhub", "jupyterhub"), ("nbgitpuller", "nbgitpuller")):
        try:
            __import__(module)
        except ImportError:
            return f"the Python package {package} is not installed (python -m pip install -r requirements-hub.txt)"
    import jupyterhub
    if not jupyterhub.__version__.startswith("6."):
        return f"JupyterHub 6.x is needed; {jupyterhub.__version__} is installed (requirements-hub.txt)"
    if find_proxy() is None:
        return ("configurable-http-proxy is not installed (npm install --prefix \"$VIRTUAL_ENV\" "
                f"configurable-http-proxy, or name it in {PROXY_ENV})")
    if shutil.which("git") is None:
        return "git is not installed"
    if not (pathlib.Path(sys.prefix) / "bin" / "jupyterhub-singleuser").exists():
        return "jupyterhub-singleuser is not in this environment's bin/"
    return None


# ----- the course's remote -------------------------------------------------------------------
def git(*args, cwd=None) -> str:
    """Run git with a fixed identity; return stdout; raise with git's message on failure."""
    cmd = ["git", "-c", "user.name=Course Teacher", "-c", "user.email=teacher@example.invalid",
           "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false", *args]
    done = subprocess.run(cmd, check=False, cwd=cwd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def bare_course_remote(dest: pathlib.Path, branch: str = "main") -> pathlib.Path:
    """A bare clone of the course's committed HEAD (one commit deep) on ``branch``, at ``dest``.

    Named without ``.git`` so that nbgitpuller's default target folder is ``dest.name``.
    """
    git("clone", "--bare", "--depth", "1", "--no-tags", ROOT.as_uri(), str(dest))
    head = git("rev-parse", "HEAD", cwd=dest).strip()
    git("update-ref", f"refs/heads/{branch}", head, cwd=dest)
    git("symbolic-ref", "HEAD", f"refs/heads/{branch}", cwd=dest)
    for ref in git("for-each-ref", "--format=%(refname)", "refs/heads", cwd=dest).split():
        if ref != f"refs/heads/{branch}":
            git("update-ref", "-d", ref, cwd=dest)
    return dest


def commit_upstream(remote: pathlib.Path, workdir: pathlib.Path, files: dict, message: str,
                    branch: str = "main") -> str:
    """Commit ``files`` ({relative path: text}) to ``remote``'s ``branch`` as the teacher; returns the commit."""
    if not workdir.exists():
        git("clone", "--branch", branch, remote.as_uri(), str(workdir))
    git("pull", "--ff-only", cwd=workdir)
    for rel, text in files.items():
        path = workdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        git("add", rel, cwd=workdir)
    git("commit", "-m", message, cwd=workdir)
    git("push", "origin", branch, cwd=workdir)
    return git("rev-parse", "HEAD", cwd=workdir).strip()


# ----- the hub -------------------------------------------------------------------------------
class Hub:
    """JupyterHub (dummy authenticator, simple spawner) with configurable-http-proxy, on 127.0.0.1.

    Parameters
    ----------
    workdir : pathlib.Path
        Holds the hub's config, database and cookie secret, the students' homes
        (``homes/<name>``) and the logs: ``hub.log`` (hub and proxy) and ``logs/<name>.log``
        (each student's single-user server and its kernels).
    spawner_args : sequence of str
        Extra command-line options of every single-user server.
    """

    def __init__(self, workdir: pathlib.Path, spawner_args=()):
        self.workdir = pathlib.Path(workdir)
        self.spawner_args = list(spawner_args)
        self.port, self.hub_port, self.proxy_api_port = harness.free_port(), harness.free_port(), harness.free_port()
        self.proc = None
        self.log_path = self.workdir / "hub.log"
        self.homes, self.logs = self.workdir / "homes", self.workdir / "logs"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        """The jupyterhub_config.py text."""
        singleuser = pathlib.Path(sys.prefix) / "bin" / "jupyterhub-singleuser"
        # Each student's server writes its own log (the TCP_NODELAY line is read from it).
        wrapper = ["/bin/sh", "-c", 'exec "$0" "$@" >>"$ATTN_HUB_LOGS/$JUPYTERHUB_USER.log" 2>&1', str(singleuser)]
        settings = {
            "JupyterHub.ip": "127.0.0.1", "JupyterHub.port": self.port,
            "JupyterHub.hub_ip": "127.0.0.1", "JupyterHub.hub_port": self.hub_port,
            "JupyterHub.authenticator_class": "dummy", "JupyterHub.spawner_class": "simple",
            "Authenticator.allow_all": True,
            "JupyterHub.db_url": f"sqlite:///{self.workdir / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(self.workdir / "cookie_secret"),
            "JupyterHub.pid_file": str(self.workdir / "jupyterhub.pid"),
            "JupyterHub.cleanup_servers": True, "JupyterHub.cleanup_proxy": True,
            "ConfigurableHTTPProxy.command": [find_proxy()],
            "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{self.proxy_api_port}",
            "ConfigurableHTTPProxy.should_start": True,
            "SimpleLocalProcessSpawner.home_dir_template": str(self.homes / "{username}"),
            "Spawner.cmd": wrapper,
            "Spawner.args": ["--allow-root", *self.spawner_args],
            "Spawner.default_url": "/lab",
            "Spawner.start_timeout": 90, "Spawner.http_timeout": 90,
            # Stopping: SIGINT, then SIGTERM, then SIGKILL, a few seconds apart (the default waits 10 s first).
            "LocalProcessSpawner.interrupt_timeout": 3, "LocalProcessSpawner.term_timeout": 3,
            "LocalProcessSpawner.kill_timeout": 3,
            # The servers find git and this environment's programs; Jupyter's config, data and runtime
            # folders (connection files, user settings) are under each student's home.
            "Spawner.env_keep": ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "JUPYTERHUB_SINGLEUSER_APP"],
            "Spawner.environment": {"ATTN_HUB_LOGS": str(self.logs), "PYTHONHASHSEED": "0"},
            "JupyterHub.services": [{"name": "attn-lab-test", "api_token": API_TOKEN}],
            "JupyterHub.load_roles": [{"name": "attn-lab-test",
                                       "scopes": ["admin:users", "admin:servers", "admin:server_state",
                                                  "access:servers", "list:users"],
                                       "services": ["attn-lab-test"]}],
            "JupyterHub.log_level": "INFO",
        }
        lines = ["c = get_config()  # noqa"]
        for key, value in settings.items():
            lines.append(f"c.{key} = {value!r}")
        return "\n".join(lines) + "\n"

    def env(self) -> dict:
        env = dict(os.environ)
        env.pop("JUPYTERHUB_API_TOKEN", None)
        env["CONFIGPROXY_AUTH_TOKEN"] = "attn-lab-proxy-token"
        env["PATH"] = f"{pathlib.Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def prepare_home(self, name: str) -> pathlib.Path:
        """A student's home with the test's JupyterLab user settings (created before the first login)."""
        home = self.homes / name
        for rel, value in STUDENT_LAB_SETTINGS.items():
            path = home / ".jupyter" / "lab" / "user-settings" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value, indent=2))
        return home

    def start(self, timeout: float = 60) -> Hub:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.homes.mkdir(parents=True, exist_ok=True)
        (self.workdir / "jupyterhub_config.py").write_text(self.config())
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(self.workdir / "jupyterhub_config.py")],
                                     stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=self.env(), cwd=self.workdir, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with code {self.proc.returncode}\n" + self.log_tail())
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                if self.api("/hub/api/")["version"]:
                    return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"jupyterhub not ready after {timeout:.0f} s\n" + self.log_tail())

    def api(self, path: str, method: str = "GET", body=None, timeout: float = 30):
        """JSON from the hub (``/hub/api/...``) or, through the proxy, a student's server
        (``/user/<name>/api/...``), with the service token."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {API_TOKEN}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read()
        return json.loads(text) if text else None

    def start_server(self, name: str, timeout: float = 90) -> StudentServer:
        """Create ``name`` if needed, start their server and wait until it answers through the proxy."""
        self.prepare_home(name)
        with contextlib.suppress(urllib.error.HTTPError):      # 409: the user exists already
            self.api(f"/hub/api/users/{name}", method="POST")
        with contextlib.suppress(urllib.error.HTTPError):      # 400: the server is running already
            self.api(f"/hub/api/users/{name}/server", method="POST")
        server = StudentServer(self, name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                if self.api(f"/hub/api/users/{name}")["server"] and server.api("/api/status"):
                    return server
            time.sleep(0.5)
        raise RuntimeError(f"the server of {name} did not start in {timeout:.0f} s\n" + server.log_tail())

    def stop_server(self, name: str):
        with contextlib.suppress(Exception):
            self.api(f"/hub/api/users/{name}/server", method="DELETE")

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").splitlines()
            return f"--- last {lines} lines of {self.log_path} ---\n" + "\n".join(text[-lines:])
        return f"(no log at {self.log_path})"

    def stop(self):
        """Stop the hub, the proxy and every student's server and kernel (all of them started by the hub)."""
        if self.proc is None:
            return
        import psutil
        children = []
        with contextlib.suppress(psutil.Error):
            children = psutil.Process(self.proc.pid).children(recursive=True)
        if self.proc.poll() is None:
            self.proc.terminate()                   # the hub asks the proxy and the servers to stop
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        alive = [c for c in children if c.is_running()]
        for child in alive:                         # servers, kernels or the proxy that outlived the hub
            with contextlib.suppress(psutil.Error):
                child.terminate()
        _, alive = psutil.wait_procs(alive, timeout=5)
        for child in alive:
            with contextlib.suppress(psutil.Error):
                child.kill()
        self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class StudentServer:
    """One student's single-user server, reached through the hub's proxy.

    It has what ``jupyter_harness``'s helpers use from a ``Server``: ``api()``, ``base_url``,
    ``log_path``, ``connection_file()`` and ``log_tail()``.
    """

    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        self.kind = f"single-user server of {name}"
        self.log_path = hub.logs / f"{name}.log"
        self.home = hub.homes / name

    @property
    def base_url(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def api(self, path: str, method: str = "GET", body=None):
        return self.hub.api(f"/user/{self.name}{path}", method=method, body=body)

    def kernels(self) -> list[dict]:
        return self.api("/api/kernels")

    def connection_file(self, kernel_id: str) -> pathlib.Path:
        found = list(self.home.glob(f"**/kernel-{kernel_id}.json"))
        if not found:
            raise FileNotFoundError(f"no connection file of kernel {kernel_id} under {self.home}")
        return found[0]

    def pid(self) -> int | None:
        """The process id of the single-user server: from the hub's API, else the hub's child
        process whose environment names this student."""
        with contextlib.suppress(Exception):
            return int(self.hub.api(f"/hub/api/users/{self.name}")["servers"][""]["state"]["pid"])
        with contextlib.suppress(Exception):
            import psutil
            for child in psutil.Process(self.hub.proc.pid).children():
                with contextlib.suppress(psutil.Error):
                    if child.environ().get("JUPYTERHUB_USER") == self.name:
                        return child.pid
        return None

    def nodelay(self) -> list[str]:
        """TCP_NODELAY of each kernel websocket this server opened, as attn_lib_server logged it."""
        from attn_lib_server import LOG_MESSAGE
        pattern = re.escape(LOG_MESSAGE).replace("%s", r"(\w+)")
        with contextlib.suppress(OSError):
            return re.findall(pattern, self.log_path.read_text(errors="replace"))
        return []

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").splitlines()
            return f"--- last {lines} lines of {self.log_path} ---\n" + "\n".join(text[-lines:])
        return f"(no log at {self.log_path})"


# ----- a student in the browser --------------------------------------------------------------
def login(page, hub: Hub, name: str, password: str = "any password", timeout: float = 30):
    """Fill the hub's login form (the page must show it): the dummy authenticator takes any password."""
    page.wait_for_selector("input[name=username]", timeout=timeout * 1000)
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("#login_submit, input[type=submit], button[type=submit]")


def current_path(page) -> str | None:
    """The path of JupyterLab's current document (the server runs with ``expose_app_in_browser``)."""
    return page.evaluate("""() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                                   return w && w.context ? w.context.path : null; }""")


def wait_notebook_open(page, path: str, timeout: float = 120):
    """Until JupyterLab shows the notebook ``path`` (relative to the server's root) as the current
    document, with its cells in the page. Needs servers started with ``--LabApp.expose_app_in_browser=True``."""
    page.wait_for_url(re.compile(r"^https?://[^/]+/user/[^/?]+/lab(/workspaces/[^/?]+)?/tree/" + re.escape(path)),
                      timeout=timeout * 1000)
    page.wait_for_function("""path => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                                        return !!(w && w.context && w.context.path === path); }""",
                           arg=path, timeout=timeout * 1000, polling=250)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell", timeout=timeout * 1000)
