"""Where a learner's code runs while it is graded: a bubblewrap sandbox on Linux, a bare process elsewhere.

The sandbox sees the system read-only, a private /tmp and home, no network but its own loopback, its own process
tree (ended with the grader), and of the course only the package (read-only) and one throwaway folder: never the
gradebook, ``solutions/``, ``submitted/`` or another student. Without bubblewrap the same command runs as a plain
process of the grader's user: ``available()`` says which, and the classroom command prints it.
"""
import os
import pathlib
import shutil
import sys

HIDDEN_FILES = ("/etc/shadow", "/etc/gshadow")


def available():
    """True when bubblewrap is installed and can start a sandbox here."""
    return os.name == "posix" and shutil.which("bwrap") is not None


def _visible_paths(course):
    """Paths the learner's Python needs (interpreter, libraries, the package) that may sit below a hidden folder."""
    import scalelab

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             os.path.dirname(scalelab.__file__)}
    course = str(course)
    paths.update(p for p in sys.path if p and os.path.isdir(p) and os.path.realpath(p) != course)
    return sorted(os.path.realpath(p) for p in paths if os.path.exists(p))


def _under(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def command(argv, workdir, course):
    """``argv`` wrapped in bubblewrap: ``workdir`` (the throwaway folder) writable, ``course`` and home hidden."""
    workdir, course = os.path.realpath(workdir), os.path.realpath(course)
    home = os.path.realpath(os.path.expanduser("~"))
    hidden = ["/tmp", "/var/tmp", "/run", home, course]
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--ro-bind", "/", "/",
            "--dev", "/dev", "--proc", "/proc"]
    for folder in hidden:
        if os.path.isdir(folder):
            args += ["--tmpfs", folder]
    for path in _visible_paths(course):
        if any(_under(path, folder) for folder in hidden) and not _under(path, workdir):
            args += ["--ro-bind", path, path]
    for path in HIDDEN_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", "/dev/null", path]
    args += ["--bind", workdir, workdir, "--chdir", workdir, "--clearenv"]
    for name, value in environment(workdir).items():
        args += ["--setenv", name, value]
    return args + ["--"] + list(argv)


def environment(workdir):
    """The few variables a kernel needs: nothing of the grader's environment leaks in (tokens, paths, config)."""
    scripts = os.path.dirname(sys.executable)
    home = str(pathlib.Path(workdir) / ".home")
    return {"PATH": f"{scripts}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "PYTHONNOUSERSITE": "1", "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": f"{home}/.ipython", "MPLCONFIGDIR": f"{home}/.matplotlib", "TMPDIR": "/tmp"}
