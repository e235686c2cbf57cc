"""The tests mirror the package: tests/models/test_queueing.py holds the tests of scalelab/models/queueing.py.

scalelab/a/b.py -> tests/a/test_b.py; scalelab/_x.py -> tests/test_x.py; scalelab/a/__init__.py -> tests/a/test_init.py.
Course-wide checks live in tests/course/. The few files that are neither are listed below, each with its reason."""
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
PACKAGE = ROOT / "scalelab"

# Test modules that mirror no package module, and why.
EXCEPTIONS = {
    "tests/test_exchange.py": "course-level (nbgrader's exchange over a copy of the course): belongs in tests/course/",
}
# Grading checks that arrive with the grading work and are placed beside the grading modules then.
PENDING = {"tests/test_redteam.py"}
# Test modules named after a package module they share with a variant: tests/test_classroom_x.py tests classroom.py.
VARIANTS = {"tests/test_classroom": "scalelab/classroom.py"}
# Folders that hold no mirrored test modules (shared cases and helpers).
OTHER_FOLDERS = {"course", "wrong_answers", "redteam", "__pycache__"}


def mirrored(test_path):
    """The package module a test module mirrors (None when there is none)."""
    rel = test_path.relative_to(TESTS)
    name = rel.stem[len("test_"):]
    folder = PACKAGE.joinpath(*rel.parts[:-1])
    candidates = [folder / "__init__.py"] if name == "init" else [folder / f"{name}.py", folder / f"_{name}.py"]
    return next((c for c in candidates if c.is_file()), None)


def _test_modules():
    out = []
    for path in sorted(TESTS.rglob("test_*.py")):
        parts = path.relative_to(TESTS).parts
        if parts[0] in OTHER_FOLDERS and len(parts) > 1:
            continue
        out.append(path)
    return out


def _name(path):
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", _test_modules(), ids=_name)
def test_each_test_module_mirrors_a_package_module(path):
    name = _name(path)
    if name in EXCEPTIONS or name in PENDING:
        return
    variant = next((module for prefix, module in VARIANTS.items() if name.startswith(prefix)), None)
    if variant:
        assert (ROOT / variant).is_file(), f"{name} is placed beside {variant}, which is gone"
        return
    assert mirrored(path), (f"{name} mirrors no module of scalelab/: name it after the module it tests "
                            "(scalelab/a/b.py -> tests/a/test_b.py), or put course-wide checks in tests/course/")


def test_the_exceptions_are_still_there():
    gone = [name for name in EXCEPTIONS if not (ROOT / name).is_file()]
    assert not gone, f"listed as exceptions but gone (remove them from EXCEPTIONS): {gone}"


def test_every_test_folder_is_a_package():
    for folder in [TESTS, *(p for p in TESTS.rglob("*") if p.is_dir() and any(p.glob("test_*.py")))]:
        assert (folder / "__init__.py").is_file(), f"{_name(folder)}/ needs an __init__.py (tests import as tests.x)"

