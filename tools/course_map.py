"""Write docs/COURSE_MAP.md from docs/seed_concepts.csv: each lesson, the concepts it teaches and the lab parts that
exercise them.

    python tools/course_map.py          # rewrite the page (tests/course/test_seed_coverage.py checks it is current)
"""
import csv
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "COURSE_MAP.md"
TITLES = {"00": "Start here", "01": "Measuring scalability", "02": "Queues and utilisation", "03": "Vertical scaling",
          "04": "Horizontal scaling", "05": "Functional scaling", "06": "Data partitioning", "07": "Testing for scale",
          "08": "Baselines and capacity planning", "09": "Finding the bottleneck", "10": "Trade-offs",
          "11": "Design principles", "12": "The technology stack", "13": "Capstone: 1K to 1M users"}
HEADER = """# Course map: where each concept of the source material is taught

`docs/seed_concepts.csv` is the checklist behind this page (written from it by `python tools/course_map.py`);
`tests/course/test_seed_coverage.py` checks that each lesson mentions the terms of its concepts and that each named lab
part exists. Lessons marked *planned* are not written yet: their concepts are listed so that the gap is visible.
"""


def render(rows, root=ROOT):
    """The page's text for the checklist rows."""
    parts = [HEADER.rstrip("\n")]
    for number, title in TITLES.items():
        written = any((root / "notebooks").glob(f"{number}_*.ipynb"))
        parts.append(f"\n## {number} · {title}{'' if written else ' (planned)'}\n")
        for row in (r for r in rows if r["lesson"] == number):
            labs = f" — lab: {row['lab_part'].replace('|', ', ')}" if row["lab_part"] else ""
            parts.append(f"- {row['concept']}{labs}")
    return "\n".join(parts) + "\n"


def rows(root=ROOT):
    return list(csv.DictReader(open(root / "docs" / "seed_concepts.csv", encoding="utf-8")))


if __name__ == "__main__":
    PAGE.write_text(render(rows()), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
