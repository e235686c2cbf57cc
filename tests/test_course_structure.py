"""Course-wide rules: notebooks stored without outputs, lessons open the same way, labs have hidden tests."""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted((ROOT / "solutions").glob("lab*/*.ipynb"))
RELEASES = sorted((ROOT / "labs").glob("lab*/*.ipynb"))
ALL = LESSONS + SOURCES + RELEASES


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _text(cell):
    return "".join(cell["source"])


def _name(path):
    return str(path.relative_to(ROOT))


def test_there_is_a_course():
    assert len(LESSONS) >= 2 and len(SOURCES) >= 2


@pytest.mark.parametrize("path", ALL, ids=_name)
def test_notebook_is_stored_without_outputs(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    assert not [c for c in code if c.get("outputs")], f"{_name(path)} has stored outputs: clear them before saving"
    assert not [c for c in code if c.get("execution_count")], f"{_name(path)} has execution counts"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_lesson_opens_with_title_scope_goals_and_setup(path):
    cells = _cells(path)
    number = path.name[:2]
    opening = _text(cells[0])
    assert re.match(rf"# {number} · \S", opening), f"{path.name}: first line must be '# {number} · Title'"
    assert re.search(r"^\*[^*\n][^*]*\*$", opening, re.M), f"{path.name}: needs one italic scope line"
    assert "You will learn" in opening, f"{path.name}: needs a 'You will learn' list"
    setup = next(c for c in cells if c["cell_type"] == "code")
    for needed in ("import scalelab as sl", "sl.seed(", "sl.check_environment("):
        assert needed in _text(setup), f"{path.name}: the first code cell (setup) must contain {needed!r}"
    seeds = sum(_text(c).count("sl.seed(") for c in cells if c["cell_type"] == "code")
    assert seeds == 1, f"{path.name}: seed once, in the setup cell (found {seeds})"
    banned = ("np.random.seed(", "random.seed(", "default_rng(")
    for c in cells:
        if c["cell_type"] == "code":
            assert not any(b in _text(c) for b in banned), f"{path.name}: seed through sl.seed only"


@pytest.mark.parametrize("lab", sorted(p.parent.name for p in SOURCES))
def test_lab_is_released_and_has_hidden_tests(lab):
    source = "".join((p.read_text()) for p in (ROOT / "solutions" / lab).glob("*.ipynb"))
    release = "".join((p.read_text()) for p in (ROOT / "labs" / lab).glob("*.ipynb"))
    assert release, f"labs/{lab} is missing: run python tools/release_labs.py {lab}"
    assert "BEGIN HIDDEN TESTS" in source, f"solutions/{lab} has no hidden tests"
    assert "BEGIN HIDDEN TESTS" not in release and "BEGIN SOLUTION" not in release


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_lab_test_cells_follow_the_conventions(path):
    cells = _cells(path)
    tests = [c for c in cells if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("grade")]
    minimum = 2 if "lab00" in path.name else 5
    assert len(tests) >= minimum, f"{path.name}: {len(tests)} autograded parts, want at least {minimum}"
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in cells if "nbgrader" in c["metadata"]]
    assert len(ids) == len(set(ids)), f"{path.name}: grade ids repeat"
    for cell in tests:
        text = _text(cell).strip()
        meta = cell["metadata"]["nbgrader"]
        assert text.startswith('"""'), f"{path.name}:{meta['grade_id']} must start with a one-line docstring"
        assert meta["points"] > 0 and meta["locked"], f"{path.name}:{meta['grade_id']} needs points and a lock"
        last = text.splitlines()[-1].strip()
        assert not re.fullmatch(r"[-+.\deE]+", last), f"{path.name}:{meta['grade_id']} ends with a bare number"
