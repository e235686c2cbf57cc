"""Real-browser tests: every lesson runs in JupyterLab in headless Chromium, its first Explorer answers each key press
on a slider with a new picture, and the nbgrader JupyterLab extensions load.

Needs Chromium (`apt-get install chromium`, or `chromium` on PATH) and the Python package playwright (its own driver;
never `playwright install`). Without either the module is skipped with the reason. Run only these tests with
`pytest tests/test_browser.py` or `pytest -m browser`.

The lessons are copied to a temporary directory that JupyterLab serves, so the browser never writes to `notebooks/`;
the JupyterLab settings, workspaces and runtime files live in that directory too. One screenshot per lesson goes to
`test-artifacts/browser/<lesson>.png` (pass or fail); the milliseconds from each key press to the changed picture
go to `test-artifacts/browser/key_to_picture.json` and the test output (a measurement, not asserted).
"""
import contextlib
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LESSONS = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def find_chromium():
    """The Chromium executable: Debian's /usr/bin/chromium, else `chromium` on PATH, else None."""
    if os.path.isfile("/usr/bin/chromium") and os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not found (/usr/bin/chromium or `chromium` on PATH); "
                                                "install it with `apt-get install chromium`"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (`pip install playwright`)")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1300, "height": 1500}
LESSON_TIMEOUT_S = 120      # run-all of one lesson; the lessons aim at <= 60 s headless on 2 cores
WIDGET_TIMEOUT_S = 30       # one slider round trip (seen: under a second)

KEY_PRESSES = 8             # slider steps timed per lesson (key press -> changed picture)
TIMINGS = ARTIFACTS / "key_to_picture.json"

NBGRADER_COMMANDS = ["nbgrader:open-assignment-list", "nbgrader:open-course-list", "nbgrader:open-formgrader",
                     "nbgrader:open-formgrader-local", "nbgrader:open-create-assignment"]
NBGRADER_PLUGINS = ["@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
                    "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                    "@jupyter/nbgrader:menu", "@jupyter/nbgrader:validate-assignment"]


# --------------------------------------------------------------------------------------------------- the server

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


class Lab:
    """A JupyterLab server on 127.0.0.1 serving a temporary copy of the lessons."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.root = tmp / "root"
        self.runtime = tmp / "runtime"
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = tmp / "jupyter.log"

    def start(self, timeout=90):
        shutil.copytree(ROOT / "notebooks", self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        home, config = self.tmp / "home", self.tmp / "config"
        settings = config / "lab" / "user-settings" / "@jupyterlab"
        _write_json(settings / "apputils-extension" / "notification.jupyterlab-settings", {"fetchNews": "false"})
        _write_json(settings / "notebook-extension" / "tracker.jupyterlab-settings", {"windowingMode": "none"})
        # nbgrader's assignment list: an exchange of our own (the default /srv/nbgrader/exchange is not ours);
        # nbgrader does not create it, and wants it writable by all (mode 777).
        (self.tmp / "exchange").mkdir()
        (self.tmp / "exchange").chmod(0o777)
        _write_json(config / "nbgrader_config.json", {"Exchange": {"root": str(self.tmp / "exchange")},
                                                      "CourseDirectory": {"course_id": "scalability-fundamentals"}})
        home.mkdir()
        env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(config),
               "JUPYTER_RUNTIME_DIR": str(self.runtime), "JUPYTER_DATA_DIR": str(self.tmp / "data"),
               "JUPYTERLAB_WORKSPACES_DIR": str(self.tmp / "workspaces"), "PYTHONUNBUFFERED": "1"}
        env.pop("JUPYTER_TOKEN", None)
        jupyter = pathlib.Path(sys.executable).with_name("jupyter")
        command = [str(jupyter) if jupyter.exists() else "jupyter", "lab", "--no-browser", f"--port={self.port}",
                   f"--IdentityProvider.token={self.token}", "--ServerApp.ip=127.0.0.1", "--allow-root",
                   f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
                   "--ServerApp.port_retries=0"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not answer /api/status in {timeout} s:"
                                       f"\n{self.log_tail()}") from None
                time.sleep(0.25)

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def api(self, method, path, timeout=10):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Shut down every session and kernel (the lessons' benchmarks stop their own servers in `finally`)."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=30)
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
        except (OSError, urllib.error.URLError):
            pass

    def _kernel_pids(self):
        """Kernels this server started: their command line names a connection file in our runtime directory."""
        pids, marker = [], str(self.runtime).encode()
        for entry in pathlib.Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if marker in (entry / "cmdline").read_bytes():
                        pids.append(int(entry.name))
                except OSError:
                    pass
        return pids

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.shutdown_kernels()
            try:
                self.api("POST", "/api/shutdown", timeout=10)
                self.proc.wait(timeout=20)
            except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pid in self._kernel_pids():  # a kernel left behind despite the shutdown
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    # Only loopback: any other host (fonts, news) is refused at once instead of hanging.
    context.route(lambda url: not url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")),
                  lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


def _open(page, lab, path=""):
    """Open /lab (or a file) in a fresh workspace, so no earlier tab comes back."""
    tree = f"/tree/{path}" if path else ""
    page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex}{tree}?reset&token={lab.token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")


def _screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), timeout=15_000)
    except Exception as exc:  # a screenshot must never hide the real failure
        print(f"screenshot {name} failed: {exc}")


# --------------------------------------------------------------------------------------------------- the lessons

# State of the notebook in the current tab, from JupyterLab's own model plus the rendered DOM.
NOTEBOOK_STATE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    if (!panel || !panel.content || !panel.sessionContext) return null;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
    const errors = [];
    cells.forEach((cell, index) => {
        for (const output of cell.model.outputs.toJSON()) {
            if (output.output_type === 'error') {
                errors.push(`code cell ${index + 1}: ${output.ename}: ${output.evalue}`);
            }
        }
    });
    // Errors rendered anywhere in the notebook, including inside widget Output areas (not in the cell model).
    // JupyterLab renders an error output as text with the *stderr* mime type, like a warning, so look for the
    // traceback instead (warnings on stderr are not errors).
    const rendered = [...panel.node.querySelectorAll('.jp-OutputArea-output')]
        .filter(node => node.getAttribute('data-mime-type') === 'application/vnd.jupyter.error'
                        || node.textContent.includes('Traceback (most recent call last)')).length;
    const broken = [...panel.node.querySelectorAll('.jp-OutputArea-output')]
        .filter(node => node.textContent.includes('Error displaying widget')).length;
    const prompts = cells.map(cell => (cell.node.querySelector('.jp-InputArea-prompt') || {textContent: ''})
        .textContent.trim());
    return {
        ready: panel.sessionContext.isReady,
        kernel: kernel ? kernel.status : null,
        kernelName: kernel ? kernel.name : null,
        status: (document.querySelector('.jp-StatusBar-Widget') || {}).textContent || '',
        cells: cells.length,
        done: cells.filter(cell => cell.model.executionCount !== null).length,
        prompts, errors, rendered, broken,
    };
}"""


def _state(page):
    return page.evaluate(NOTEBOOK_STATE)


def _wait_kernel_idle(page, timeout_s=90):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.locator(".jp-Dialog .jp-mod-accept").count():  # "select kernel" dialog (no kernelspec metadata)
            page.locator(".jp-Dialog .jp-mod-accept").first.click()
        state = _state(page)
        if state and state["ready"] and state["kernel"] == "idle" and page.get_by_text("| Idle").count():
            return state
        time.sleep(0.25)
    raise AssertionError(f"the kernel did not become idle in {timeout_s} s: {_state(page)}")


def _run_all(page, timeout_s):
    """Run all cells; return when every code cell has a number and the kernel is idle, or a cell failed."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + timeout_s
    settled = 0
    while time.monotonic() < deadline:
        time.sleep(0.5)
        state = _state(page)
        finished = (state["done"] == state["cells"] and state["kernel"] == "idle"
                    and all(prompt[1:-2].isdigit() for prompt in state["prompts"]))
        failed = (state["errors"] or state["rendered"]) and state["kernel"] == "idle"
        settled = settled + 1 if (finished or failed) else 0
        if settled >= 2:  # idle twice in a row: nothing queued any more
            return state
    state = _state(page)
    raise AssertionError(f"run-all did not finish in {timeout_s} s: {state['done']}/{state['cells']} cells ran, "
                         f"kernel {state['kernel']}, prompts {state['prompts']}")


# Marks the first Explorer (scalelab.widgets.base adds the sl-explorer classes) that shows a picture and has a
# slider, and records, for each key press on that slider, the milliseconds until its picture changed.
TIME_PICTURES = """() => {
    const explorer = [...document.querySelectorAll('.sl-explorer')].find(node =>
        node.querySelector('.sl-explorer-output img') && node.querySelector('.sl-explorer-control [role=slider]'));
    if (!explorer) return null;
    const img = explorer.querySelector('.sl-explorer-output img');
    const handle = explorer.querySelector('.sl-explorer-control [role=slider]');
    window.__slTimes = [];
    window.__slKey = null;
    handle.addEventListener('keydown', () => { window.__slKey = performance.now(); }, true);
    new MutationObserver(() => {
        if (window.__slKey !== null) {
            window.__slTimes.push(performance.now() - window.__slKey);
            window.__slKey = null;
        }
    }).observe(img, {attributes: true, attributeFilter: ['src']});
    handle.setAttribute('data-sl-timed', 'yes');
    return [...explorer.querySelector('.sl-explorer-control').classList].join(' ');
}"""


def _key_to_picture(page, presses=KEY_PRESSES):
    """Press an arrow key on the first Explorer's slider ``presses`` times, waiting for each new picture; return
    (the slider's CSS classes, values seen, milliseconds from each key press to the changed picture)."""
    classes = page.evaluate(TIME_PICTURES)
    assert classes, "no Explorer with a picture and a slider was found in the lesson"
    handle = page.locator("[data-sl-timed=yes]").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    values, direction = [handle.get_attribute("aria-valuenow")], "ArrowRight"
    for press in range(presses):
        if float(values[-1]) >= float(handle.get_attribute("aria-valuemax")):
            direction = "ArrowLeft"
        elif float(values[-1]) <= float(handle.get_attribute("aria-valuemin")):
            direction = "ArrowRight"
        handle.press(direction)
        deadline = time.monotonic() + WIDGET_TIMEOUT_S
        while page.evaluate("() => window.__slTimes.length") <= press:
            assert time.monotonic() < deadline, \
                f"{classes}: the picture did not change within {WIDGET_TIMEOUT_S} s after key press {press + 1}"
            time.sleep(0.005)
        values.append(handle.get_attribute("aria-valuenow"))  # (a rounded readout may repeat; the picture changed)
    return classes, values, page.evaluate("() => window.__slTimes")


def _record_timings(lesson, classes, times_ms):
    """Keep each lesson's key -> picture times in test-artifacts/browser/key_to_picture.json (a report, not a test)."""
    import fcntl
    import statistics

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "key_to_picture.lock", "w") as lock:  # test processes running side by side share the file
        fcntl.flock(lock, fcntl.LOCK_EX)
        table = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
        table[lesson] = {"slider": classes.split()[-1], "median_ms": round(statistics.median(times_ms), 1),
                         "max_ms": round(max(times_ms), 1), "presses": len(times_ms)}
        TIMINGS.write_text(json.dumps(table, indent=1, sort_keys=True))
    return table[lesson]


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_and_explorer_responds(lab, page, lesson):
    name = lesson.removesuffix(".ipynb")
    timings = {}
    start = time.monotonic()
    try:
        _open(page, lab, lesson)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
        state = _wait_kernel_idle(page)
        assert state["kernelName"] == "python3", state
        timings["open"] = time.monotonic() - start
        run_start = time.monotonic()
        state = _run_all(page, LESSON_TIMEOUT_S)
        timings["run_all"] = time.monotonic() - run_start
        assert not state["errors"], f"{lesson}: cells raised:\n" + "\n".join(state["errors"])
        assert not state["rendered"], f"{lesson}: {state['rendered']} error output(s) rendered (widget output?)"
        assert not state["broken"], f"{lesson}: a widget failed to display"
        if name[:2] != "00":  # every lesson but the first has at least one Explorer
            classes, values, times_ms = _key_to_picture(page)
            timings["key to picture median"] = _record_timings(name, classes, times_ms)["median_ms"] / 1000
            print(f"\n{lesson}: {classes.split()[-1]} moved {' -> '.join(values)}; key -> picture (ms): "
                  f"{', '.join(f'{t:.0f}' for t in times_ms)}", end="")
            state = _state(page)
            assert not state["errors"] and not state["rendered"], f"{lesson}: error after moving {classes}"
    finally:
        _screenshot(page, name)
        lab.shutdown_kernels()
        timings["total"] = time.monotonic() - start
        print(f"\n{lesson}: " + ", ".join(f"{key} {value:.1f} s" for key, value in timings.items()))


# --------------------------------------------------------------------------------------------------- nbgrader

def _is_ignorable(message):
    location = (message.location or {}).get("url", "") or ""
    text = message.text
    if "favicon" in location or "favicon" in text:
        return True
    # Requests we refuse on purpose (fonts, news): anything not on loopback.
    if location and not location.startswith("http://127.0.0.1"):
        return True
    return "net::ERR_FAILED" in text and "127.0.0.1" not in text


def test_nbgrader_extensions_load(lab, page):
    errors = []
    page.on("console", lambda message: errors.append(message) if message.type == "error" else None)
    page_errors = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        _open(page, lab)
        plugins = page.evaluate("(ids) => ids.filter(id => !window.jupyterapp.isPluginActivated(id))",
                                NBGRADER_PLUGINS)
        assert not plugins, f"nbgrader lab plugins not activated: {plugins}"
        menu = page.locator(".lm-MenuBar-item", has_text="Nbgrader")
        assert menu.count() == 1, "no Nbgrader menu in the menu bar"
        menu.click()
        page.locator("#jp-mainmenu-nbgrader").wait_for(state="visible", timeout=10_000)
        items = page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel").all_inner_texts()
        assert any("Assignment List" in item for item in items), f"Nbgrader menu items: {items}"
        page.keyboard.press("Escape")
        missing = page.evaluate("(ids) => ids.filter(id => !window.jupyterapp.commands.hasCommand(id))",
                                NBGRADER_COMMANDS)
        assert not missing, f"nbgrader commands missing: {missing}"
        page.evaluate("() => window.jupyterapp.commands.execute('nbgrader:open-assignment-list')")
        panel = page.locator("#nbgrader-assignment-list")
        panel.get_by_text("Released assignments").wait_for(state="visible", timeout=30_000)
        # The server answered the panel's requests: no "loading" left and no exchange error.
        page.wait_for_function("""() => {
            const node = document.querySelector('#nbgrader-assignment-list');
            return node && !/loading/i.test(node.innerText);
        }""", timeout=30_000)
        text = panel.inner_text()
        assert "exchange directory does not exist" not in text, text
        assert "Error fetching courses" not in text, text
        _screenshot(page, "nbgrader-assignment-list")
        # The validate extension puts a "Validate" button on every notebook's toolbar (not clicked: it would save).
        _open(page, lab, LESSONS[0])
        page.locator(".jp-NotebookPanel-toolbar .validate-button").first.wait_for(state="visible", timeout=60_000)
        page.wait_for_timeout(1000)  # late console errors of the notebook view
        kept = [f"{m.text} ({(m.location or {}).get('url', '')})" for m in errors if not _is_ignorable(m)]
        ignored = [m.text for m in errors if _is_ignorable(m)]
        print(f"\nnbgrader: {len(errors)} console error(s), {len(ignored)} ignored (non-loopback, favicon): {ignored}")
        assert not kept, "console errors:\n" + "\n".join(kept)
        assert not page_errors, "uncaught page errors:\n" + "\n".join(page_errors)
    finally:
        _screenshot(page, "nbgrader")
        lab.shutdown_kernels()
