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
    """The browser tests can run: Chromium and playwright are installed (tests/test_browser.py skips otherwise)."""
    import importlib.util

    chromium = os.path.isfile("/usr/bin/chromium") or shutil.which("chromium")
    return bool(chromium) and importlib.util.find_spec("playwright") is not None


def pytest_collection_modifyitems(config, items):
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
        lesson = f"tests/test_browser.py::test_lesson_runs_and_explorer_responds[{path.name}]"
        lab = f"tests/test_wrong_answers.py::test_wrong_answers_are_rejected[{path.parent.name}]"
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
