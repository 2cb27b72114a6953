"""A class on one JupyterHub: how long a student waits for a repaint while N classmates drag sliders.

Usage (from the repository root; needs requirements-hub.txt and configurable-http-proxy)::

    python benchmarks/classroom_load.py                      # N = 1, 5, 10, 20 (about 5 minutes)
    python benchmarks/classroom_load.py --students 1 5 --samples 20
    python benchmarks/classroom_load.py --write-docs         # also put the tables in docs/teaching/jupyterhub.md

It starts a JupyterHub 6 on 127.0.0.1 (tests/hub/hub_harness.py: dummy authenticator, simple
spawner, configurable-http-proxy), in this Python environment. For each class size N:

* N - 1 *simulated* students, each with their own single-user server and kernel, reached through
  the hub's proxy like a browser: a websocket client speaking the Jupyter kernel protocol runs
  notebook 02's explorer (``AttentionExplorer("The cat sat on the mat")``) in the kernel, then
  sends the temperature slider's widget updates (``comm_msg`` "update", as the widgets front end
  does) at a human pace, 5 per second each, with at most 5 unanswered. Each update repaints the
  explorer in that kernel and sends the new view back through the proxy.
* 1 *real* student: headless Chromium logged in to the hub with the same explorer open in
  JupyterLab, timing input-to-repaint inside the page as benchmarks/explorer_latency.py does
  (a key press on the slider handle to the painted frame with the new ``data-version``), one input
  every 200 ms.

Per N it reports the real student's p50/p90, the simulated students' own round trips, the
memory (PSS and RSS) of each student's server and of each kernel, and the CPU time that the hub,
the proxy, the servers and the kernels spent per slider event. From these it derives a capacity
table: students per core and per GB at p90 <= 100 ms. Loopback only; every loop is bounded in
events and seconds; the hub and everything it started stop at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import pathlib
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "hub"))
import hub_harness
import jupyter_harness as harness
from explorer_latency import Timer, percentile, slider_acts

SENTENCE = "The cat sat on the mat"
SETUP_CODE = f"""import json as _json
import attn_lib as al
from IPython.display import display
ex = al.AttentionExplorer({SENTENCE!r})
display(ex)
_s = ex.temperature_slider
print(_json.dumps({{"model_id": _s.model_id, "value": _s.value}}))"""
BROWSER_CELLS = ["import attn_lib as al",
                 f"ex = al.AttentionExplorer({SENTENCE!r})\nex.add_class('bench-ex6')\nex"]
BROWSER_NOTEBOOK = "classroom_bench.ipynb"
EVENTS_PER_SECOND = 5.0
MAX_IN_FLIGHT = 5
TARGET_P90_MS = 100.0
DOC = ROOT / "docs" / "teaching" / "jupyterhub.md"
DOC_BEGIN, DOC_END = "<!-- classroom_load: begin -->", "<!-- classroom_load: end -->"


# ----- a simulated student: the kernel protocol over the proxy's websocket ------------------
def _message(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
                       "session": session, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}


class SimulatedStudent:
    """One student's kernel, driven through the hub's proxy by a websocket client (asyncio)."""

    def __init__(self, hub: hub_harness.Hub, name: str):
        self.hub, self.name = hub, name
        self.server = None
        self.kernel_id = None
        self.ws = None
        self.session = uuid.uuid4().hex
        self.pending: dict[str, float] = {}       # msg_id -> time sent, until the kernel is idle again
        self.latencies: list[float] = []
        self.sent = 0
        self.model_id, self.value = None, 1.0
        self._waiters: dict[str, asyncio.Future] = {}
        self._stdout: dict[str, list[str]] = {}

    def start_server(self):
        self.server = self.hub.start_server(self.name)
        self.kernel_id = self.server.api("/api/kernels", method="POST", body={"name": "python3"})["id"]

    async def connect(self):
        import websockets
        url = (f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{self.kernel_id}/channels"
               f"?session_id={self.session}")
        self.ws = await websockets.connect(url, additional_headers={"Authorization": f"token {hub_harness.API_TOKEN}"},
                                           max_size=None, open_timeout=60)
        self._reader = asyncio.ensure_future(self._read())
        reply = await self.execute(SETUP_CODE, timeout=120)
        state = json.loads(reply.strip().splitlines()[-1])
        self.model_id, self.value = state["model_id"], state["value"]

    async def _read(self):
        async for raw in self.ws:
            if isinstance(raw, bytes):
                continue                                   # binary frames carry buffers; none matter here
            msg = json.loads(raw)
            parent = msg.get("parent_header", {}).get("msg_id")
            kind = msg.get("msg_type") or msg["header"]["msg_type"]
            if kind == "stream" and parent in self._stdout:
                self._stdout[parent].append(msg["content"]["text"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle" and parent:
                if parent in self.pending:
                    self.latencies.append((time.monotonic() - self.pending.pop(parent)) * 1000)
                future = self._waiters.pop(parent, None)
                if future is not None and not future.done():
                    future.set_result("".join(self._stdout.pop(parent, [])))

    async def execute(self, code: str, timeout: float = 60) -> str:
        msg = _message("execute_request", {"code": code, "silent": False, "store_history": False,
                                           "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                       self.session)
        msg_id = msg["header"]["msg_id"]
        self._stdout[msg_id] = []
        self._waiters[msg_id] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps(msg))
        return await asyncio.wait_for(self._waiters[msg_id], timeout)

    async def drag(self, stop: threading.Event, seconds: float, max_events: int):
        """Slider updates at EVENTS_PER_SECOND (a random phase) until ``stop``, ``seconds`` or ``max_events``."""
        import random
        period = 1 / EVENTS_PER_SECOND
        await asyncio.sleep(random.uniform(0, period))
        deadline, i = time.monotonic() + seconds, 0
        while not stop.is_set() and time.monotonic() < deadline and i < max_events:
            started = time.monotonic()
            if len(self.pending) < MAX_IN_FLIGHT:
                value = round(self.value * (1.1 if i % 2 == 0 else 1.0), 2)     # alternate: each one repaints
                msg = _message("comm_msg", {"comm_id": self.model_id,
                                            "data": {"method": "update", "state": {"value": value},
                                                     "buffer_paths": []}}, self.session)
                self.pending[msg["header"]["msg_id"]] = time.monotonic()
                await self.ws.send(json.dumps(msg))
                self.sent += 1
                i += 1
            await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))

    async def close(self):
        with contextlib.suppress(Exception):
            await self.ws.close()


class Classroom:
    """The simulated students and an asyncio loop in a thread of their own."""

    def __init__(self, hub):
        self.hub, self.students = hub, []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.stop_event = threading.Event()
        self._drags = None

    def run(self, coroutine, timeout: float = 300):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def grow_to(self, count: int):
        while len(self.students) < count:
            student = SimulatedStudent(self.hub, f"sim{len(self.students) + 1:02d}")
            student.start_server()
            self.run(student.connect())
            self.students.append(student)

    def start_dragging(self, seconds: float, max_events: int):
        self.stop_event.clear()
        for s in self.students:
            s.latencies.clear()
            s.sent = 0

        async def all_drag():
            await asyncio.gather(*(s.drag(self.stop_event, seconds, max_events) for s in self.students))
        self._drags = asyncio.run_coroutine_threadsafe(all_drag(), self.loop)

    def stop_dragging(self, timeout: float = 30):
        self.stop_event.set()
        if self._drags is not None:
            self._drags.result(timeout)
        deadline = time.monotonic() + 10                  # the last answers come in
        while time.monotonic() < deadline and any(s.pending for s in self.students):
            time.sleep(0.1)

    def close(self):
        for s in self.students:
            with contextlib.suppress(Exception):
                self.run(s.close(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


# ----- measuring processes ------------------------------------------------------------------
def _tree(pid):
    import psutil
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def cpu_seconds(pid) -> float:
    """User + system CPU time of a process and all its descendants (the hub: proxy, servers, kernels)."""
    total = 0.0
    for p in _tree(pid):
        with contextlib.suppress(Exception):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def memory_mb(pid) -> dict:
    """PSS and RSS in MB of a process (PSS shares each shared page among the processes that map it)."""
    import psutil
    p = psutil.Process(pid)
    with contextlib.suppress(Exception):
        info = p.memory_full_info()
        return {"pss": info.pss / 2**20, "rss": info.rss / 2**20}
    return {"pss": float("nan"), "rss": p.memory_info().rss / 2**20}


def student_memory(server: hub_harness.StudentServer) -> dict | None:
    """Memory of one student's server and of its kernels."""
    import psutil
    pid = server.pid()
    if pid is None:
        return None
    proc = psutil.Process(pid)
    # The spawner runs /bin/sh -c 'exec jupyterhub-singleuser ...': the pid is the server itself.
    kernels = [c for c in proc.children(recursive=True) if "ipykernel" in " ".join(c.cmdline())]
    return {"server": memory_mb(pid), "kernels": [memory_mb(k.pid) for k in kernels]}


# ----- the real student ---------------------------------------------------------------------
def open_browser_student(browser, hub, name: str):
    """Log ``name`` in, open the explorer notebook in JupyterLab and run it; returns (page, server)."""
    home = hub.prepare_home(name)
    harness.write_notebook(home / BROWSER_NOTEBOOK, BROWSER_CELLS)
    context = harness.new_offline_context(browser)
    page = context.new_page()
    # /hub/user-redirect/ starts the server when it is not running (a plain /user/<name>/ URL would not)
    page.goto(f"{hub.url}/hub/login?next=%2Fhub%2Fuser-redirect%2Flab%2Ftree%2F{BROWSER_NOTEBOOK}", timeout=60_000)
    hub_harness.login(page, hub, name)
    hub_harness.wait_notebook_open(page, BROWSER_NOTEBOOK, timeout=120)
    server = hub_harness.StudentServer(hub, name)
    harness.wait_kernel_ready(page, server, BROWSER_NOTEBOOK, timeout=90)
    harness.run_all(page)
    harness.wait_all_executed(page, timeout=120)
    page.wait_for_selector(".bench-ex6 .attn-explorer", timeout=60_000)
    return page, server


# ----- report ---------------------------------------------------------------------------------
def capacity(rows, per_student_mb: float, cores: int) -> dict:
    """Students per core and per GB at p90 <= TARGET_P90_MS, from the measured rows."""
    met = [r for r in rows if r["p90"] <= TARGET_P90_MS]
    largest = max((r["n"] for r in met), default=0)
    tested = max(r["n"] for r in rows)
    cpu_ms = statistics.median(r["cpu_ms_per_event"] for r in rows if r["cpu_ms_per_event"] == r["cpu_ms_per_event"])
    # CPU alone: one core serves 1000 / (cpu_ms * events per second) students at full use.
    cpu_bound = 1000 / (cpu_ms * EVENTS_PER_SECOND) if cpu_ms > 0 else float("inf")
    return {"largest_n_met": largest, "all_met": largest == tested, "per_core": largest / cores,
            "per_gb": 1024 / per_student_mb if per_student_mb > 0 else float("nan"),
            "cpu_ms_per_event": cpu_ms, "cpu_bound_per_core": cpu_bound}


def markdown(rows, mem, cap, meta) -> str:
    """The measured table, the memory line and the capacity table, in Markdown."""
    intro = (f"Measured on {meta['date']} with `python benchmarks/classroom_load.py` on {meta['machine']} "
             f"({meta['cores']} cores, {meta['ram_gb']:.0f} GB), JupyterHub {meta['hub']}, JupyterLab {meta['lab']}; "
             "the hub, the proxy, every server and kernel, the simulated students and Chromium all share the "
             "machine. Each student drags the explorer's temperature slider at 5 events per second; one of "
             "them is a real browser, which measures input-to-repaint.")
    header = ("| students N | real student p50 (ms) | p90 (ms) | simulated students p50 / p90 (ms) "
              "| events/s | CPU per event (ms) |")
    lines = [intro, "", header, "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        sim = f"{r['sim_p50']:.0f} / {r['sim_p90']:.0f}" if r["sim_n"] else "-"
        lines.append(f"| {r['n']} | {r['p50']:.0f} | {r['p90']:.0f} | {sim} | {r['events_per_s']:.0f} "
                     f"| {r['cpu_ms_per_event']:.1f} |")
    memory = (f"Memory per student (median of {mem['count']} students; PSS, which counts shared pages once): "
              f"server {mem['server_pss']:.0f} MB, kernel with the explorer {mem['kernel_pss']:.0f} MB, "
              f"together **{mem['student_pss']:.0f} MB** (RSS {mem['student_rss']:.0f} MB). "
              f"The hub and the proxy: {mem['hub_pss']:.0f} MB.")
    if cap["all_met"]:
        measured = (f"{cap['per_core']:.1f} or more (p90 stayed under 100 ms up to the largest class tried, "
                    f"N = {cap['largest_n_met']})")
    else:
        measured = f"{cap['per_core']:.1f} (p90 under 100 ms up to N = {cap['largest_n_met']})"
    cpu_row = (f"| per core, if CPU were the only limit ({cap['cpu_ms_per_event']:.1f} ms of CPU "
               f"per event, 5 events/s each) | {cap['cpu_bound_per_core']:.0f} |")
    lines += ["", memory, "", "| capacity at p90 <= 100 ms | students |", "|---|---:|",
              f"| per core, measured | {measured} |", cpu_row,
              f"| per GB of memory (server + kernel, notebook 02) | {cap['per_gb']:.1f} |"]
    return "\n".join(lines)


def write_docs(text: str):
    doc = DOC.read_text()
    if DOC_BEGIN not in doc or DOC_END not in doc:
        raise SystemExit(f"{DOC} has no {DOC_BEGIN} ... {DOC_END} block to replace")
    before, rest = doc.split(DOC_BEGIN, 1)
    _, after = rest.split(DOC_END, 1)
    DOC.write_text(f"{before}{DOC_BEGIN}\n{text}\n{DOC_END}{after}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 5, 10, 20], help="class sizes N (default 1 5 10 20)")
    parser.add_argument("--samples", type=int, default=40, help="browser samples per N (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="browser inputs before measuring (default 5)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of load before measuring (default 3)")
    parser.add_argument("--write-docs", action="store_true", help=f"write the tables into {DOC.relative_to(ROOT)}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.students))
    if sizes[0] < 1 or sizes[-1] > 40:
        parser.error("class sizes must be between 1 and 40 on one machine")

    reason = hub_harness.hub_missing_reason() or harness.playwright_missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    import jupyterhub
    import jupyterlab
    import psutil
    from playwright.sync_api import sync_playwright

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="attn-classroom-"))
    meta = {"date": datetime.date.today().isoformat(), "machine": platform.platform(terse=True),
            "cores": os.cpu_count(), "ram_gb": psutil.virtual_memory().total / 2**30,
            "hub": jupyterhub.__version__, "lab": jupyterlab.__version__}
    print(f"machine: {meta['machine']}, {meta['cores']} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; class sizes {sizes}, {args.samples} browser samples each",
          flush=True)
    hub = hub_harness.Hub(tmp / "hub", spawner_args=["--LabApp.expose_app_in_browser=True"])
    rows, memory = [], []
    hub.start()
    classroom = Classroom(hub)
    try:
        with sync_playwright() as pw:
            browser = harness.launch_browser(pw)
            t = time.monotonic()
            page, real = open_browser_student(browser, hub, "real")
            print(f"real student: JupyterLab through the hub in {time.monotonic() - t:.0f} s", flush=True)
            timer = Timer(page, 1000 / EVENTS_PER_SECOND)
            handle = page.locator(".bench-ex6 .widget-slider .noUi-handle")
            for n in sizes:
                t = time.monotonic()
                classroom.grow_to(n - 1)
                print(f"N={n}: {n - 1} simulated students ready ({time.monotonic() - t:.0f} s); measuring ...",
                      flush=True)
                measure_s = (args.warmup + args.samples) * 0.5 + 60       # a bound, not the expected time
                classroom.start_dragging(seconds=args.settle + measure_s,
                                         max_events=int((args.settle + measure_s) * EVENTS_PER_SECOND))
                time.sleep(args.settle)
                cpu0, wall0 = cpu_seconds(hub.proc.pid), time.monotonic()
                sent0 = sum(s.sent for s in classroom.students)
                (got,) = timer.run([(".bench-ex6", "version", slider_acts(page, handle))], args.warmup, args.samples)
                cpu1, wall1 = cpu_seconds(hub.proc.pid), time.monotonic()
                sent1 = sum(s.sent for s in classroom.students)
                classroom.stop_dragging()
                lat = [x["paint"] for x in got]
                sim = [v for s in classroom.students for v in s.latencies]
                events = (sent1 - sent0) + args.warmup + args.samples
                row = {"n": n, "p50": percentile(lat, 0.5), "p90": percentile(lat, 0.9), "samples": len(lat),
                       "sim_n": len(sim), "sim_p50": percentile(sim, 0.5), "sim_p90": percentile(sim, 0.9),
                       "events_per_s": events / (wall1 - wall0),
                       "cpu_ms_per_event": (cpu1 - cpu0) * 1000 / events if events else float("nan"),
                       "lost": args.samples - len(got),
                       "load": os.getloadavg()[0]}
                rows.append(row)
                print(f"N={n}: real p50 {row['p50']:.0f} ms, p90 {row['p90']:.0f} ms ({row['samples']} samples); "
                      f"simulated p50 {row['sim_p50']:.0f} p90 {row['sim_p90']:.0f} ms ({row['sim_n']} events); "
                      f"{row['events_per_s']:.0f} events/s, {row['cpu_ms_per_event']:.1f} ms CPU per event, "
                      f"load {row['load']:.1f}", flush=True)
            for server in [real] + [s.server for s in classroom.students]:
                with contextlib.suppress(Exception):
                    m = student_memory(server)
                    if m and m["kernels"]:
                        memory.append(m)
            browser.close()
        hub_pss = memory_mb(hub.proc.pid)["pss"] + sum(memory_mb(p.pid)["pss"] for p in psutil.Process(hub.proc.pid).children()
                                                       if "configurable-http-proxy" in " ".join(p.cmdline()))
    finally:
        classroom.close()
        hub.stop()
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    med = statistics.median
    mem = {"count": len(memory),
           "server_pss": med(m["server"]["pss"] for m in memory),
           "kernel_pss": med(sum(k["pss"] for k in m["kernels"]) for m in memory),
           "student_pss": med(m["server"]["pss"] + sum(k["pss"] for k in m["kernels"]) for m in memory),
           "student_rss": med(m["server"]["rss"] + sum(k["rss"] for k in m["kernels"]) for m in memory),
           "hub_pss": hub_pss}
    cap = capacity(rows, mem["student_pss"], meta["cores"])
    text = markdown(rows, mem, cap, meta)
    print()
    print(text)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.write_docs:
        write_docs(text)
        print(f"written into {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
