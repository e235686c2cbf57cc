"""A load generator for loopback HTTP services, open-loop and closed-loop.

Open loop: requests are *scheduled* at a fixed arrival rate whatever the server does, and latency is measured
from the scheduled send time, so a slow server cannot hide its queue (no coordinated omission).
Closed loop: a fixed number of users each send a request, wait for the reply, think, and repeat.

Every request records: scheduled, start, first byte, end (seconds from the test's start) and HTTP status
(0 when the connection failed or timed out).
"""
import asyncio
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from .. import _random
from .. import _validate as v
from ..models import metrics

ARRIVALS = ("uniform", "poisson")


async def _one_request(host, port, path, timeout, t0):
    """Send one GET on a new connection; return (start, first_byte, end, status) in seconds since t0."""
    start = time.perf_counter() - t0
    first = np.nan
    writer = None
    try:
        async def exchange():
            nonlocal first, writer
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            status_line = await reader.readline()
            first = time.perf_counter() - t0
            await reader.read()  # the rest, until the server closes
            return int(status_line.split()[1])

        status = await asyncio.wait_for(exchange(), timeout)
    except (TimeoutError, OSError, IndexError, ValueError):
        status = 0
    finally:
        if writer is not None:
            writer.close()
    return start, first, time.perf_counter() - t0, status


async def _sleep_until(when, t0):
    """Sleep until ``when`` seconds after the perf_counter reading ``t0`` (at once if that time has passed)."""
    delay = when - (time.perf_counter() - t0)
    if delay > 0:
        await asyncio.sleep(delay)


def _split(url):
    parts = urlparse(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"url must point at this machine (127.0.0.1 or localhost), got {url!r}")
    path = parts.path or "/"
    return parts.hostname, parts.port, path + (f"?{parts.query}" if parts.query else "")


def _run_in_thread(coroutine_factory):
    """Run an asyncio coroutine to completion in a fresh thread (works inside Jupyter's running loop).

    Ctrl-C in the caller stops the generator: in-flight requests finish or time out, then KeyboardInterrupt is
    re-raised.
    """
    stop = threading.Event()
    box = {}

    def target():
        try:
            box["result"] = asyncio.run(coroutine_factory(stop))
        except BaseException as exc:  # handed back to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        stop.set()
        thread.join()
        raise
    if "error" in box:
        raise box["error"]
    return box["result"]


@dataclass
class LoadResult:
    """Per-request records of one load test plus how it was driven."""

    requests: pd.DataFrame
    mode: str
    offered_rate: float = np.nan
    users: int = 0
    info: dict = field(default_factory=dict)

    def summary(self, apdex_t=0.050):
        """Throughput (ok replies/s), error rate, latency percentiles (ms), TTFB percentiles (ms), Apdex at apdex_t s,
        mean_in_flight: the sum of the requests' latencies over the run's span (Little's L computed from the same
        records as throughput x mean latency), and sampled_in_flight: the mean of the generator's own count of
        outstanding requests, read every couple of milliseconds while the test ran (NaN when not sampled)."""
        row = summarize_requests(self.requests, apdex_t, offered_rate=self.offered_rate, users=self.users)
        samples = self.info.get("in_flight_samples")
        row["sampled_in_flight"] = float(np.mean(samples)) if samples is not None and len(samples) else np.nan
        row["in_flight_samples"] = int(len(samples)) if samples is not None else 0
        return row


def summarize_requests(frame, apdex_t=0.050, offered_rate=np.nan, users=0):
    """Summarize a per-request DataFrame (columns scheduled, start, ttfb, end, status) as a dict of figures."""
    v.positive("apdex_t", apdex_t)
    is_ok = (frame["status"] == 200).to_numpy()
    ok = frame[is_ok]
    span = float(frame["end"].max() - frame["scheduled"].min()) if len(frame) else np.nan
    latency = (frame["end"] - frame["scheduled"]).to_numpy()
    figures = metrics.request_summary(latency * 1000, is_ok, span if span > 0 else None)
    row = {"mode": "open" if users == 0 else "closed", "offered_rps": offered_rate, "users": users,
           **{k: figures[k] for k in ("requests", "ok", "error_rate", "throughput_rps")},
           "mean_in_flight": float(latency.sum() / span) if span > 0 else np.nan}
    if len(ok):
        ttfb_ms = (ok["ttfb"] - ok["start"]).to_numpy() * 1000
        row.update({k: figures[k] for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms")})
        row.update({"ttfb_p50_ms": float(np.median(ttfb_ms)), "ttfb_p95_ms": float(np.percentile(ttfb_ms, 95)),
                    "apdex": metrics.apdex(latency[is_ok], apdex_t)})
    return row


def _frame(records, scheduled):
    frame = pd.DataFrame(records, columns=["start", "ttfb", "end", "status"])
    frame.insert(0, "scheduled", scheduled)
    frame["latency_s"] = frame["end"] - frame["scheduled"]    # what a user waits: from when they meant to send
    frame["response_s"] = frame["end"] - frame["start"]       # what a naive tool measures: from the actual send
    frame["ttfb_s"] = frame["ttfb"] - frame["start"]
    return frame


def open_loop(url, rate, requests=200, arrivals="poisson", timeout=5.0, max_in_flight=2000, sample_every_s=0.002,
              rng=None):
    """Send ``requests`` GETs to a loopback ``url`` at ``rate`` requests/s, whatever the server does.

    arrivals: "poisson" (exponential gaps, seeded through scalelab.seed) or "uniform" (evenly spaced).
    A request scheduled while max_in_flight are outstanding is not sent and counts as an error (status 0).
    Every ``sample_every_s`` seconds a sampler reads how many requests are outstanding: due by the schedule and not
    yet finished (like a monitoring agent reading a gauge, from two counters); the readings are in
    ``info["in_flight_samples"]`` and their mean is the summary's ``sampled_in_flight``, a measure of L that does
    not come from the per-request times.
    """
    host, port, path = _split(url)
    rate = v.positive("rate", rate)
    n = v.integer("requests", requests, low=1, high=1_000_000)
    v.positive("timeout", timeout)
    v.integer("max_in_flight", max_in_flight, low=1)
    every_s = v.positive("sample_every_s", sample_every_s)
    if arrivals not in ARRIVALS:
        raise ValueError(f"arrivals must be one of {ARRIVALS}, got {arrivals!r}")
    if arrivals == "poisson":
        gaps = _random.rng(rng).exponential(1 / rate, n)
        scheduled = np.cumsum(gaps) - gaps[0]
    else:
        scheduled = np.arange(n) / rate

    samples = []

    async def drive(stop):
        t0 = time.perf_counter()
        tasks, records = [], [None] * n
        in_flight = finished = 0
        done = asyncio.Event()

        async def sample():  # one reading per tick of a fixed clock; a late wake-up fills the ticks it missed
            ticks = 0
            while not done.is_set():
                now = time.perf_counter() - t0
                due = int(np.searchsorted(scheduled, now, side="right"))  # requests whose send time has come
                now_ticks = int(now / every_s) + 1
                samples.extend([due - finished] * (now_ticks - ticks))
                ticks = now_ticks
                await _sleep_until(ticks * every_s, t0)

        sampler = asyncio.create_task(sample())

        async def send(i):
            nonlocal in_flight, finished
            in_flight += 1
            try:
                records[i] = await _one_request(host, port, path, timeout, t0)
            finally:
                in_flight -= 1
                finished += 1

        for i, when in enumerate(scheduled):
            if stop.is_set():
                break
            await _sleep_until(when, t0)
            if in_flight >= max_in_flight:
                now = time.perf_counter() - t0
                records[i] = (now, np.nan, now, 0)
                finished += 1
                continue
            tasks.append(asyncio.create_task(send(i)))
        await asyncio.gather(*tasks)
        done.set()
        await sampler
        return [r for r in records if r is not None]

    records = _run_in_thread(drive)
    return LoadResult(_frame(records, scheduled[:len(records)]), "open", offered_rate=rate,
                      info={"in_flight_samples": np.asarray(samples, dtype=float), "sample_every_s": every_s})


def closed_loop(url, users, requests_per_user=20, think_time=0.0, timeout=5.0, rng=None):
    """``users`` concurrent users each send a GET, wait for the reply, think (exponential, mean think_time s),
    repeat."""
    host, port, path = _split(url)
    u = v.integer("users", users, low=1, high=1000)
    per_user = v.integer("requests_per_user", requests_per_user, low=1, high=100_000)
    think = v.non_negative("think_time", think_time)
    v.positive("timeout", timeout)
    thinks = _random.rng(rng).exponential(think, (u, per_user)) if think > 0 else np.zeros((u, per_user))

    async def drive(stop):
        t0 = time.perf_counter()

        async def user(k):
            out = []
            for j in range(per_user):
                if stop.is_set():
                    break
                out.append(await _one_request(host, port, path, timeout, t0))
                await asyncio.sleep(thinks[k, j])
            return out

        per_user_records = await asyncio.gather(*(user(k) for k in range(u)))
        return [r for records in per_user_records for r in records]

    records = _run_in_thread(drive)
    starts = [r[0] for r in records]
    return LoadResult(_frame(records, starts), "closed", users=u, info={"think_time": think})


def scheduled_loop(url, scheduled_s, timeout=5.0):
    """Open-loop load from an explicit schedule: request i is sent at scheduled_s[i] seconds after the start,
    whatever the server does. Returns the per-request frame of ``open_loop`` (scheduled, start, ttfb, end, status,
    latency_s, response_s, ttfb_s)."""
    host, port, path = _split(url)
    scheduled = v.samples("scheduled_s", scheduled_s)
    v.positive("timeout", timeout)
    if np.any(np.diff(scheduled) < 0):
        raise ValueError("scheduled_s must be sorted (non-decreasing)")

    async def drive(stop):
        t0 = time.perf_counter()
        tasks = []
        for when in scheduled:
            if stop.is_set():
                break
            await _sleep_until(when, t0)
            tasks.append(asyncio.create_task(_one_request(host, port, path, timeout, t0)))
        return list(await asyncio.gather(*tasks))

    records = _run_in_thread(drive)
    return _frame(records, scheduled[:len(records)])


def paced_user_loop(url, rate, requests, timeout=5.0, stall_at_s=None, stall_s=0.0):
    """One user who means to send every 1/rate s but waits for each reply first (a closed loop pacing itself).

    Optionally a single slow request of stall_s seconds is sent to ``url?ms=...`` at stall_at_s, from the side,
    freezing a one-worker LoopbackService (a pause such as a GC or a lock). Returns a per-request frame with
    intended, start, end, status, naive_s (end - start, what the tool records) and corrected_s (end - intended).
    """
    host, port, path = _split(url)
    rate = v.positive("rate", rate)
    n = v.integer("requests", requests, low=1, high=100_000)
    v.positive("timeout", timeout)
    intended = np.arange(n) / rate

    async def drive(stop):
        t0 = time.perf_counter()
        stall = None
        if stall_at_s is not None:
            async def side():
                await asyncio.sleep(stall_at_s)
                await _one_request(host, port, f"{path}?ms={stall_s * 1000:.0f}", timeout, t0)
            stall = asyncio.create_task(side())
        records = []
        for when in intended:
            if stop.is_set():
                break
            await _sleep_until(when, t0)
            records.append(await _one_request(host, port, path, timeout, t0))
        if stall is not None:
            await stall
        return records

    records = _run_in_thread(drive)
    frame = pd.DataFrame(records, columns=["start", "ttfb", "end", "status"]).drop(columns="ttfb")
    frame.insert(0, "intended", intended[:len(records)])
    frame["naive_s"] = frame["end"] - frame["start"]
    frame["corrected_s"] = frame["end"] - frame["intended"]
    return frame


def rate_sweep(url, rates, seconds=2.0, apdex_t=0.050, warmup_requests=0, warmup_rps=100.0, **kwargs):
    """Run open_loop at each rate for about ``seconds`` each; one summary row per rate (see LoadResult.summary).

    warmup_requests (0..100,000): requests sent first at ``warmup_rps`` (req/s, > 0) and not measured, so that a
    fresh server's first connections, thread start-up and caches do not land in the first rate's percentiles.
    """
    v.positive("seconds", seconds)
    warmup = v.integer("warmup_requests", warmup_requests, low=0, high=100_000)
    warmup_rate = v.positive("warmup_rps", warmup_rps)
    if warmup:
        open_loop(url, warmup_rate, requests=warmup, **kwargs)
    rows = []
    for rate in rates:
        result = open_loop(url, rate, requests=max(1, int(round(rate * seconds))), **kwargs)
        rows.append(result.summary(apdex_t))
    return pd.DataFrame(rows)
