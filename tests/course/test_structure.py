"""Course-wide rules: notebooks stored without outputs, lessons open the same way, labs have hidden tests."""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
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


# --------------------------------------------------------------------------------------------------- predictions

PREDICT_CALL = re.compile(r"\bsl\.predict\(\s*[\"']([\w\-.]+)[\"']")
REVEAL_CALL = re.compile(r"\bsl\.reveal\(\s*[\"']([\w\-.]+)[\"']")
OLD_GUESS = re.compile(r"^\s*(my_guess\w*|guess_\w+)\s*=", re.M)


def _is_predict_only(source):
    """A guess cell holds sl.predict(...) calls and comments, nothing that computes the answer."""
    import ast

    tree = ast.parse(source)
    return bool(tree.body) and all(
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
        and ast.unparse(stmt.value.func) == "sl.predict" for stmt in tree.body)


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_every_prediction_is_made_in_a_cell_of_its_own_and_revealed_later(path):
    code = [(i, _text(c)) for i, c in enumerate(_cells(path)) if c["cell_type"] == "code"]
    old = [m for _, text in code for m in OLD_GUESS.findall(text)]
    assert not old, f"{path.name}: guesses kept in plain variables {old}: use sl.predict(name, None, unit=...)"
    made = {}
    for i, text in code:
        for name in PREDICT_CALL.findall(text):
            assert _is_predict_only(text), f"{path.name}: cell {i} makes the guess {name!r} and also runs code"
            assert name not in made, f"{path.name}: the prediction {name!r} is made twice"
            made[name] = i
    for name, i in made.items():
        later = [j for j, text in code if j > i and name in REVEAL_CALL.findall(text)]
        assert later, f"{path.name}: the prediction {name!r} (cell {i}) is never revealed after it is made"
    for i, text in code:
        for name in REVEAL_CALL.findall(text):
            assert name in made, f"{path.name}: cell {i} reveals {name!r}, which this lesson never predicts"


def _shows_its_reveals(source):
    """A reveal is shown when it is the cell's last expression or is passed to print/display."""
    import ast

    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "sl.reveal":
            shown_last = isinstance(last, ast.Expr) and last.value is node
            wrapped = any(isinstance(outer, ast.Call) and ast.unparse(outer.func) in ("print", "display")
                          and node in outer.args for outer in ast.walk(tree))
            if not (shown_last or wrapped):
                return False
    return True


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_every_reveal_is_shown(path):
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code" and REVEAL_CALL.search(_text(cell)):
            assert _shows_its_reveals(_text(cell)), \
                f"{path.name}: cell {i} calls sl.reveal but shows nothing: end the cell with it, or print/display it"


@pytest.mark.parametrize("path", [p for p in LESSONS if p.name[:2] != "00"], ids=_name)
def test_every_predict_section_asks_for_a_guess_that_is_read_back(path):
    cells = _cells(path)
    asks = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "**Predict" in _text(c)]
    assert asks, f"{path.name}: no **Predict** step"
    for i in asks:
        following = [_text(c) for c in cells[i + 1:i + 4] if c["cell_type"] == "code"]
        assert any(PREDICT_CALL.search(text) for text in following), \
            f"{path.name}: the **Predict** in cell {i} is not followed by an sl.predict(...) cell"


def test_prediction_names_are_unique_across_the_course():
    seen = {}
    for path in LESSONS:
        for name in PREDICT_CALL.findall("\n".join(_text(c) for c in _cells(path) if c["cell_type"] == "code")):
            assert name not in seen, f"the prediction {name!r} is made in {seen.get(name)} and {path.name}"
            seen[name] = path.name
