"""Regenerate labs/<lab>/ (student versions) from solutions/<lab>/ with nbgrader generate_assignment.

    python tools/release_labs.py            # every lab
    python tools/release_labs.py lab01_measuring

Runs in a temporary course directory, so no gradebook.db is left in the repository.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]


def generate(labs, root=ROOT, out=None):
    """Generate the student versions of ``labs`` from root/solutions into ``out`` (default root/labs)."""
    out = pathlib.Path(out or root / "labs")
    with tempfile.TemporaryDirectory(prefix="scalelab-release-") as tmp:
        course = pathlib.Path(tmp)
        shutil.copytree(root / "solutions", course / "solutions", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        config = (root / "nbgrader_config.py").read_text().replace(
            "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))",
            f"c.CourseDirectory.root = {str(course)!r}")
        (course / "nbgrader_config.py").write_text(config)
        for lab in labs:
            subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force",
                            "--log-level=WARN"], cwd=course, check=True, env=tool_env())
            shutil.rmtree(out / lab, ignore_errors=True)
            shutil.copytree(course / "labs" / lab, out / lab)


def tool_env():
    """The environment with this interpreter's scripts folder first on PATH (nbgrader runs `alembic` from there)."""
    scripts = os.path.dirname(sys.executable)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


def all_labs(root=ROOT):
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and p.name.startswith("lab"))


if __name__ == "__main__":
    generate(sys.argv[1:] or all_labs())
