"""Pictures survive export: an executed lesson exported to HTML with the README's commands shows every Explorer as
an image, with no widget state (whose renderer nbconvert would load from the internet) and no `VBox(...)` text."""
import base64
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
LESSON = "06_data_partitioning.ipynb"   # a lesson with four Explorers that runs in seconds
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
pytestmark = pytest.mark.notebook


def _nbconvert(*args, cwd):
    jupyter = pathlib.Path(sys.executable).with_name("jupyter")
    command = [str(jupyter) if jupyter.exists() else "jupyter", "nbconvert", *args]
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=300)


def _explorer_pictures(notebook):
    """The static PNG (base64) carried by each Explorer output of an executed notebook."""
    return [output["data"]["image/png"] for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if WIDGET_VIEW in output.get("data", {})]


def _assert_offline_pictures(html, pictures):
    assert pictures, "the lesson showed no Explorer"
    for index, picture in enumerate(pictures):
        assert base64.b64decode(picture)[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'src="data:image/png;base64,{picture}"' in html, f"Explorer {index + 1} is not in the HTML as an image"
    assert "application/vnd.jupyter.widget-state+json" not in html, "widget state would load a renderer online"
    assert WIDGET_VIEW not in html and "VBox(" not in html


def test_a_lesson_run_and_saved_with_widget_state_exports_with_every_explorer_as_an_image(tmp_path):
    shutil.copy(ROOT / "notebooks" / LESSON, tmp_path / LESSON)
    notebook = nbformat.read(tmp_path / LESSON, as_version=4)
    # As JupyterLab saves it with "Save Widget State Automatically" on: outputs plus the widget state.
    NotebookClient(notebook, timeout=300, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "widgets" in notebook.metadata
    nbformat.write(notebook, tmp_path / "executed.ipynb")
    _nbconvert("--to", "html", "--ClearMetadataPreprocessor.enabled=True", "executed.ipynb", cwd=tmp_path)
    _assert_offline_pictures((tmp_path / "executed.html").read_text(), _explorer_pictures(notebook))


def test_run_and_export_in_one_command(tmp_path):
    cells = [nbformat.v4.new_code_cell("import scalelab as sl\nfrom scalelab.widgets import queues"),
             nbformat.v4.new_code_cell("queues.knee_explorer()"),
             nbformat.v4.new_code_cell("queues.servers_explorer()")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "two.ipynb")
    _nbconvert("--to", "html", "--execute", "--ExecutePreprocessor.store_widget_state=False", "two.ipynb", cwd=tmp_path)
    html = (tmp_path / "two.html").read_text()
    assert html.count('src="data:image/png;base64,') == 2, "each of the two Explorers should be one image"
    assert "application/vnd.jupyter.widget-state+json" not in html and "VBox(" not in html
