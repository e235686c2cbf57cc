"""The USE method while a benchmark runs: for every resource, its Utilisation, Saturation and Errors, read with
psutil from a background thread (active benchmarking: confirm what limits the benchmark while it runs).

    with UseMonitor(interval_s=0.1, pids=[server.process.pid]) as monitor:
        run_the_benchmark()
    monitor.samples      # one row per sample
    monitor.table()      # one row per resource: utilisation, saturation, errors

Readings (per interval): CPU busy share of all cores and the run queue per core (runnable threads / cores, from
/proc/loadavg on Linux); I/O wait share; memory in use and swap activity; the busiest disk's busy share
(``busy_time``, Linux) and its mean requests in flight; loopback bytes/s and its error and drop counters; and for
each watched process its CPU share of one core.
"""
import os
import threading
import time

from .. import _validate as v


def _running_threads():
    """Runnable threads right now (the 4th field of /proc/loadavg, minus this reader); None off Linux."""
    try:
        with open("/proc/loadavg") as handle:
            return max(int(handle.read().split()[3].split("/")[0]) - 1, 0)
    except (OSError, ValueError, IndexError):
        return None


def _disk_totals(psutil):
    try:
        disks = psutil.disk_io_counters(perdisk=True) or {}
    except (RuntimeError, OSError):
        return {}
    return {name: d for name, d in disks.items() if not name.startswith(("loop", "ram", "zram"))}


class UseMonitor:
    """Sample the machine's resources every ``interval_s`` s (0.02 .. 5) in a background thread while the ``with``
    block runs; ``pids``: processes whose CPU share to record (they may exit meanwhile)."""

    def __init__(self, interval_s=0.1, pids=()):
        import psutil

        self.psutil = psutil
        self.interval_s = v.number("interval_s", interval_s, 0.02, 5.0)
        self.pids = [v.integer("pids", p, low=1) for p in pids]
        self.rows, self._stop, self._thread = [], threading.Event(), None

    def _read(self):
        ps = self.psutil
        procs = {}
        for pid in self.pids:
            try:
                procs[pid] = sum(ps.Process(pid).cpu_times()[:2])
            except (ps.NoSuchProcess, ps.AccessDenied):
                procs[pid] = None
        net = ps.net_io_counters(pernic=True).get("lo")
        return {"t": time.perf_counter(), "cpu": ps.cpu_times(), "mem": ps.virtual_memory(), "swap": ps.swap_memory(),
                "disks": _disk_totals(ps), "net": net, "procs": procs, "running": _running_threads()}

    def _row(self, a, b):
        dt = max(b["t"] - a["t"], 1e-9)
        total = sum(b["cpu"]) - sum(a["cpu"])
        idle = (b["cpu"].idle - a["cpu"].idle) + (getattr(b["cpu"], "iowait", 0) - getattr(a["cpu"], "iowait", 0))
        cores = os.cpu_count() or 1
        row = {"t_s": b["t"] - self.t0, "cpu_util": 1 - idle / total if total > 0 else 0.0,
               "iowait_share": (getattr(b["cpu"], "iowait", 0) - getattr(a["cpu"], "iowait", 0)) / total
               if total > 0 else 0.0,
               "run_queue_per_core": (b["running"] / cores) if b["running"] is not None else float("nan"),
               "mem_util": b["mem"].percent / 100,
               "swap_bytes_per_s": ((b["swap"].sin + b["swap"].sout) - (a["swap"].sin + a["swap"].sout)) / dt}
        busiest, busy, inflight = None, 0.0, 0.0
        for name, d in b["disks"].items():
            before = a["disks"].get(name)
            if before is None:
                continue
            share = (getattr(d, "busy_time", 0) - getattr(before, "busy_time", 0)) / 1000 / dt
            if share >= busy:
                busiest, busy = name, share
                inflight = ((d.read_time + d.write_time) - (before.read_time + before.write_time)) / 1000 / dt
        row.update({"disk": busiest, "disk_util": min(busy, 1.0), "disk_in_flight": inflight})
        if a["net"] is not None and b["net"] is not None:
            row["net_bytes_per_s"] = ((b["net"].bytes_sent + b["net"].bytes_recv)
                                      - (a["net"].bytes_sent + a["net"].bytes_recv)) / dt
            row["net_errors"] = sum(getattr(b["net"], f) - getattr(a["net"], f)
                                    for f in ("errin", "errout", "dropin", "dropout"))
        for pid in self.pids:
            x, y = a["procs"].get(pid), b["procs"].get(pid)
            row[f"proc_{pid}_cpu"] = (y - x) / dt if x is not None and y is not None else float("nan")
        return row

    def _loop(self):
        last = self._read()
        while not self._stop.wait(self.interval_s):
            now = self._read()
            self.rows.append(self._row(last, now))
            last = now
        now = self._read()  # the last, partial interval: a busy caller holding the GIL still gets one reading
        if now["t"] > last["t"]:
            self.rows.append(self._row(last, now))

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.rows = []
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    @property
    def samples(self):
        """One row per interval (a DataFrame)."""
        import pandas as pd

        return pd.DataFrame(self.rows)

    def table(self):
        """The USE table: one row per resource with utilisation, saturation (and what it is), errors."""
        return use_table(self.samples)


def use_table(samples):
    """Summarise UseMonitor samples: per resource, mean utilisation (0-1), mean saturation and its meaning, errors."""
    import pandas as pd

    if samples is None or len(samples) == 0:
        raise ValueError("samples must hold at least one reading: run the monitor for longer than one interval")
    mean = samples.mean(numeric_only=True)
    rows = [{"resource": "CPU (all cores)", "utilization": mean["cpu_util"],
             "saturation": mean["run_queue_per_core"], "saturation_is": "runnable threads per core (> 1: waiting)",
             "errors": 0},
            {"resource": "CPU waiting on I/O", "utilization": mean["iowait_share"], "saturation": float("nan"),
             "saturation_is": "share of CPU time idle while I/O was pending", "errors": 0},
            {"resource": "memory", "utilization": mean["mem_util"], "saturation": mean["swap_bytes_per_s"],
             "saturation_is": "swap traffic, bytes/s", "errors": 0},
            {"resource": f"disk {samples['disk'].dropna().iloc[0] if samples['disk'].notna().any() else ''}".strip(),
             "utilization": mean["disk_util"], "saturation": mean["disk_in_flight"],
             "saturation_is": "mean requests in flight", "errors": 0}]
    if "net_bytes_per_s" in samples:
        rows.append({"resource": "network (loopback)", "utilization": float("nan"),
                     "saturation": float("nan"), "saturation_is": f"{mean['net_bytes_per_s'] / 1e6:.2f} MB/s moved",
                     "errors": int(samples["net_errors"].sum())})
    for column in samples.columns:
        if column.startswith("proc_") and column.endswith("_cpu"):
            rows.append({"resource": f"process {column[5:-4]} CPU (one core = 1)", "utilization": mean[column],
                         "saturation": float("nan"), "saturation_is": "", "errors": 0})
    return pd.DataFrame(rows)
