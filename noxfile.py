"""Quick paths through the test suite (`nox -s unit`, `nox -s notebooks`, ...); `nox -s all` is plain `pytest`.

Each session runs in the environment nox is started from (python=False): install the course first with
`pip install -r requirements.txt`, so the kernels the tests start use the same editable install.
The markers are declared in pyproject.toml and applied by place in tests/conftest.py."""
import pathlib

import nox

nox.options.sessions = ["unit"]

UNIT = "not notebook and not browser and not bench and not course"
GRADING = ["tests/course/test_labs.py", "tests/course/test_wrong_answers.py", "tests/test_classroom.py",
           "tests/test_classroom_honest.py", "tests/test_classroom_dask.py", "tests/test_judge.py",
           "tests/test_judge_agent.py", "tests/test_sandbox.py", "tests/test_redteam.py", "tests/test_exchange.py"]


@nox.session(python=False)
def unit(session):
    """Models, simulators, widgets and the package's helpers: no notebook, browser or benchmark process."""
    session.run("pytest", "-m", UNIT, *session.posargs)


@nox.session(python=False)
def bench(session):
    """The loopback benchmarks: real processes, sockets and files, cleaned up after each test."""
    session.run("pytest", "-m", "bench", *session.posargs)


@nox.session(python=False)
def notebooks(session):
    """Every lesson and lab solution executed by nbmake, and the tests that run notebooks themselves."""
    session.run("pytest", "-m", "notebook and not browser", *session.posargs)


@nox.session(python=False)
def browser(session):
    """Every lesson in JupyterLab in headless Chromium (skipped with a reason when Chromium is missing)."""
    session.run("pytest", "-m", "browser", *session.posargs)


@nox.session(python=False)
def grading(session):
    """The nbgrader round trip of every lab, the wrong answers, the sandboxed classroom command (judge, sandbox,
    red team, Dask) and the exchange."""
    paths = [path for path in GRADING if pathlib.Path(path).exists()]
    session.run("pytest", *paths, *session.posargs)


@nox.session(name="all", python=False)
def all_(session):
    """Everything: the README's command."""
    session.run("pytest", *session.posargs)
