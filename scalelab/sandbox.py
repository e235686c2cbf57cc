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
# The only system folders the sandbox sees (read-only): programs, libraries and /etc. Everything else of the machine
# (other checkouts of the course with their solutions, /opt, /srv, /var, /mnt, homes) is absent.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def available():
    """True when bubblewrap is installed and can start a sandbox here."""
    return os.name == "posix" and shutil.which("bwrap") is not None


def _visible_paths(course):
    """Paths the learner's Python needs beyond the system folders: the interpreter, its libraries, the package.

    Of ``sys.path`` only folders inside the Python installation count: not the grader's working folder, a Dask
    worker's scratch folder, or the checkout the package was installed from (which holds the solutions).
    """
    import scalelab

    installs = [os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)]
    paths = set(installs) | {os.path.dirname(os.path.realpath(sys.executable)),
                             os.path.dirname(os.path.realpath(scalelab.__file__))}
    course = os.path.realpath(str(course))
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real and os.path.isdir(real) and real != course and any(_under(real, p) for p in installs):
            paths.add(real)
    return sorted(p for p in paths if os.path.exists(p))


def _under(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def command(argv, workdir, course):
    """``argv`` wrapped in bubblewrap: ``workdir`` (the throwaway folder) writable, ``course`` and home hidden."""
    workdir, course = os.path.realpath(workdir), os.path.realpath(course)
    home = os.path.realpath(os.path.expanduser("~"))
    hidden = ["/tmp", "/var/tmp", "/run", home, course]
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-all"]
    shown = []
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
            shown.append(path)
    args += ["--dev", "/dev", "--proc", "/proc"]
    visible = [p for p in _visible_paths(course) if not any(_under(p, folder) for folder in shown)
               and not _under(p, workdir)]
    below_hidden = [p for p in visible if any(_under(p, folder) for folder in hidden)]
    for path in visible:  # first what lies outside the hidden folders, then the hidden ones emptied, then below them
        if path not in below_hidden:
            args += ["--ro-bind", path, path]
    for folder in hidden:
        if os.path.isdir(folder):
            args += ["--tmpfs", folder]
    for path in below_hidden:
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
            "IPYTHONDIR": f"{home}/.ipython", "MPLCONFIGDIR": f"{home}/.matplotlib",
            "TMPDIR": str(pathlib.Path(workdir) / ".tmp")}
