import os
import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

# Lessons run by the tests (nbmake, the browser) record their guesses in a throwaway log, not the course folder's.
_PREDICTIONS_DIR = tempfile.mkdtemp(prefix="scalelab-predictions-")
os.environ.setdefault("SCALELAB_PREDICTIONS", os.path.join(_PREDICTIONS_DIR, "predictions.jsonl"))


def pytest_unconfigure(config):
    shutil.rmtree(_PREDICTIONS_DIR, ignore_errors=True)
