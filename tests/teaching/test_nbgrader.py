"""The nbgrader edition: scripts/nbgrader_export.py, then nbgrader's own round trip.

The export is checked on every notebook (no nbgrader needed). The round trip exports notebooks 00
and 05 to a temporary course, runs ``nbgrader generate_assignment``, hands in three submissions
(solved, untouched, half solved) and runs ``nbgrader autograde``; the gradebook must give full
marks, 0 and exactly the points of the solved half. nbgrader is an optional extra
(requirements-teach.txt, Python >= 3.11): without it the round trip skips, saying why, unless
ATTN_LAB_REQUIRE_EXTRAS=1 (CI), where that is a failure.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

pytestmark = pytest.mark.teach

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import nbgrader_export

REQUIRE_ENV = "ATTN_LAB_REQUIRE_EXTRAS"
ASSIGNMENTS = ["00_start_here", "05_masks_gpt_vs_bert"]
STUDENTS = ("solved", "untouched", "half")


def require_extra(name: str, why: str):
    """Import an optional classroom extra, or skip saying why (fail when ATTN_LAB_REQUIRE_EXTRAS=1)."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{name} is required here ({REQUIRE_ENV}=1) but cannot be imported: {error}. {why}",
                        pytrace=False)
        pytest.skip(f"{name} is not installed: {why}")


def graded_cells(notebook, kind: str) -> list:
    """The cells of an nbgrader notebook that are solution cells (``kind="solution"``) or tests."""
    key = "solution" if kind == "solution" else "grade"
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get(key)]


# ----- the export, on every notebook -------------------------------------------------------------
@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("nbgrader_export")
    names = nbgrader_export.export(outdir, nbgrader_export.select(None))
    return outdir, names


def test_every_notebook_with_exercises_becomes_an_assignment(exported):
    outdir, names = exported
    with_solutions = [p.stem for p in nbgrader_export.select(None)
                      if any(nbgrader_export.is_solution(c) for c in nbformat.read(p, as_version=4).cells)]
    assert names == with_solutions and len(names) >= 2
    assert (outdir / "nbgrader_config.py").read_text().count("course_id") == 1
    for name in names:
        assert (outdir / "source" / name / f"{name}.ipynb").is_file()


def test_each_solution_becomes_a_marked_solution_cell_and_a_checker_test(exported):
    outdir, names = exported
    for name in names:
        learner = nbformat.read(nbgrader_export.NOTEBOOKS / f"{name}.ipynb", as_version=4)
        source = nbformat.read(outdir / "source" / name / f"{name}.ipynb", as_version=4)
        solutions, tests = graded_cells(source, "solution"), graded_cells(source, "test")
        n_exercises = sum(nbgrader_export.is_solution(c) for c in learner.cells)
        assert len(solutions) == len(tests) == n_exercises, name
        ids = [c.metadata["nbgrader"]["grade_id"] for c in solutions + tests]
        assert len(set(ids)) == len(ids), f"{name}: grade ids repeat: {ids}"
        for solution, test in zip(solutions, tests):
            lines = [line.strip() for line in solution.source.splitlines()]
            assert lines.count(nbgrader_export.BEGIN) == lines.count(nbgrader_export.END) == 1, solution.source
            inside = lines[lines.index(nbgrader_export.BEGIN) + 1:lines.index(nbgrader_export.END)]
            assert any(line and not line.startswith("#") for line in inside), f"{name}: empty solution"
            assert "check." not in solution.source, f"{name}: the checker call stayed in the solution cell"
            meta = test.metadata["nbgrader"]
            assert meta["locked"] and meta["points"] in (1, 2) and not meta["solution"]
            assert "assert verdict, verdict" in test.source and "verdict = check." in test.source
        text = "\n".join(c.source for c in source.cells)
        assert nbgrader_export.SOLUTION_FIRST_LINE not in text
        assert nbgrader_export.SOLUTION_IS_BELOW not in text
        assert all(c.get("outputs", []) == [] for c in source.cells if c.cell_type == "code")
        assert not any("solution" in c.metadata.get("tags", []) for c in source.cells)


def test_a_function_skeleton_keeps_its_docstring_and_loses_its_placeholder(exported):
    outdir, _ = exported
    source = nbformat.read(outdir / "source" / "05_masks_gpt_vs_bert" / "05_masks_gpt_vs_bert.ipynb",
                           as_version=4)
    cell = graded_cells(source, "solution")[0]
    assert cell.source.startswith("def masked_attention(Q, K, V, mask):")
    assert "True where query i may attend to key j" in cell.source        # the learner's docstring
    assert "raise NotImplementedError" not in cell.source
    assert "    ### BEGIN SOLUTION" in cell.source                         # inside the function
    assert graded_cells(source, "test")[0].metadata["nbgrader"]["points"] == 2


# ----- nbgrader's round trip ---------------------------------------------------------------------
def nbgrader(course: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    """Run the nbgrader command line in ``course`` with its own database and Jupyter dirs."""
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(course / ".jupyter"), JUPYTER_PLATFORM_DIRS="1",
               JUPYTER_RUNTIME_DIR=str(course / ".runtime"), PYTHONHASHSEED="0")
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}",
               f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}"]
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return done


def hand_in(course: pathlib.Path, student: str, assignment: str, solved: set[str]):
    """The release version, with the source's code in the solution cells whose grade id is in ``solved``."""
    name = f"{assignment}.ipynb"
    release = nbformat.read(course / "release" / assignment / name, as_version=4)
    source = {c.metadata["nbgrader"]["grade_id"]: c.source
              for c in graded_cells(nbformat.read(course / "source" / assignment / name, as_version=4), "solution")}
    for cell in graded_cells(release, "solution"):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id in solved:
            cell.source = source[grade_id]
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(release, folder / name)
    shutil.copy(course / "release" / assignment / "glossary.md", folder / "glossary.md")


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """Grades of the three students: {student: {assignment: (score, max_score, {grade_id: score})}}."""
    require_extra("nbgrader", "the nbgrader edition needs it (python -m pip install -r requirements-teach.txt)")
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("course")
    assert nbgrader_export.export(course, nbgrader_export.select(["00", "05"])) == ASSIGNMENTS
    nbgrader(course, "generate_assignment", "*")          # every assignment of the course in one run
    tests = {}
    for assignment in ASSIGNMENTS:
        source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        ids = [c.metadata["nbgrader"]["grade_id"] for c in graded_cells(source, "solution")]
        tests[assignment] = ids
        half = set(ids[:len(ids) // 2])                   # notebook 00 has one exercise: none of it
        for student, solved in zip(STUDENTS, (set(ids), set(), half)):
            hand_in(course, student, assignment, solved)
    nbgrader(course, "autograde", "*")
    grades = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="self-attention-lab") as book:
        for student in STUDENTS:
            for assignment in ASSIGNMENTS:
                submission = book.find_submission(assignment, student)
                cells = {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades}
                grades.setdefault(student, {})[assignment] = (submission.score, submission.max_score, cells)
    return {"grades": grades, "solution_ids": tests, "course": course}


def test_release_hides_every_solution(gradebook):
    course = gradebook["course"]
    for assignment in ASSIGNMENTS:
        release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in graded_cells(release, "solution"):
            assert nbgrader_export.BEGIN not in cell.source
            assert "raise NotImplementedError()" in cell.source
    text = (course / "release" / "00_start_here" / "00_start_here.ipynb").read_text()
    assert "weights @ V" not in text


def test_solved_submission_gets_full_marks(gradebook):
    for assignment, (score, max_score, cells) in gradebook["grades"]["solved"].items():
        assert max_score > 0
        assert score == max_score, f"{assignment}: {cells}"


def test_untouched_submission_gets_zero(gradebook):
    for assignment, (score, max_score, cells) in gradebook["grades"]["untouched"].items():
        assert max_score > 0
        assert score == 0, f"{assignment}: {cells}"


def test_half_solved_submission_gets_the_points_of_its_solved_half(gradebook):
    score, max_score, cells = gradebook["grades"]["half"]["05_masks_gpt_vs_bert"]
    ids = gradebook["solution_ids"]["05_masks_gpt_vs_bert"]
    solved = set(ids[:len(ids) // 2])
    full = gradebook["grades"]["solved"]["05_masks_gpt_vs_bert"][2]
    assert 0 < score < max_score
    for test_id, points in cells.items():
        expected = full[test_id] if test_id.removesuffix("_test") in solved else 0
        assert points == expected, f"{test_id}: {points} points, expected {expected}; all: {cells}"
    assert gradebook["grades"]["half"]["00_start_here"][0] == 0
