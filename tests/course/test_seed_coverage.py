"""Every concept of the source material is taught in its lesson and exercised in a lab part
(docs/seed_concepts.csv is the checklist: concept, lesson, terms the lesson must use, lab part ``labNN_x:grade_id``)."""
import csv
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROWS = list(csv.DictReader((ROOT / "docs" / "seed_concepts.csv").read_text(encoding="utf-8").splitlines()))


def _lesson_text(number):
    paths = list((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    if not paths:
        return None
    cells = json.loads(paths[0].read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells).lower()


def _graded_parts(lab):
    """grade ids of the autograded and manually graded parts of a lab's source notebook."""
    parts = set()
    for path in (ROOT / "solutions" / lab).glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                parts.add(meta["grade_id"])
    return parts


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['lesson']}-{r['concept'][:40]}" for r in ROWS])
def test_concept_is_taught(row):
    text = _lesson_text(row["lesson"])
    if text is None:
        pytest.skip(f"lesson {row['lesson']} is not written yet")
    missing = [term for term in row["terms"].split("|") if term.lower() not in text]
    assert not missing, f"lesson {row['lesson']} does not mention {missing} ({row['concept']})"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['lesson']}-{r['concept'][:40]}" for r in ROWS])
def test_concept_is_exercised_in_a_lab_part(row):
    assert row["lab_part"], f"{row['concept']} (lesson {row['lesson']}): name the lab part that exercises it"
    for part in row["lab_part"].split("|"):
        lab, _, grade_id = part.partition(":")
        assert (ROOT / "solutions" / lab).is_dir(), f"{row['concept']}: no lab {lab}"
        assert grade_id in _graded_parts(lab), f"{row['concept']}: {lab} has no graded part {grade_id!r}"


def test_course_map_page_is_written_from_the_checklist():
    from course_map import PAGE, render, rows

    assert PAGE.read_text(encoding="utf-8") == render(rows()), \
        "docs/COURSE_MAP.md is stale: run python tools/course_map.py"
