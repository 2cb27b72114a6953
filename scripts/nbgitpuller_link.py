"""Print the nbgitpuller link that pulls the course into a student's server and opens notebook 00.

Usage::

    python scripts/nbgitpuller_link.py https://hub.example.edu
    python scripts/nbgitpuller_link.py https://hub.example.edu --branch v0.1.0
    python scripts/nbgitpuller_link.py --binder your-name/course-environment/main

A student who clicks the link logs in to the hub (if they are not logged in yet), their server
starts, nbgitpuller clones the course into ``<folder>/`` in their home (or, on a later click,
merges the course's new commits into it, keeping their own changes), and JupyterLab opens
``<folder>/notebooks/00_start_here.ipynb``. See docs/teaching/jupyterhub.md.

With ``--binder OWNER/REPO/REF`` the link is for mybinder.org: OWNER/REPO is an *environment
repository* (its binder/ folder installs the packages), and the course is pulled into it on
launch, so changing the course does not rebuild the image.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote, urlencode

COURSE_REPO = "https://github.com/self-attention-lab/self-attention-lab"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"


def target_folder(repo: str) -> str:
    """The folder nbgitpuller clones ``repo`` into when the link names none: its last path part."""
    return repo.rstrip("/").split("/")[-1]


def git_pull_query(repo: str = COURSE_REPO, branch: str = "main", notebook: str = START_NOTEBOOK,
                   targetpath: str | None = None, ui: str = "lab") -> str:
    """The query of nbgitpuller's ``git-pull`` endpoint: ``repo``, ``branch``, ``urlpath`` (and ``targetpath``).

    Parameters
    ----------
    repo : str
        The course's git URL (``https://...``, or ``file:///...`` for a local bare repository).
    branch : str
        A branch or a tag of ``repo`` (a tag pins the course's version).
    notebook : str
        The notebook to open, relative to the repository's root.
    targetpath : str, optional
        The folder in the student's home; default nbgitpuller's, :func:`target_folder`.
    ui : {"lab", "tree"}
        ``lab`` opens JupyterLab, ``tree`` Notebook 7.
    """
    if ui not in ("lab", "tree"):
        raise ValueError(f"ui must be 'lab' or 'tree'; got {ui!r}")
    folder = targetpath or target_folder(repo)
    urlpath = f"lab/tree/{folder}/{notebook}" if ui == "lab" else f"tree/{folder}/{notebook}"
    params = {"repo": repo, "branch": branch, "urlpath": urlpath}
    if targetpath:
        params["targetpath"] = targetpath
    return urlencode(params, quote_via=quote, safe="")


def nbgitpuller_link(hub: str, repo: str = COURSE_REPO, branch: str = "main", notebook: str = START_NOTEBOOK,
                     targetpath: str | None = None, ui: str = "lab") -> str:
    """The link for a JupyterHub at ``hub`` (e.g. ``https://hub.example.edu``).

    ``/hub/user-redirect/`` sends each student to their own server (``/user/<name>/``) after login.
    """
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{git_pull_query(repo, branch, notebook, targetpath, ui)}"


def binder_link(environment: str, repo: str = COURSE_REPO, branch: str = "main", notebook: str = START_NOTEBOOK,
                targetpath: str | None = None, ui: str = "lab") -> str:
    """The link for mybinder.org: ``environment`` is ``OWNER/REPO/REF`` of the environment repository."""
    parts = environment.strip("/").split("/")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"environment must be OWNER/REPO/REF; got {environment!r}")
    inner = f"git-pull?{git_pull_query(repo, branch, notebook, targetpath, ui)}"
    return f"https://mybinder.org/v2/gh/{'/'.join(parts)}?urlpath={quote(inner, safe='')}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hub", nargs="?", help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--binder", metavar="OWNER/REPO/REF", help="a mybinder.org environment repository instead")
    parser.add_argument("--repo", default=COURSE_REPO, help=f"the course's git URL (default {COURSE_REPO})")
    parser.add_argument("--branch", default="main", help="branch or tag to pull (default main)")
    parser.add_argument("--notebook", default=START_NOTEBOOK, help=f"notebook to open (default {START_NOTEBOOK})")
    parser.add_argument("--targetpath", default=None, help="folder in the student's home (default: the repo's name)")
    parser.add_argument("--ui", choices=("lab", "tree"), default="lab", help="JupyterLab (lab) or Notebook 7 (tree)")
    args = parser.parse_args(argv)
    if (args.hub is None) == (args.binder is None):
        parser.error("give either a hub address or --binder OWNER/REPO/REF")
    options = {"repo": args.repo, "branch": args.branch, "notebook": args.notebook, "targetpath": args.targetpath,
               "ui": args.ui}
    print(binder_link(args.binder, **options) if args.binder else nbgitpuller_link(args.hub, **options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
