import os
import pathlib
import shutil
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

# Lessons run by the tests (nbmake, the browser) record their guesses in a throwaway log, not the course folder's.
_PREDICTIONS_DIR = tempfile.mkdtemp(prefix="scalelab-predictions-")
os.environ.setdefault("SCALELAB_PREDICTIONS", os.path.join(_PREDICTIONS_DIR, "predictions.jsonl"))


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the generators a fresh `import scalelab` gives (seed 0), whatever ran before it."""
    import scalelab

    scalelab.seed(0)


@pytest.fixture
def started(monkeypatch):
    """Every (process, port) that scalelab.bench.processes.start started during the test."""
    from scalelab.bench import processes

    seen = []
    real = processes.start

    def recording(target, **kwargs):
        process, port = real(target, **kwargs)
        seen.append((process, port))
        return process, port

    monkeypatch.setattr(processes, "start", recording)
    return seen


@pytest.fixture
def scratch(monkeypatch, tmp_path):
    """Temporary files go to a folder of this test's own, so a test sees exactly what a benchmark left there."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def pytest_unconfigure(config):
    shutil.rmtree(_PREDICTIONS_DIR, ignore_errors=True)


def _browser_available():
    """The browser tests can run: Chromium and playwright are installed (else tests/course/test_browser.py skips)."""
    import importlib.util

    chromium = os.path.isfile("/usr/bin/chromium") or shutil.which("chromium")
    return bool(chromium) and importlib.util.find_spec("playwright") is not None


# Markers by place (pyproject.toml declares them): a quick path deselects them, e.g.
# pytest -m "not notebook and not browser and not bench and not course" runs the unit tests only.
_BY_PATH = [
    ("tests/bench/", "bench"),                 # real benchmark processes, sockets and files
    ("tests/course/", "course"),               # course-wide checks over lessons and labs
    ("tests/course/test_exchange.py", "notebook"),
    ("tests/test_exchange.py", "course"),      # nbgrader's own commands and exchange over a copy of the course
    ("tests/test_exchange.py", "notebook"),
    ("tests/test_classroom", "notebook"),      # grades submitted notebooks with nbgrader
    ("tests/test_judge.py", "notebook"),       # runs learners' cells in real kernels
    ("tests/test_redteam.py", "notebook"),     # grades a batch of hostile notebooks
    ("tests/test_sandbox.py", "bench"),        # real sandboxed processes and sockets
    ("tests/course/test_labs.py", "notebook"),
    ("tests/course/test_wrong_answers.py", "notebook"),
]


@pytest.hookimpl(tryfirst=True)  # before -m reads them
def pytest_collection_modifyitems(config, items):
    """Apply the markers: `notebook` to every notebook nbmake runs (notebooks/, solutions/), and the markers of
    _BY_PATH to the tests of those files (test_browser.py marks itself `browser`); `bench` to any test that records
    the processes it started."""
    for item in items:
        if type(item).__name__ == "NotebookItem":
            item.add_marker(pytest.mark.notebook)
            continue
        path = pathlib.Path(str(item.path)).resolve()
        where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else ""
        for prefix, marker in _BY_PATH:
            if where.startswith(prefix):
                item.add_marker(getattr(pytest.mark, marker))
        if "started" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.bench)


def pytest_configure(config):
    config.pluginmanager.register(_OnceEach(), "scalelab-once-each")


class _OnceEach:
    @pytest.hookimpl(trylast=True)  # after -m and -k have deselected: only a browser test that will run counts
    def pytest_collection_modifyitems(self, config, items):
        _execute_once(config, items)


def _execute_once(config, items):
    """Execute each notebook once. A lesson that the browser test runs in JupyterLab (every cell, failing on any
    error) and a lab solution that the wrong-answer test runs in full (failing on any error) are not executed again
    by nbmake; without Chromium, or when those tests are not selected, nbmake executes them as usual."""
    names = {item.nodeid for item in items}
    browser = _browser_available()
    duplicates = []
    for item in items:
        path = pathlib.Path(str(getattr(item, "path", "")))
        if path.suffix != ".ipynb" or type(item).__name__ != "NotebookItem":
            continue
        lesson = f"tests/course/test_browser.py::test_lesson_runs_and_explorer_responds[{path.name}]"
        lab = f"tests/course/test_wrong_answers.py::test_wrong_answers_are_rejected[{path.parent.name}]"
        if (path.parent.name == "notebooks" and browser and lesson in names
                or path.parent.parent.name == "solutions" and lab in names):
            duplicates.append(item)
    if duplicates:
        config.hook.pytest_deselected(items=duplicates)
        items[:] = [item for item in items if item not in duplicates]
        _DESELECTED.extend(item.nodeid for item in duplicates)


_DESELECTED = []


def pytest_terminal_summary(terminalreporter):
    if _DESELECTED:
        terminalreporter.write_line(f"{len(_DESELECTED)} notebooks are executed by the browser or wrong-answer tests "
                                    "rather than by nbmake: " + ", ".join(sorted(_DESELECTED)))
