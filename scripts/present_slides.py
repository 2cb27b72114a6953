"""Show the live slide deck with Voila's reveal.js template: the views can be dragged on the projector.

Usage::

    python scripts/setup_slides.py                      # once: reveal.js's style sheets, locally
    python scripts/present_slides.py                    # the 90-minute deck, opens the browser
    python scripts/present_slides.py path/to/deck.ipynb --port 8877 --no-browser

Voila runs the deck's notebook in a fresh kernel and shows it as reveal.js slides; the
ipywidgets views (ScoreSliders, AttentionExplorer, MaskEditor, HeadViewer) are live. Nothing
is fetched from the internet except Font Awesome's style sheets, which Voila's template names
but does not need (its icons are bundled). reveal.js's style sheets and jQuery are served by Voila from
``<deck folder>/.reveal/`` (see scripts/setup_slides.py), so the deck must sit in
docs/teaching/slides/ or have that folder beside it. Stop with Ctrl+C.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from setup_slides import REVEAL_RELATIVE, SLIDES_DIR, reveal_missing_reason

NODE_MODULES = REVEAL_RELATIVE.rsplit("/", 1)[0]               # .reveal/node_modules

DEFAULT_DECK = SLIDES_DIR / "attention_90min.ipynb"
# Voila serves files of the deck's folder under /voila/files/ when they match file_allowlist.
REVEAL_URL = f"/voila/files/{REVEAL_RELATIVE}"
JQUERY_URL = f"/voila/files/{NODE_MODULES}/jquery/dist/jquery.min.js"
FILE_ALLOWLIST = [r".*\.(png|jpg|gif|svg)",                      # Voila's default: images
                  re.escape(REVEAL_RELATIVE) + "/dist/.*",
                  re.escape(f"{NODE_MODULES}/jquery/dist/jquery.min.js")]


def reveal_resources() -> dict:
    """Voila's ``resources.reveal``: local style sheets, the deck's RISE settings (theme, no
    transition, scroll inside tall slides)."""
    return {"reveal": {"url_prefix": REVEAL_URL, "theme": "white", "transition": "none", "scroll": True}}


def reveal_options() -> list[str]:
    """The options of ``voila <deck>`` that show it as reveal.js slides with local reveal.js and jQuery."""
    return ["--template=reveal",
            # A Python literal: traitlets reads dicts with ast.literal_eval (JSON's true would fail).
            f"--VoilaConfiguration.resources={reveal_resources()!r}",
            f"--VoilaConfiguration.file_allowlist={FILE_ALLOWLIST!r}",
            f"--VoilaExporter.jquery_url={JQUERY_URL}"]


def voila_arguments(port: int = 8866, open_browser: bool = True, ip: str = "127.0.0.1") -> list[str]:
    """``reveal_options()`` plus the address to listen on and whether to open a browser tab."""
    return [*reveal_options(), f"--port={port}", f"--Voila.ip={ip}",
            "--Voila.open_browser=True" if open_browser else "--no-browser"]


def voila_command(deck: pathlib.Path = DEFAULT_DECK, port: int = 8866, open_browser: bool = True,
                  ip: str = "127.0.0.1") -> list[str]:
    return [sys.executable, "-m", "voila", str(deck), *voila_arguments(port, open_browser, ip)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deck", nargs="?", type=pathlib.Path, default=DEFAULT_DECK,
                        help="the slide notebook (default: docs/teaching/slides/attention_90min.ipynb)")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    args = parser.parse_args(argv)
    deck = args.deck.resolve()
    if not deck.is_file():
        parser.error(f"deck must be a notebook file; got {args.deck}")
    reason = reveal_missing_reason(deck.parent / REVEAL_RELATIVE)
    if reason is not None:
        print(f"present_slides: {reason}", file=sys.stderr)
        return 1
    print(f"Slides on http://{args.ip}:{args.port}/  (Ctrl+C stops)")
    try:
        return subprocess.call(voila_command(deck, args.port, not args.no_browser, args.ip))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
