"""The instructor guide agrees with the notebooks.

- Every plan's blocks add up to the minutes its heading states (``## Plan ... (N min)``), and each
  day of a plan (``### Day ... (N min)``) to its own.
- Every link of the form ``[.. `## N. Title`](../../notebooks/NN_name.ipynb)`` in the guide points
  at a notebook that exists and names a ``## N. Title`` heading that the notebook has.
- Every "Try this" bullet and every "Why?" of every notebook has an answer in answers.md, on a line
  ``- **[id]** "first words ...`` (ids: tests/teaching/_teaching_prompts.py).
"""

from __future__ import annotations

import pathlib
import re
import shutil
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _teaching_prompts import ROOT, all_prompts, first_words, prompts, section_headings

TEACHING = ROOT / "docs" / "teaching"
GUIDE = TEACHING / "instructor-guide.md"
ANSWERS = TEACHING / "answers.md"
GUIDE_FILES = [TEACHING / "README.md", GUIDE, ANSWERS]

SECTION_LINK = re.compile(r"\[[^\]]*?`##\s+(?P<title>\d+\.\s+[^`]+?)`\]\((?P<target>[^)\s]+\.ipynb)\)")
MINUTES_HEADING = re.compile(r"^(?P<level>#{2,3})\s+(?P<name>.+?)\s*\((?P<minutes>\d+) min\)\s*$")
TABLE_ROW = re.compile(r"^\|\s*[^|]*\|\s*(?P<minutes>\d+)\s*\|")


def plan_minutes(text: str) -> dict[str, tuple[int, int]]:
    """``{heading: (stated minutes, sum of its blocks)}`` for every plan and day heading."""
    found, plan, day = {}, None, None
    for line in text.splitlines():
        heading = MINUTES_HEADING.match(line)
        if heading:
            name, stated = heading["name"], int(heading["minutes"])
            if heading["level"] == "##":
                plan, day = name, None
            else:
                day = name
            found[name] = [stated, 0]
            continue
        if line.startswith("## "):                                   # a heading without minutes ends the plan
            plan, day = None, None
            continue
        row = TABLE_ROW.match(line)
        if row and plan is not None:
            for name in (plan, day):
                if name is not None:
                    found[name][1] += int(row["minutes"])
    return {name: tuple(v) for name, v in found.items()}


def broken_section_links(markdown_path: pathlib.Path) -> list[str]:
    """The guide's section links whose notebook or ``## N. Title`` heading does not exist."""
    broken, links = [], SECTION_LINK.finditer(markdown_path.read_text(encoding="utf-8"))
    for link in links:
        notebook = (markdown_path.parent / link["target"]).resolve()
        if not notebook.is_file():
            broken.append(f"{link['target']}: no such notebook")
        elif link["title"] not in section_headings(notebook).values():
            broken.append(f"{link['target']}: no section '## {link['title']}'")
    return broken


# ----- the plans -------------------------------------------------------------------------------------
def test_there_are_three_plans_with_the_lengths_the_issue_asks_for():
    found = plan_minutes(GUIDE.read_text(encoding="utf-8"))
    plans = {name: stated for name, (stated, _) in found.items() if name.startswith("Plan")}
    assert sorted(plans.values()) == [90, 180, 780], plans
    assert any("90-minute lecture" in name for name in plans)
    assert any("3-hour workshop" in name for name in plans)
    assert any("two-day course" in name for name in plans)


def test_every_plans_blocks_add_up_to_its_stated_minutes():
    found = plan_minutes(GUIDE.read_text(encoding="utf-8"))
    assert len(found) >= 5, "expected three plans and the two days of the third"
    wrong = {name: f"stated {stated}, blocks add up to {total}"
             for name, (stated, total) in found.items() if stated != total}
    assert not wrong, wrong


def test_a_plan_whose_minutes_do_not_add_up_is_caught():
    text = GUIDE.read_text(encoding="utf-8").replace("| 1 | 5 |", "| 1 | 6 |", 1)
    found = plan_minutes(text)
    assert any(stated != total for stated, total in found.values())


def test_every_plan_has_discussion_questions_and_an_exit_ticket():
    text = GUIDE.read_text(encoding="utf-8")
    for plan in ("Plan A", "Plan B", "Plan C"):
        assert f"**Discussion questions ({plan})" in text
        assert f"**Exit ticket ({plan}" in text


# ----- the links ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", GUIDE_FILES, ids=lambda p: p.name)
def test_every_section_link_names_a_section_that_exists(path):
    assert not broken_section_links(path)


def test_the_plans_link_many_sections():
    links = list(SECTION_LINK.finditer(GUIDE.read_text(encoding="utf-8")))
    notebooks = {link["target"] for link in links}
    assert len(links) > 60 and len(notebooks) >= 12, (len(links), notebooks)


def test_a_renamed_section_breaks_the_check(tmp_path):
    """On a copy of the repository's notebooks and guide: rename one linked section, the check fails."""
    (tmp_path / "notebooks").mkdir()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, tmp_path / "notebooks" / notebook.name)
    guide = tmp_path / "docs" / "teaching" / "instructor-guide.md"
    guide.parent.mkdir(parents=True)
    shutil.copy(GUIDE, guide)
    assert not broken_section_links(guide)

    renamed = tmp_path / "notebooks" / "02_queries_keys_values.ipynb"
    text = renamed.read_text(encoding="utf-8")
    assert "## 4. The attention explorer" in text
    renamed.write_text(text.replace("## 4. The attention explorer", "## 4. The explorer"), encoding="utf-8")
    uses = guide.read_text(encoding="utf-8").count("`## 4. The attention explorer`")
    assert uses >= 1
    expected = "../../notebooks/02_queries_keys_values.ipynb: no section '## 4. The attention explorer'"
    assert broken_section_links(guide) == [expected] * uses


# ----- the prompts ----------------------------------------------------------------------------------
PROMPTS = all_prompts()


def test_the_notebooks_have_prompts_to_answer():
    assert len(PROMPTS) >= 30
    assert any(p["id"].endswith("why1") for p in PROMPTS)


@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda p: p["id"])
def test_every_prompt_has_an_answer(prompt):
    lines = [line for line in ANSWERS.read_text(encoding="utf-8").splitlines()
             if line.startswith(f"- **[{prompt['id']}]**")]
    assert len(lines) == 1, f"answers.md needs one line '- **[{prompt['id']}]** \"{prompt['text']} ...'"
    assert prompt["text"] in " ".join(lines[0].split()), \
        f"the answer {prompt['id']} should quote the prompt's first words: {prompt['text']!r}"


def test_the_answers_have_no_entry_for_a_prompt_that_does_not_exist():
    ids = {p["id"] for p in PROMPTS}
    answered = set(re.findall(r"^- \*\*\[([^\]]+)\]\*\*", ANSWERS.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert answered == ids, {"no such prompt": answered - ids, "no answer": ids - answered}


def test_a_new_prompt_is_found(tmp_path):
    """The prompt finder sees a bullet added to a Try this list (so a new prompt needs an answer)."""
    source = ROOT / "notebooks" / "01_what_is_self_attention.ipynb"
    copy = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    marker = '"- Push \\"sat\\" up.'
    assert marker in text
    copy.write_text(text.replace(marker, '"- Pull \\"the\\" down first.\\n",\n    ' + marker, 1), encoding="utf-8")
    found = {p["id"]: p["text"] for p in prompts(copy)}
    assert found["01.4.1"] == first_words('Pull "the" down first.')
    assert len(found) == len(prompts(source)) + 1
