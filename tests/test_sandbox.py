"""What a sandboxed process can see and reach: the system read-only, its own folder, nothing of the course."""
import os
import shutil
import socket
import subprocess
import sys

import pytest

from scalelab import sandbox

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")


def test_available_means_bwrap_is_on_the_path():
    assert sandbox.available() == (shutil.which("bwrap") is not None)


@pytest.fixture
def course(tmp_path):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "solutions" / "answer.txt").write_text("the solution")
    (course / "gradebook.db").write_text("grades")
    work = tmp_path / "work"
    work.mkdir()
    return course, work


def inside(course, work, code):
    argv = sandbox.command([sys.executable, "-c", code], work, course)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def test_the_course_is_hidden_and_the_work_folder_writable(course):
    course, work = course
    done = inside(course, work, "import os, pathlib\n"
                  f"print(sorted(os.listdir({str(course)!r})))\n"
                  "pathlib.Path('made.txt').write_text('ok')\n"
                  "print(os.getcwd())")
    assert done.returncode == 0, done.stderr
    listed, cwd = done.stdout.splitlines()
    assert listed == "[]" and cwd == str(work)
    assert (work / "made.txt").read_text() == "ok"


def test_the_package_is_importable_and_read_only(course):
    course, work = course
    done = inside(course, work, "import scalelab, pathlib\n"
                  "target = pathlib.Path(scalelab.__file__).parent / 'planted.py'\n"
                  "try:\n    target.write_text('x')\nexcept OSError as exc:\n    print('refused', exc.errno)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused")


def test_tmp_and_home_are_private(course, tmp_path):
    course, work = course
    marker = tmp_path / "grader-secret.txt"
    marker.write_text("secret")
    done = inside(course, work, f"import os\nprint(os.path.exists({str(marker)!r}), os.environ['HOME'])\n"
                  "print(sorted(os.listdir(os.path.expanduser('~root'))) if os.path.isdir('/root') else [])")
    assert done.returncode == 0, done.stderr
    exists, home = done.stdout.splitlines()[0].split()
    assert exists == "False" and home.startswith(str(work))


def test_the_graders_loopback_ports_are_out_of_reach(course):
    course, work = course
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        done = inside(course, work, "import socket\ntry:\n"
                      f"    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    print('reached')\n"
                      "except OSError:\n    print('refused')\n"
                      "s = socket.create_server(('127.0.0.1', 0)); print('own loopback', s.getsockname()[1] > 0)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["refused", "own loopback True"]


def test_a_child_cannot_outlive_the_sandbox(course):
    course, work = course
    code = ("import os, subprocess, sys, time\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], start_new_session=True)\n"
            "print(os.getpid(), flush=True)\ntime.sleep(120)")
    argv = sandbox.command([sys.executable, "-c", code], work, course)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert process.stdout.readline().strip() == "2"  # its own pid namespace: it is pid 2 under bwrap's init
        import psutil

        descendants = psutil.Process(process.pid).children(recursive=True)
        assert len(descendants) >= 2
    finally:
        process.kill()
        process.wait(timeout=10)
    gone, alive = psutil.wait_procs(descendants, timeout=10)
    assert not alive, f"left running: {alive}"


def test_temporary_files_are_real_files_in_the_work_folder(course):
    course, work = course
    (work / ".tmp").mkdir()
    done = inside(course, work, "import os, tempfile\n"
                  "with tempfile.NamedTemporaryFile('w', delete=False) as f:\n"
                  "    f.write('x')\n    os.fsync(f.fileno())\nprint(f.name)")
    assert done.returncode == 0, done.stderr
    path = done.stdout.strip()
    assert path.startswith(str(work / ".tmp")) and (work / ".tmp" / os.path.basename(path)).read_text() == "x"
