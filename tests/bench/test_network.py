"""Lesson 09's benchmarks on small runs: right results, bad input refused, and nothing left behind (no process, no
open port, no temporary file) after success, after an exception and after Ctrl-C (KeyboardInterrupt)."""
import gzip
import http.client
import time

import numpy as np
import pytest

from scalelab.bench import network
from tests.leftovers import nothing_left

ERRORS = [RuntimeError, KeyboardInterrupt]


# ------------------------------------------------------------------------------------------------------- network
def test_payload_is_exact_deterministic_and_compressible():
    data = network.payload(10_000)
    assert len(data) == 10_000 and data == network.payload(10_000) and network.payload(0) == b""
    assert len(gzip.compress(data, 6)) < len(data) / 3
    with pytest.raises(ValueError, match="n_bytes"):
        network.payload(-1)


def test_the_link_adds_its_delay_and_limits_its_bandwidth(started):
    with network.PayloadServer() as server, network.Link(server.port, delay_ms=10) as link:
        seconds, body, headers = network.fetch(link.port, "/bytes?n=1000&gzip=6")
        assert gzip.decompress(body) == network.payload(1000) and headers["Content-Encoding"] == "gzip"
        assert seconds >= 0.040                             # a new connection: handshake + request/reply, 4 x 10 ms
        kept = http.client.HTTPConnection("127.0.0.1", link.port, timeout=10)
        network.fetch(link.port, "/bytes?n=10", kept)
        seconds, body, _ = network.fetch(link.port, "/bytes?n=1000", kept)
        kept.close()
        assert body == network.payload(1000) and seconds >= 0.020    # one round trip, 2 x 10 ms
        link.set(delay_ms=0, bandwidth=100_000)             # for the next connections: 100 kB/s
        seconds, body, _ = network.fetch(link.port, "/bytes?n=10000")
        assert len(body) == 10_000 and seconds >= 0.1       # 10 kB cannot cross a 100 kB/s wire faster
        time.sleep(0.12)                                    # the link writes its counters every 50 ms
        stats = link.stats()
        assert stats["down"]["bytes"] > 11_000 and stats["down"]["busy_s"] >= 0.1
    nothing_left(started)


@pytest.mark.parametrize("error", ERRORS)
def test_linked_payload_is_stopped_after_an_exception(started, scratch, error):
    with pytest.raises(error), network.linked_payload(delay_ms=1) as link:
        assert network.fetch(link.port, "/health")[1]
        raise error()
    nothing_left(started, scratch)


def test_latency_sweep_new_connections_pay_the_handshake(started, scratch):
    frame = network.latency_sweep(delays_ms=(0, 15), requests=3)
    assert len(frame) == 4
    at = frame[frame["delay_ms"] == 15].set_index("connection")["median_ms"]
    assert at["kept alive"] >= 30 and at["new per request"] >= 60          # 2 and 4 one-way delays
    assert at["new per request"] > at["kept alive"]
    nothing_left(started, scratch)


def test_bandwidth_sweep_goodput_stays_below_the_bandwidth(started, scratch):
    frame = network.bandwidth_sweep(sizes_bytes=(1000, 100_000), bandwidth=2_000_000, delay_ms=1, repeats=1)
    assert frame["bytes_received"].tolist() == [1000, 100_000]
    assert (frame["goodput_bytes_per_s"] <= 2_000_000).all()
    assert frame["goodput_bytes_per_s"].iloc[1] > 3 * frame["goodput_bytes_per_s"].iloc[0]   # small: round trips
    nothing_left(started, scratch)


def test_compression_levels_and_over_a_link(started, scratch):
    levels = network.compression_levels(size_bytes=50_000, levels=(0, 1, 6), repeats=2).set_index("level")
    assert levels.loc[0, "bytes"] == 50_000 and levels.loc[0, "ratio"] == 1
    assert np.isnan(levels.loc[0, "break_even_bandwidth"])
    assert levels.loc[6, "bytes"] < levels.loc[1, "bytes"] < 50_000
    assert levels.loc[6, "break_even_bandwidth"] == pytest.approx(
        (50_000 - levels.loc[6, "bytes"]) / ((levels.loc[6, "compress_ms"] + levels.loc[6, "decompress_ms"]) / 1000))
    over = network.compression_over_link(bandwidths=(500_000,), size_bytes=50_000, level=6, repeats=1)
    by = over.set_index("gzip_level")
    assert by.loc[0, "wire_bytes"] == 50_000 and by.loc[6, "wire_bytes"] == levels.loc[6, "bytes"]
    assert by.loc[0, "seconds"] >= 0.1 > by.loc[6, "seconds"]   # 50 kB at 500 kB/s; gzip sends ~7 kB
    with pytest.raises(ValueError, match="levels"):
        network.compression_levels(levels=(10,))
    with pytest.raises(ValueError, match="bandwidths"):
        network.compression_over_link(bandwidths=(0,))
    nothing_left(started, scratch)


def test_keep_alive_through_a_link(started, scratch):
    frame = network.keep_alive(requests=4, delay_ms=15)
    assert len(frame) == 8
    medians = frame.groupby("connection")["ms"].median()
    assert medians["new per request"] >= 60 and medians["new per request"] > medians["kept alive"] >= 30
    nothing_left(started, scratch)


@pytest.mark.parametrize("call, word", [
    (lambda: network.Link(0), "target_port"), (lambda: network.Link(80, delay_ms=-1), "delay_ms"),
    (lambda: network.Link(80, bandwidth=-1), "bandwidth"), (lambda: network.latency_sweep(requests=0), "requests"),
    (lambda: network.bandwidth_sweep(bandwidth=0), "bandwidth"), (lambda: network.keep_alive(delay_ms=-1), "delay_ms"),
])
def test_network_rejects_bad_input(call, word):
    with pytest.raises(ValueError, match=word):
        call()
