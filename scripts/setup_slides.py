"""Install reveal.js's style sheets and jQuery next to the slide deck: the live slides need no network.

Usage::

    python scripts/setup_slides.py            # once, on the teacher's machine (needs npm)
    python scripts/setup_slides.py --check    # says whether it is there; exit code 1 if not

Voila's reveal template (``voila --template=reveal``, see scripts/present_slides.py) bundles the
reveal.js *script* but takes reveal.js's *style sheets* from ``resources.reveal.url_prefix`` (by
default unpkg.com) and jQuery from ``HTMLExporter.jquery_url`` (by default cdnjs.cloudflare.com),
which a class room without network cannot reach. This script runs ::

    npm install --prefix docs/teaching/slides/.reveal reveal.js@6.0.1 jquery@3.7.1

The folder is git-ignored and served by Voila itself (``/voila/files/.reveal/...``).
``REVEAL_VERSION`` is the reveal.js that Voila 0.5.13 bundles (6.0.1), so the style sheets
match the script that lays the slides out.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SLIDES_DIR = ROOT / "docs" / "teaching" / "slides"
REVEAL_PREFIX = SLIDES_DIR / ".reveal"                 # npm's --prefix (git-ignored)
REVEAL_VERSION = "6.0.1"
JQUERY_VERSION = "3.7.1"
REVEAL_PACKAGE = REVEAL_PREFIX / "node_modules" / "reveal.js"
# Paths Voila must serve, relative to the deck's folder (its root_dir), and their URL.
REVEAL_RELATIVE = REVEAL_PACKAGE.relative_to(SLIDES_DIR).as_posix()
JQUERY_RELATIVE = "../jquery/dist/jquery.min.js"           # relative to REVEAL_PACKAGE
REQUIRED_FILES = ("dist/reveal.css", "dist/theme/white.css", JQUERY_RELATIVE)


def reveal_missing_reason(package: pathlib.Path = REVEAL_PACKAGE) -> str | None:
    """Why the local reveal.js cannot be used, or None when its style sheets are in place."""
    missing = [name for name in REQUIRED_FILES if not (package / name).is_file()]
    if missing:
        return (f"reveal.js is not installed locally ({(package / missing[0]).resolve()} is missing): "
                "run python scripts/setup_slides.py")
    return None


def npm_command(prefix: pathlib.Path = REVEAL_PREFIX, version: str = REVEAL_VERSION) -> list[str]:
    """The npm command that installs reveal.js and jQuery into ``prefix/node_modules/``."""
    return ["npm", "install", "--prefix", str(prefix), f"reveal.js@{version}", f"jquery@{JQUERY_VERSION}",
            "--no-audit", "--no-fund", "--no-save", "--ignore-scripts"]


def install(prefix: pathlib.Path = REVEAL_PREFIX, version: str = REVEAL_VERSION) -> pathlib.Path:
    """Run npm; returns the reveal.js folder. Raises RuntimeError when npm is missing or fails."""
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not installed (Debian/Ubuntu: apt-get install npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(npm_command(prefix, version), check=True)
    package = prefix / "node_modules" / "reveal.js"
    reason = reveal_missing_reason(package)
    if reason is not None:
        raise RuntimeError(reason)
    return package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that reveal.js is installed")
    args = parser.parse_args(argv)
    if args.check:
        reason = reveal_missing_reason()
        print(reason or f"reveal.js is installed in {REVEAL_PACKAGE}")
        return 1 if reason else 0
    try:
        package = install()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"setup_slides: {error}", file=sys.stderr)
        return 1
    print(f"reveal.js {REVEAL_VERSION} installed in {package}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
