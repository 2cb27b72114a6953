"""Tests for attn_lib.environment: the report behind the first notebook's environment check."""

import sys

import pytest

from attn_lib import environment
from attn_lib.environment import REQUIREMENTS, Requirement, check_requirement, report


def _only(requirement):
    """The one Check a single-requirement report holds."""
    (result,) = report([requirement]).checks
    return result


def _module(tmp_path, monkeypatch, name, source):
    """Make an importable module ``name`` with ``source``; forget it after the test."""
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


@pytest.fixture(autouse=True)
def _forget_fake_modules():
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("fake_course_pkg"):
            del sys.modules[name]


def test_report_shows_every_package_with_its_version():
    result = report()
    text = str(result)
    assert text == repr(result)
    for requirement in REQUIREMENTS:
        assert requirement.name in text
    for c in result.checks:
        if c.version is not None:
            assert c.version in text
    assert sys.executable in text


def test_this_environment_passes():
    result = report()
    assert result.ok and bool(result), str(result)
    assert result.problems == []
    assert "All good" in str(result)
    assert "PROBLEM" not in str(result)


def test_missing_package_is_reported_not_raised(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)          # makes "import matplotlib" fail
    result = report()
    (matplotlib,) = [c for c in result.checks if c.requirement.name == "matplotlib"]
    assert matplotlib.version is None and not matplotlib.ok
    assert "not installed" in matplotlib.verdict
    assert not result.ok and not bool(result)
    text = str(result)
    assert "1 problem found" in text
    assert "matplotlib: install the course's packages" in text
    assert environment.INSTALL in text
    assert "All good" not in text


def test_missing_optional_package_is_not_a_problem():
    ghost = Requirement("ghost", "fake_course_pkg_not_there", required=False, import_it=False,
                        if_missing="fine here")
    result = report([ghost])
    assert result.ok
    assert result.checks[0].version is None
    assert "not installed; fine here" in str(result)


def test_missing_attn_lib_says_how_to_install_it():
    result = report([Requirement("attn_lib", "fake_course_pkg_attn_lib")])
    assert not result.ok
    assert "attn_lib: install the course's packages, which include attn_lib" in str(result)
    assert environment.INSTALL in str(result)


@pytest.mark.parametrize("name, module", [("Python", None), ("numpy", "numpy"), ("ipywidgets", "ipywidgets")])
def test_verdict_flips_when_a_version_is_too_old(name, module):
    new_enough = report([Requirement(name, module, (1, 0))])
    too_old = report([Requirement(name, module, (999, 0))])
    assert new_enough.ok and "All good" in str(new_enough)
    assert not too_old.ok
    (c,) = too_old.problems
    assert c.verdict == "PROBLEM: too old (needs 999.0 or newer)"
    assert c.fix
    if name == "ipywidgets":
        assert "restart JupyterLab" in c.fix


def test_verdict_flips_when_python_requirement_fails():
    requirements = [Requirement("Python", None, (99, 0)) if r.name == "Python" else r for r in REQUIREMENTS]
    result = report(requirements)
    assert [c.requirement.name for c in result.problems] == ["Python"]
    assert "Kernel > Change Kernel" in str(result)


def test_broken_package_is_reported_not_raised(tmp_path, monkeypatch):
    name = _module(tmp_path, monkeypatch, "fake_course_pkg_broken", "raise RuntimeError('half installed')\n")
    c = _only(Requirement("broken", name))
    assert not c.ok and c.version is None
    assert "cannot be imported (RuntimeError: half installed)" in c.verdict


def test_missing_dependency_is_not_called_missing_package(tmp_path, monkeypatch):
    name = _module(tmp_path, monkeypatch, "fake_course_pkg_needs_dep", "import fake_course_pkg_dep_gone\n")
    c = _only(Requirement("needs_dep", name))
    assert not c.ok
    assert "missing its dependency 'fake_course_pkg_dep_gone'" in c.verdict


def test_unknown_version_is_accepted(tmp_path, monkeypatch):
    name = _module(tmp_path, monkeypatch, "fake_course_pkg_noversion", "x = 1\n")
    c = check_requirement(Requirement("noversion", name, (1, 0)))
    assert c.ok and c.version == "unknown"
    assert "version unknown" in c.verdict


def test_version_found_without_importing():
    c = check_requirement(Requirement("numpy", "numpy", (1, 0), import_it=False))
    assert c.ok and c.version and c.version[0].isdigit()


@pytest.mark.parametrize("text, expected", [("2.4.6", (2, 4, 6)), ("1.26.0rc1", (1, 26, 0)),
                                            ("8", (8,)), ("dev", None)])
def test_version_tuple(text, expected):
    assert environment._version_tuple(text) == expected


# ----- the course version against the installed attn_lib (issue 15: a pulled course on an old image) -----
def _course(tmp_path, version, name="attn_lib"):
    """A course folder: a pyproject.toml of ``name`` at ``version`` and a notebooks/ folder; returns notebooks/."""
    (tmp_path / "pyproject.toml").write_text(
        f'[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "{name}"\nversion = "{version}"\n'
        f'dependencies = ["numpy"]\n\n[tool.other]\nversion = "0.0.0"\n')
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    return notebooks


def test_course_version_is_read_from_the_checkout_the_notebooks_sit_in(tmp_path):
    notebooks = _course(tmp_path, "7.3.1")
    assert environment.course_version(notebooks) == ("7.3.1", tmp_path.resolve())
    assert environment.course_version(tmp_path) == ("7.3.1", tmp_path.resolve())


def test_course_version_of_this_repository_is_the_installed_one():
    import attn_lib
    root = environment.pathlib.Path(__file__).resolve().parent.parent
    version, folder = environment.course_version(root / "notebooks")
    assert folder == root and version == attn_lib.__version__


def test_other_projects_and_loose_notebooks_have_no_course_version(tmp_path):
    assert environment.course_version(_course(tmp_path, "7.3.1", name="someone-else")) is None
    loose = tmp_path / "loose"
    loose.mkdir()
    assert environment.check_course_version(loose) is None


def test_notebooks_from_another_version_are_a_problem_that_says_how_to_fix_it(tmp_path):
    import attn_lib
    notebooks = _course(tmp_path, "9.9.0")
    result = report(course_folder=notebooks)
    assert not result.ok
    (problem,) = result.problems
    assert problem.requirement.name == "course version"
    assert problem.verdict == f"PROBLEM: notebooks 9.9.0, attn_lib {attn_lib.__version__}"
    text = str(result)
    assert "1 problem found" in text
    assert environment.INSTALL in text
    assert "git+https://github.com/self-attention-lab/self-attention-lab@v9.9.0" in text
    assert f"pull the tag v{attn_lib.__version__}" in text


def test_notebooks_of_the_installed_version_add_nothing(tmp_path):
    import attn_lib
    notebooks = _course(tmp_path, attn_lib.__version__)
    result = report(course_folder=notebooks)
    assert result.ok, str(result)
    assert "course version" not in str(result)
    assert environment.check_course_version(notebooks) is None


def test_the_version_check_follows_the_kernels_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(_course(tmp_path, "0.0.1"))
    assert [c.requirement.name for c in report().problems] == ["course version"]
