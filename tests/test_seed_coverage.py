"""Every concept of the source material is taught in its lesson (docs/seed_concepts.csv is the checklist)."""
import csv
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROWS = list(csv.DictReader(open(ROOT / "docs" / "seed_concepts.csv", encoding="utf-8")))


def _lesson_text(number):
    paths = list((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    if not paths:
        return None
    cells = json.loads(paths[0].read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells).lower()


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['lesson']}-{r['concept'][:40]}" for r in ROWS])
def test_concept_is_taught(row):
    text = _lesson_text(row["lesson"])
    if text is None:
        pytest.skip(f"lesson {row['lesson']} is not written yet")
    missing = [term for term in row["terms"].split("|") if term.lower() not in text]
    assert not missing, f"lesson {row['lesson']} does not mention {missing} ({row['concept']})"
