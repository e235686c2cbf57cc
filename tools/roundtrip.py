"""The grading round trip of a lab, in a temporary course directory, with nbgrader's own API.

    python tools/roundtrip.py lab01_measuring     # prints the scores of the solution and of the blank lab

1. generate the student version from solutions/<lab>/ and compare it with the committed labs/<lab>/;
2. submit the solution notebook as student "solution" and the committed blank lab as student "blank";
3. autograde both and read their scores from the gradebook.
"""
import json
import os
import pathlib
import shutil
import sys
import tempfile
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _env_path():
    scripts = os.path.dirname(sys.executable)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def normalized(path):
    """A notebook's cells as comparable data (type, source, nbgrader metadata), without outputs or ids."""
    nb = json.loads(pathlib.Path(path).read_text())
    return [(c["cell_type"], "".join(c["source"]), c.get("metadata", {}).get("nbgrader")) for c in nb["cells"]]


@dataclass
class Scores:
    lab: str
    max_auto: float      # points of the autograded test cells
    max_manual: float    # points of the manually graded answers
    solution: float      # autograded score of the solution notebook
    blank: float         # autograded score of the unmodified released notebook
    in_sync: bool        # committed labs/<lab> equals what generate_assignment makes
    hidden_tests: bool   # the source has hidden tests and the release does not show them


def make_course(tmp, root=ROOT):
    """A throwaway course directory holding a copy of solutions/ and a config rooted there."""
    course = pathlib.Path(tmp)
    shutil.copytree(root / "solutions", course / "solutions", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    text = (root / "nbgrader_config.py").read_text().replace(
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))",
        f"c.CourseDirectory.root = {str(course)!r}")
    (course / "nbgrader_config.py").write_text(text)
    return course


def api_for(course):
    """nbgrader's API configured from the course's nbgrader_config.py."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    _env_path()
    config = Config()
    namespace = {"get_config": lambda: config}
    exec((course / "nbgrader_config.py").read_text(), {**namespace, "__file__": str(course / "nbgrader_config.py")})
    config.CourseDirectory.root = str(course)
    config.Application.log_level = "WARN"
    return NbGraderAPI(config=config)


def roundtrip(lab, root=ROOT):
    """Run the round trip for one lab and return its Scores."""
    from nbgrader.api import Gradebook

    with tempfile.TemporaryDirectory(prefix=f"scalelab-{lab}-") as tmp:
        course = make_course(tmp, root)
        cwd = os.getcwd()
        os.chdir(course)
        try:
            api = api_for(course)
            result = api.generate_assignment(lab, force=True)
            if not result["success"]:
                raise RuntimeError(f"generate_assignment {lab} failed:\n{result['error']}\n{result['log']}")
            names = sorted(p.name for p in (root / "solutions" / lab).glob("*.ipynb"))
            in_sync = all((root / "labs" / lab / n).exists() and
                          normalized(course / "labs" / lab / n) == normalized(root / "labs" / lab / n) for n in names)
            source_text = "".join((root / "solutions" / lab / n).read_text() for n in names)
            release_text = "".join((course / "labs" / lab / n).read_text() for n in names)
            hidden = "BEGIN HIDDEN TESTS" in source_text and "BEGIN HIDDEN TESTS" not in release_text
            for student, folder in (("solution", root / "solutions" / lab), ("blank", root / "labs" / lab)):
                target = course / "submitted" / student / lab
                target.mkdir(parents=True)
                for n in names:
                    shutil.copy(folder / n, target / n)
                result = api.autograde(lab, student, force=True, create=True)
                if not result["success"]:
                    raise RuntimeError(f"autograde {lab} for {student} failed:\n{result['error']}\n{result['log']}")
            with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
                assignment = gb.find_assignment(lab)
                max_auto = sum(c.max_score
                for n in assignment.notebooks for c in n.grade_cells if c.cell_type == "code")
                max_manual = sum(c.max_score
                for n in assignment.notebooks for c in n.grade_cells if c.cell_type == "markdown")
                scores = {s: gb.find_submission(lab, s).code_score for s in ("solution", "blank")}
        finally:
            os.chdir(cwd)
    return Scores(lab, max_auto, max_manual, scores["solution"], scores["blank"], in_sync, hidden)


def all_labs(root=ROOT):
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and p.name.startswith("lab"))


if __name__ == "__main__":
    for lab in sys.argv[1:] or all_labs():
        print(roundtrip(lab))
