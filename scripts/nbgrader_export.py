"""Write an nbgrader edition of the course: one assignment per notebook with exercises.

Usage (from the repository root; nbgrader itself is only needed for the steps after this one)::

    python scripts/nbgrader_export.py OUTDIR                      # every notebook with exercises
    python scripts/nbgrader_export.py OUTDIR --notebooks 00 05    # only notebooks 00 and 05

OUTDIR becomes an nbgrader course folder::

    OUTDIR/nbgrader_config.py
    OUTDIR/source/<assignment>/<assignment>.ipynb   (assignment = notebook name, e.g. 05_masks_gpt_vs_bert)
    OUTDIR/source/<assignment>/glossary.md          (the notebooks link to it)

How an exercise of the course becomes an nbgrader exercise. In the learner notebooks an exercise is
one or two code cells (a placeholder such as ``answer = ...`` or a function skeleton, then a
checker call ``check.name(...)``), the markdown "The solution is in the collapsed cell below." and a
folded code cell tagged ``solution`` whose first line is ``# Solution: click to reveal``. Here:

- the learner cell becomes an nbgrader ``solution`` cell: the worked solution goes between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``, after the learner's own lines (the placeholder
  stays outside the markers); in a function skeleton the solution's body replaces the placeholder
  statement (``raise NotImplementedError(...)`` or ``...``) inside the function;
- the checker call moves into an autograded test cell (``grade: true``, locked, with points):
  ``verdict = check.name(...)`` then ``assert verdict, verdict``; a checker's Result is truthy
  only when the answer is right, and its text is the hint;
- the folded solution cell and the "solution is below" sentence are dropped, outputs are cleared.

``nbgrader generate_assignment`` then replaces each BEGIN/END block with its code stub
(``# YOUR CODE HERE`` / ``raise NotImplementedError()``) in the release version. nbgrader needs
Python >= 3.11; see docs/teaching/nbgrader.md.
"""

from __future__ import annotations

import argparse
import ast
import copy
import pathlib
import re
import shutil
import sys
import textwrap

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTION_TAG = "solution"
SOLUTION_FIRST_LINE = "# Solution: click to reveal"
SOLUTION_IS_BELOW = "The solution is in the collapsed cell below."
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
POINTS = {"value": 1, "function": 2}       # a function to write is worth more than one value
EXERCISES_HEADING = re.compile(r"^## \d+\. Exercises", re.MULTILINE)

EDITION_NOTE = """**nbgrader edition.** The worked solutions are not in this notebook. In each exercise, write
your answer where it says `# YOUR CODE HERE` and delete the `raise NotImplementedError()` line. The
locked cell under it runs the course's checker and counts the exercise's points; run it to see
whether your answer is right (it prints the checker's hint when it is not)."""

CONFIG = '''"""nbgrader configuration of the Self-Attention Lab course (written by scripts/nbgrader_export.py).

Run nbgrader from this folder, e.g. ``nbgrader generate_assignment 05_masks_gpt_vs_bert``.
"""

c = get_config()  # noqa: F821 - nbgrader provides get_config

c.CourseDirectory.course_id = "self-attention-lab"
# The autograder re-runs whole notebooks: the training cells of notebooks 10 and 11 take a while.
c.Execute.timeout = 600
'''


# ----- reading the learner notebooks --------------------------------------------------------
def is_solution(cell) -> bool:
    return cell.cell_type == "code" and SOLUTION_TAG in cell.metadata.get("tags", [])


def check_call(source: str) -> ast.stmt | None:
    """The cell's last statement when it is a checker call ``check.name(...)``, else None."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    if (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
            and isinstance(last.value.func, ast.Attribute)
            and isinstance(last.value.func.value, ast.Name) and last.value.func.value.id == "check"):
        return last
    return None


def lines_before(source: str, stmt: ast.stmt) -> list[str]:
    """The lines of ``source`` above ``stmt``, trailing blank lines removed."""
    lines = source.splitlines()[:stmt.lineno - 1]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def statement_text(source: str, stmt: ast.stmt) -> str:
    return "\n".join(source.splitlines()[stmt.lineno - 1:stmt.end_lineno])


def find_exercises(cells) -> list[dict]:
    """Each exercise: indices of its learner cells (the last one holds the checker call), of the
    "solution is below" markdown (or None) and of its solution cell."""
    exercises = []
    for index, cell in enumerate(cells):
        if not is_solution(cell):
            continue
        j, note = index - 1, None
        if cells[j].cell_type == "markdown" and cells[j].source.startswith(SOLUTION_IS_BELOW):
            note, j = j, j - 1
        call = check_call(cells[j].source) if cells[j].cell_type == "code" else None
        if call is None:
            raise ValueError(f"solution cell {index}: no learner cell ending in a check.*() call above it")
        learner = [j]
        if not lines_before(cells[j].source, call) and cells[j - 1].cell_type == "code":
            learner.insert(0, j - 1)      # the checker call has a cell of its own: the skeleton is above
        if not cell.source.startswith(SOLUTION_FIRST_LINE):
            raise ValueError(f"solution cell {index} does not start with {SOLUTION_FIRST_LINE!r}")
        exercises.append({"learner": learner, "note": note, "solution": index})
    return exercises


# ----- building the solution cell -------------------------------------------------------------
def solution_body(source: str) -> str:
    """The worked solution without its first line and without its final checker call."""
    source = source.split("\n", 1)[1] if "\n" in source else ""
    call = check_call(source)
    lines = lines_before(source, call) if call is not None else source.rstrip().splitlines()
    return "\n".join(lines).strip("\n")


def skeleton_function(source: str) -> ast.FunctionDef | None:
    """The function the learner must write: a top-level def whose body has a placeholder."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and any(is_placeholder(s) for s in node.body):
            return node
    return None


def is_placeholder(stmt: ast.stmt) -> bool:
    """``raise NotImplementedError(...)``, a bare ``...`` or ``return ...``."""
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        target = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(target, ast.Name) and target.id == "NotImplementedError"
    value = stmt.value if isinstance(stmt, (ast.Expr, ast.Return)) else None
    return isinstance(value, ast.Constant) and value.value is Ellipsis


def function_body(source: str, name: str) -> str:
    """The body of ``def name`` in ``source`` after its docstring, dedented."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            body = node.body
            first = body[1] if ast.get_docstring(node) is not None else body[0]
            start = body[0].end_lineno if first is not body[0] else first.lineno - 1
            lines = source.splitlines()[start:node.end_lineno]
            return textwrap.dedent("\n".join(lines)).strip("\n")
    raise ValueError(f"the solution does not define {name}()")


def wrap(code: str, indent: str = "") -> list[str]:
    inner = [indent + line if line.strip() else "" for line in code.splitlines()]
    return [indent + BEGIN, *inner, indent + END]


def function_solution(learner: str, skeleton: ast.FunctionDef, solution: str) -> str:
    """The learner's def with its placeholder statements replaced by the marked solution body."""
    lines = learner.splitlines()
    placeholders = [s for s in skeleton.body if is_placeholder(s)]
    indent = re.match(r"\s*", lines[placeholders[0].lineno - 1]).group(0)
    marked = wrap(function_body(solution, skeleton.name), indent)
    drop = {n for s in placeholders for n in range(s.lineno - 1, s.end_lineno)}
    out = []
    for number, line in enumerate(lines):
        if number == placeholders[0].lineno - 1:
            out.extend(marked)
        if number not in drop:
            out.append(line)
    return "\n".join(out).rstrip()


def value_solution(learner_lines: list[str], solution: str) -> str:
    """The learner's lines (placeholder included), then the marked worked solution."""
    return "\n".join([*learner_lines, *wrap(solution_body(solution))])


# ----- nbgrader cells -------------------------------------------------------------------------
def nbgrader_metadata(grade_id: str, solution: bool, points: int | None = None) -> dict:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def test_cell(call: str, grade_id: str, points: int):
    source = (f"# Autograded, {points} point{'s' * (points > 1)}: the course's checker must say \"Correct!\".\n"
              f"verdict = {call.strip()}\n"
              "assert verdict, verdict\n"
              "verdict")
    cell = nbformat.v4.new_code_cell(source)
    cell.id = grade_id.replace("_", "-")
    cell.metadata["nbgrader"] = nbgrader_metadata(grade_id, solution=False, points=points)
    return cell


def convert_exercise(cells, exercise: dict, grade_id: str) -> list:
    """The nbgrader solution cell and test cell that replace one exercise's learner cells."""
    *before, last = exercise["learner"]
    learner = cells[last].source
    call = check_call(learner)
    solution = cells[exercise["solution"]].source
    kept, owner = lines_before(learner, call), last
    if before:                                       # the checker call had a cell of its own
        owner = before[0]
        kept = cells[owner].source.rstrip().splitlines()
    text = "\n".join(kept)
    skeleton = skeleton_function(text) if text else None
    kind = "function" if skeleton is not None else "value"
    new = copy.deepcopy(cells[owner])
    new.source = function_solution(text, skeleton, solution) if skeleton else value_solution(kept, solution)
    new.metadata["nbgrader"] = nbgrader_metadata(grade_id, solution=True)
    return [new, test_cell(statement_text(learner, call), f"{grade_id}_test", POINTS[kind])]


def note_cell(cells, exercise) -> list:
    """The "solution is below" markdown, minus that sentence (nothing when that is all it says)."""
    if exercise["note"] is None:
        return []
    cell = copy.deepcopy(cells[exercise["note"]])
    cell.source = cell.source[len(SOLUTION_IS_BELOW):].strip()
    return [cell] if cell.source else []


def edition_note():
    cell = nbformat.v4.new_markdown_cell(EDITION_NOTE)
    cell.id = "nbgrader-edition-note"
    return cell


def clean(cell):
    """No outputs, no execution count, no course tags."""
    cell = copy.deepcopy(cell)
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    cell.metadata.pop("execution", None)
    tags = [t for t in cell.metadata.get("tags", []) if t not in (SOLUTION_TAG, "nbval-skip")]
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)
    return cell


def nbgrader_notebook(notebook, stem: str):
    """The nbgrader source version of one learner notebook (None when it has no exercises)."""
    cells = notebook.cells
    exercises = find_exercises(cells)
    if not exercises:
        return None
    starts = {e["learner"][0]: (number, e) for number, e in enumerate(exercises, start=1)}
    skip = {i for e in exercises for i in [*e["learner"], e["solution"]] + ([e["note"]] if e["note"] else [])}
    out, noted = [], False
    for index, cell in enumerate(cells):
        if index in starts:
            number, exercise = starts[index]
            out += convert_exercise(cells, exercise, f"{stem[:2]}_exercise_{number}")
            out += note_cell(cells, exercise)
        elif index not in skip:
            out.append(cell)
            if cell.cell_type == "markdown" and not noted and EXERCISES_HEADING.search(cell.source):
                out.append(edition_note())
                noted = True
    if not noted:                                    # no "## N. Exercises" heading: the note goes first
        out.insert(1, edition_note())
    result = copy.deepcopy(notebook)
    result.cells = [clean(c) for c in out]
    result.metadata.pop("widgets", None)
    nbformat.validate(result)
    return result


# ----- the course tree ------------------------------------------------------------------------
def export(outdir: pathlib.Path, notebooks: list[pathlib.Path]) -> list[str]:
    """Write the nbgrader course tree; return the assignment names."""
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "nbgrader_config.py").write_text(CONFIG)
    assignments = []
    for path in notebooks:
        converted = nbgrader_notebook(nbformat.read(path, as_version=4), path.stem)
        if converted is None:
            continue
        folder = outdir / "source" / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(converted, folder / path.name)
        if (NOTEBOOKS / "glossary.md").exists():
            shutil.copy(NOTEBOOKS / "glossary.md", folder / "glossary.md")
        assignments.append(path.stem)
    return assignments


def select(prefixes: list[str] | None) -> list[pathlib.Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not prefixes:
        return paths
    chosen = [p for p in paths if any(p.name.startswith(prefix) for prefix in prefixes)]
    if not chosen:
        raise SystemExit(f"no notebook starts with any of {prefixes}")
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=pathlib.Path, help="the nbgrader course folder to write")
    parser.add_argument("--notebooks", nargs="*", metavar="NN",
                        help="notebook numbers or name prefixes (default: every notebook)")
    args = parser.parse_args(argv)
    for name in export(args.outdir, select(args.notebooks)):
        print(f"{args.outdir / 'source' / name / name}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
