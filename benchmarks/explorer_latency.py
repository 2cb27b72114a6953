"""How long a learner waits: from an input event to the repaint of every live view, in a real browser.

Usage (from the repository root)::

    python benchmarks/explorer_latency.py            # 80 samples per configuration (about 6 minutes)
    python benchmarks/explorer_latency.py --quick    # 25 samples, no course notebooks (about 1 minute)
    python benchmarks/explorer_latency.py --samples 100 --no-course

It starts JupyterLab on 127.0.0.1 (the same harness as tests/browser), opens a generated
notebook in headless Chromium, runs it, and then, for each configuration, sends one input at a
time the way a learner does (a key press on a focused slider handle, or Enter in a weight cell)
and times it INSIDE the page:

* start: the input event's ``timeStamp``, recorded by a capturing ``keydown`` (or, for a click,
  ``pointerdown``) listener;
* end: a MutationObserver on the widget sees the view's new ``data-version`` (for the naive
  version: a new ``<img>``), then one ``requestAnimationFrame`` and a message-channel tick,
  i.e. after the frame with the new view has been painted.

Each input waits for its repaint, and inputs are at least ``--spacing`` ms apart, so every
sample is one complete round trip (browser -> kernel -> browser -> paint). Configurations:

* explorer, 6 tokens ("The cat sat on the mat"), temperature slider (keyboard);
* explorer, 6 tokens, a W_Q weight cell edited (Enter commits);
* explorer, 32 tokens, temperature slider;
* naive: an ipywidgets slider whose callback redraws a 6x6 matplotlib heatmap (imshow plus
  annotations) into an ``ipywidgets.Output`` with ``clear_output(wait=True)`` and ``plt.show()``;
* (unless ``--no-course`` or ``--quick``) every other live view with a ``data-version`` in the
  course notebooks (notebooks/*.ipynb, run in a copy), driven by its first slider, or by clicks
  on its first checkbox when it has no slider.

It prints a table (n, p50, p90, max in ms, and how often a long animation frame (> 50 ms) fell
within a sample), the targets beside the numbers (p50 <= 50 ms and p90 <= 100 ms for the
explorer at 6 tokens and for every course view, p90 <= 100 ms at 32 tokens (what a learner sees after typing a sentence of their own); reported, never
asserted), whether the server sends with TCP_NODELAY, where the time of one repaint goes (kernel compute, HTML size, DOM update), and the
kernel's memory before and after bursts of 200 fast events. Nothing here is a test; the
numbers depend on the machine and on what else runs on it (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import jupyter_harness as harness  # noqa: E402

SENTENCE_6 = "The cat sat on the mat"
SENTENCE_32 = ("The cat sat on the mat . The dog slept on the rug by the river . "
               "She paid money at the bank . A fish walked by the water . I")

BENCH_CELLS = [
    "%matplotlib inline\nimport attn_lib as al\nimport ipywidgets as widgets\nimport numpy as np",
    f"ex6 = al.AttentionExplorer({SENTENCE_6!r})\nex6.add_class('bench-ex6')\nex6",
    f"ex32 = al.AttentionExplorer({SENTENCE_32!r})\nex32.add_class('bench-ex32')\n"
    "assert len(ex32.tokens) == 32, len(ex32.tokens)\nex32",
    # Timestamps in the kernel (epoch ms) per repaint, to split the latency into its parts:
    # when render_html starts (the comm message has arrived and state() is done) and when the
    # control's observers have all run (the new view has been handed to the comm).
    """import time as _time

bench_stamps = {}


def _instrument(ex, key):
    original = ex.render_html

    def render_html(s):
        bench_stamps.setdefault(key, {})[ex.version] = [_time.time() * 1000]
        return original(s)

    def sent(change):
        if ex.version in bench_stamps.get(key, {}):
            bench_stamps[key][ex.version].append(_time.time() * 1000)

    ex.render_html = render_html                   # an instance attribute: refresh() calls it
    for control in [ex.temperature_slider] + [c for grid in ex.cells.values() for row in grid for c in row]:
        control.observe(sent, names="value")       # runs after the explorer's own observer


_instrument(ex6, "ex6")
_instrument(ex32, "ex32")""",
    # The naive way: redraw a matplotlib heatmap into an Output widget on every change.
    """import matplotlib.pyplot as plt

naive_state = ex6.state()                      # the same Q and K as the explorer at 6 tokens
naive_tokens = naive_state["tokens"]
naive_slider = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.01,
                                      description="Temperature", continuous_update=True)
naive_out = widgets.Output()
naive_draws = 0


def naive_draw(change=None):
    global naive_draws
    _, w = al.attention(naive_state["Q"], naive_state["K"], naive_state["V"],
                        temperature=naive_slider.value)
    with naive_out:
        naive_out.clear_output(wait=True)
        fig, ax = plt.subplots(figsize=(5, 4))
        ax.imshow(w, cmap="cividis", vmin=0, vmax=1)
        for i in range(len(naive_tokens)):
            for j in range(len(naive_tokens)):
                ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center",
                        color="black" if w[i, j] > 0.5 else "white")
        ax.set_xticks(range(len(naive_tokens)), naive_tokens)
        ax.set_yticks(range(len(naive_tokens)), naive_tokens)
        ax.set_title(f"temperature {naive_slider.value:.2f}")
        plt.show()
    naive_draws += 1


naive_slider.observe(naive_draw, names="value")
naive_draw()
naive = widgets.VBox([naive_slider, naive_out])
naive.add_class("bench-naive")
naive""",
]

# Installed once per page: arms a MutationObserver on one widget and times the next input.
INSTRUMENT_JS = """() => {
    if (window.__bench) return;
    const B = window.__bench = {armed: false, t0: null, sample: null, observer: null};
    // Long animation frames (> 50 ms: the page could not paint in time), with the time scripts
    // spent forcing style and layout in them.
    B.frames = [];
    try {
        new PerformanceObserver(list => { for (const f of list.getEntries()) B.frames.push({
            start: f.startTime, end: f.startTime + f.duration, duration: f.duration,
            forced: f.scripts.reduce((a, s) => a + (s.forcedStyleAndLayoutDuration || 0), 0)}); })
            .observe({type: 'long-animation-frame'});
    } catch (e) { B.frames = null; }              // a browser without the API: no frame column
    const start = e => { if (B.armed && B.t0 === null) B.t0 = e.timeStamp; };
    for (const type of ['keydown', 'pointerdown', 'change']) window.addEventListener(type, start, true);
    B.arm = (rootSel, mode) => {
        const root = document.querySelector(rootSel);
        const marker = () => {
            if (mode === 'img') { const img = root.querySelector('img'); return img ? img.src : null; }
            const v = root.querySelector('[data-version]');
            return v ? Number(v.getAttribute('data-version')) : null;
        };
        const start = marker();
        B.t0 = null; B.sample = null; B.armed = true;
        if (B.observer) B.observer.disconnect();
        B.observer = new MutationObserver(() => {
            if (!B.armed || B.t0 === null) return;
            const now = marker();
            const changed = mode === 'img' ? (now !== null && now !== start) : (now !== null && now > start);
            if (!changed) return;
            const tDom = performance.now();
            B.armed = false;
            B.observer.disconnect();
            requestAnimationFrame(() => {
                const tRaf = performance.now();
                const ch = new MessageChannel();          // runs after the frame is painted
                ch.port1.onmessage = () => {
                    const origin = performance.timeOrigin;
                    B.sample = {t0: B.t0, dom: tDom - B.t0, raf: tRaf - B.t0, paint: performance.now() - B.t0,
                                version: mode === 'img' ? null : marker(),
                                input_epoch: origin + B.t0, dom_epoch: origin + tDom,
                                paint_epoch: origin + performance.now()};
                };
                ch.port2.postMessage(null);
            });
        });
        B.observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
        return start;
    };
}"""

# One DOM update of a view, timed in the page: replace its HTML with the same HTML and force
# style and layout, as a repaint does (median of 15, after 3 not counted).
DOM_UPDATE_JS = """rootSel => {
    const content = document.querySelector(rootSel + ' .widget-html-content .attn-explorer').parentNode;
    const html = content.innerHTML;
    const times = [];
    for (let i = 0; i < 18; i++) {
        const t = performance.now();
        content.innerHTML = html;
        document.body.offsetHeight;                     // forces style and layout now
        if (i >= 3) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return {bytes: html.length, ms: times[Math.floor(times.length / 2)]};
}"""

TARGETS = {
    "explorer 6 tokens, temperature slider": {"p50": 50, "p90": 100},
    "explorer 6 tokens, weight cell edit": {"p50": 50, "p90": 100},
    "explorer 32 tokens, temperature slider": {"p90": 100},
}


# Every other live view of the course, at the sizes its notebook uses: the explorer's 6-token targets.
COURSE_VIEW_TARGETS = {"p50": 50, "p90": 100}


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Timer:
    """Times inputs on one page, one at a time, each at least ``spacing_ms`` after the previous."""

    def __init__(self, page, spacing_ms):
        self.page, self.spacing = page, spacing_ms / 1000
        page.evaluate(INSTRUMENT_JS)

    def once(self, root_sel, mode, act, timeout_ms=10_000):
        started = time.monotonic()
        self.page.evaluate("([s, m]) => window.__bench.arm(s, m)", [root_sel, mode])
        act()
        self.page.wait_for_function("() => window.__bench.sample !== null", timeout=timeout_ms, polling="raf")
        sample = self.page.evaluate("() => window.__bench.sample")
        rest = self.spacing - (time.monotonic() - started)
        if rest > 0:
            self.page.wait_for_timeout(rest * 1000)
        return sample

    def run(self, configs, warmup, samples):
        """Measure configurations ``(root_sel, mode, acts)`` in turn, input by input, so that
        all of them see the same load of the machine; ``acts(i)`` gives the i-th input.

        Returns one list of samples per configuration (dicts; ``paint`` is the latency in ms,
        ``long_frame`` the longest long animation frame during it, 0 when none).
        """
        out = [[] for _ in configs]
        for i in range(warmup + samples):
            for c, (root_sel, mode, acts) in enumerate(configs):
                try:
                    sample = self.once(root_sel, mode, lambda: acts(i))
                except Exception as error:              # a lost repaint is shown, not hidden
                    print(f"    sample {i} of {root_sel}: no repaint ({type(error).__name__})", flush=True)
                    continue
                if i >= warmup:
                    out[c].append(sample)
        self.page.wait_for_timeout(300)                 # the last frames reach the observer
        frames = self.page.evaluate("() => window.__bench.frames")
        for got in out:
            for x in got:
                during = [f for f in frames or [] if f["end"] > x["t0"] and f["start"] < x["t0"] + x["paint"]]
                x["long_frame"] = max((f["duration"] for f in during), default=0.0) if frames is not None else None
                x["forced_layout"] = sum(f["forced"] for f in during)
        return out


def slider_acts(page, handle):
    """Alternate right and left arrows on a focused slider handle (the value stays in range)."""
    def act(i):
        handle.focus()
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
    return act


def cell_acts(cell, values=("3.5", "3")):
    """Type alternately two numbers into a FloatText (not yet sent), then time the Enter."""
    def act(i):
        cell.fill(values[i % 2])
        cell.press("Enter")
    return act


def kernel_rss(probe):
    return probe.json("(lambda: [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')][0])()")


def kernel_compute(probe, name):
    """Median ms in the kernel for one explorer repaint: state(), render_html(), and both."""
    code = (f"import timeit as _t, statistics as _s\n"
            f"_r = lambda f, n=30: _s.median(_t.repeat(f, number=1, repeat=n)) * 1e3\n"
            f"print(_j.dumps({{'state': _r(lambda: {name}.state()), "
            f"'render': _r(lambda: {name}.render_html({name}.state())), "
            f"'html_kb': len({name}.view.value) / 1024}}))")
    return json.loads(probe.run("import json as _j\n" + code))


def fmt(v):
    return f"{v:7.1f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="25 samples per configuration, no course notebooks")
    parser.add_argument("--samples", type=int, default=None, help="samples per configuration (default 80)")
    parser.add_argument("--warmup", type=int, default=5, help="inputs sent before measuring (default 5)")
    parser.add_argument("--spacing", type=float, default=200, help="ms between inputs (default 200)")
    parser.add_argument("--no-course", action="store_true", help="skip the live views of the course notebooks")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, notebooks)")
    parser.add_argument("--without-nodelay", action="store_true",
                        help="disable the attn_lib_server extension: kernel messages wait for Nagle's algorithm, "
                             "as with a plain Jupyter server")
    args = parser.parse_args(argv)
    samples = args.samples or (25 if args.quick else 80)
    course = not (args.quick or args.no_course)

    reason = harness.playwright_missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="attn-latency-"))
    served = harness.copy_notebooks(tmp / "notebooks")
    harness.write_notebook(served / "latency_bench.ipynb", BENCH_CELLS)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {samples} samples per configuration, "
          f"{args.warmup} warm-up, inputs {args.spacing:.0f} ms apart", flush=True)

    results, extra, raw = [], {}, {}
    server = harness.Server("lab", served, tmp / "lab")
    if args.without_nodelay:       # the server's own config dir outranks the environment's
        (tmp / "lab" / "config").mkdir(parents=True, exist_ok=True)
        (tmp / "lab" / "config" / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": {"attn_lib_server": False}}}))
    server.start()
    try:
        with sync_playwright() as pw:
            browser = harness.launch_browser(pw)
            print(f"browser: Chromium {browser.version}, JupyterLab on 127.0.0.1:{server.port}", flush=True)
            nb = harness.NotebookPage(browser, server, "latency_bench.ipynb").open()
            nb.run_all()
            page = nb.page
            for sel in (".bench-ex6 .attn-explorer", ".bench-ex32 .attn-explorer", ".bench-naive img"):
                page.wait_for_selector(sel, timeout=60_000)
            errors = nb.errors()
            if errors:
                print("the benchmark notebook failed:\n" + "\n".join(errors), file=sys.stderr)
                return 1
            timer = Timer(page, args.spacing)
            probe = nb.probe()
            nodelay = harness.kernel_websocket_nodelay(server)
            print("server: kernel websocket " + (f"TCP_NODELAY={nodelay[-1]} (attn_lib_server)" if nodelay else
                  "with Nagle's algorithm (attn_lib_server not loaded)"), flush=True)

            def measure(*configs):
                """Each config is (label, root selector, mode, acts); several are interleaved."""
                print(f"measuring: {' | '.join(c[0] for c in configs)} ...", flush=True)
                t = time.monotonic()
                got = timer.run([c[1:] for c in configs], args.warmup, samples)
                for (label, *_), samples_ in zip(configs, got):
                    results.append((label, samples_))
                    raw[label] = samples_
                print(f"    {sum(map(len, got))} samples in {time.monotonic() - t:.0f} s", flush=True)

            h6 = page.locator(".bench-ex6 .widget-slider .noUi-handle")
            h32 = page.locator(".bench-ex32 .widget-slider .noUi-handle")
            for n_tok, handle in ((6, h6), (32, h32)):
                measure((f"explorer {n_tok} tokens, temperature slider", f".bench-ex{n_tok}", "version",
                         slider_acts(page, handle)))
            cell = page.locator(".bench-ex6 .widget-gridbox:visible input").first      # W_Q, animal, d1
            measure(("explorer 6 tokens, weight cell edit", ".bench-ex6", "version", cell_acts(cell)))
            hn = page.locator(".bench-naive .widget-slider .noUi-handle")
            measure(("naive matplotlib + Output, 6 tokens", ".bench-naive", "img", slider_acts(page, hn)))

            # Where the time of one explorer repaint goes.
            for name, root in (("ex6", ".bench-ex6"), ("ex32", ".bench-ex32")):
                extra[name] = kernel_compute(probe, name) | {"dom": page.evaluate(DOM_UPDATE_JS, root)}
            extra["naive_kernel_ms"] = json.loads(probe.run(
                "import json as _j, timeit as _t, statistics as _s\n"
                "print(_j.dumps(_s.median(_t.repeat(naive_draw, number=1, repeat=10)) * 1e3))"))

            # The parts of each explorer sample, joined on the repaint's version number.
            stamps = probe.json("bench_stamps")
            for label, key in (("explorer 6 tokens, temperature slider", "ex6"),
                               ("explorer 6 tokens, weight cell edit", "ex6"),
                               ("explorer 32 tokens, temperature slider", "ex32")):
                parts = []
                for x in raw.get(label, []):
                    k = stamps.get(key, {}).get(str(x["version"]))
                    if k and len(k) == 2:
                        parts.append((k[0] - x["input_epoch"], k[1] - k[0], x["dom_epoch"] - k[1],
                                      x["raf"] - x["dom"], x["paint"] - x["raf"]))
                extra.setdefault("parts", {})[label] = parts

            # Memory of the kernel across bursts of 200 fast events (10 ms apart).
            probe.run("import gc; gc.collect()")
            rss = [kernel_rss(probe)]
            for _ in range(2):
                h6.focus()
                for i in range(200):
                    page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                    page.wait_for_timeout(10)
                harness.wait_synced(page, lambda: probe.json("ex6.version"), ".bench-ex6 .attn-explorer")
                probe.run("gc.collect()")
                rss.append(kernel_rss(probe))
            extra["rss"] = rss
            extra["versions"] = probe.json("[ex6.version, ex32.version, naive_draws]")
            nb.close()

            if course:
                for path in sorted(harness.NOTEBOOKS.glob("*.ipynb")):
                    if harness.widget_output_cells(path):
                        measure_course(browser, server, path.name, samples, args, results)
            browser.close()
    finally:
        server.stop()
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    report(results, extra, samples)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def measure_course(browser, server, name, samples, args, results):
    """Every live view with a data-version and a slider in one course notebook (not the explorer)."""
    nb = harness.NotebookPage(browser, server, name)
    try:
        nb.open()
        nb.run_all()
        page = nb.page
        harness.wait_widgets_rendered(page, harness.widget_output_cells(harness.NOTEBOOKS / name))
        roots = page.locator(".jp-OutputArea-output > .jupyter-widgets")
        timer = Timer(page, args.spacing)
        for r in range(roots.count()):
            root = roots.nth(r)
            view = root.locator("[data-version]")
            handle = root.locator(".widget-slider .noUi-handle")
            box = root.locator(".widget-checkbox input[type=checkbox]")
            if not view.count() or not (handle.count() or box.count()):
                continue
            classes = view.first.get_attribute("class").split()
            if "attn-explorer" in classes:
                continue                                        # measured above
            css = classes[-1]
            root.evaluate("(r, i) => r.setAttribute('data-bench-root', i)", str(r))
            if handle.count():
                label, acts = f"{name[:2]} {css}, first slider", slider_acts(page, handle.first)
            else:                                               # a click on a checkbox, on and off
                label, acts = f"{name[:2]} {css}, first checkbox", lambda i, box=box.first: box.click()
            print(f"measuring: {label} ...", flush=True)
            got = timer.run([(f"[data-bench-root='{r}']", "version", acts)], args.warmup, samples)[0]
            results.append((label, got))
    except Exception as error:
        print(f"    {name}: skipped ({type(error).__name__}: {str(error)[:200]})", flush=True)
    finally:
        nb.close()


def report(results, extra, samples):
    print()
    print(f"{'configuration':<46} {'n':>4} {'p50':>7} {'p90':>7} {'max':>7} {'long frames':>12}   target (ms)")
    print("-" * 118)
    p50 = {}
    for label, got in results:
        lat = [x["paint"] for x in got]
        if not lat:
            print(f"{label:<46} {0:>4}    (no repaint measured)")
            continue
        a, b = percentile(lat, 0.5), percentile(lat, 0.9)
        p50[label] = a
        long = [x["long_frame"] for x in got if x.get("long_frame") is not None]
        frames = f"{100 * sum(f > 0 for f in long) / len(long):>11.0f}%" if long else f"{'-':>12}"
        target = TARGETS.get(label) or (COURSE_VIEW_TARGETS if label[:2].isdigit() else {})
        notes = []
        if "p50" in target:
            notes.append(f"p50 <= {target['p50']}: {'met' if a <= target['p50'] else 'NOT met'}")
        if "p90" in target:
            notes.append(f"p90 <= {target['p90']}: {'met' if b <= target['p90'] else 'NOT met'}")
        print(f"{label:<46} {len(lat):>4} {fmt(a)} {fmt(b)} {fmt(max(lat))} {frames}   {'; '.join(notes)}")
    print("(long frames: share of samples during which the page had a long animation frame, > 50 ms)")
    naive, ex = p50.get("naive matplotlib + Output, 6 tokens"), p50.get("explorer 6 tokens, temperature slider")
    if naive and ex:
        print(f"\nnaive p50 / explorer p50 (6 tokens, temperature slider): {naive / ex:.1f}x")
    if "ex6" in extra:
        print("\nwhere one explorer repaint goes (medians; the rest of the latency is the comm round trip "
              "browser -> server -> kernel -> server -> browser, ipywidgets' message handling and the paint):")
        print(f"{'':<14} {'kernel state()':>15} {'render_html()':>14} {'HTML size':>10} "
              f"{'DOM update (page: set the HTML, style and layout)':>50}")
        for name, label in (("ex6", "6 tokens"), ("ex32", "32 tokens")):
            e = extra[name]
            print(f"{label:<14} {e['state']:>12.2f} ms {e['render']:>11.2f} ms {e['html_kb']:>7.1f} KB "
                  f"{e['dom']['ms']:>47.1f} ms")
        print(f"naive redraw in the kernel (matplotlib figure + PNG): {extra['naive_kernel_ms']:.1f} ms")
    if extra.get("parts"):
        print("\neach explorer sample split at the kernel's timestamps (medians, ms; browser and kernel share "
              "the machine's clock):")
        print(f"{'configuration':<46} {'n':>4} {'input->kernel':>14} {'kernel':>7} {'kernel->DOM':>12} "
              f"{'DOM->frame':>11} {'frame->painted':>15}")
        for label, parts in extra["parts"].items():
            if parts:
                med = [statistics.median(p[i] for p in parts) for i in range(5)]
                print(f"{label:<46} {len(parts):>4} {med[0]:>14.1f} {med[1]:>7.1f} {med[2]:>12.1f} "
                      f"{med[3]:>11.1f} {med[4]:>15.1f}")
    if "rss" in extra:
        r = extra["rss"]
        print(f"\nkernel memory (VmRSS): {r[0] / 1024:.1f} MB before, {r[1] / 1024:.1f} MB after 200 fast events, "
              f"{r[2] / 1024:.1f} MB after 400 (change over the second 200: {(r[2] - r[1]) / 1024:+.1f} MB)")
        print(f"repaints counted by the kernel (ex6, ex32, naive): {extra['versions']}")


if __name__ == "__main__":
    sys.exit(main())
