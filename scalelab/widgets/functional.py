"""Views of lesson 05 (functional scaling): where a request's time goes across service boundaries, availability of a
call chain, and the tail of a fan-out.

Each view is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure once and
a ``<view>_draw`` that moves its artists, wired by ``Explorer`` (see ``scalelab.widgets.base``). The formulas live in
``scalelab.models.microservices`` and ``scalelab.models.availability``.
"""
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import _validate as v
from ..models import availability as availability_model
from ..models import microservices as ms
from . import base
from ._axes import sticky_ceiling

# Bottoms of the availability axis (%): the axis changes only when the weakest chain crosses one of them.
AVAILABILITY_FLOORS_PCT = (99.9, 99.8, 99.5, 99.0, 98.0, 97.0, 95.0, 90.0, 80.0, 70.0, 50.0, 25.0, 0.0)


def _downtime_hours(availability):
    """Hours per year a request path with this availability is down."""
    return availability_model.downtime(float(availability)).total_seconds() / 3600


def chain_availability_compute(services=5, availability=0.999, replicas=2, max_services=20):
    """Availability of a chain of 1..max_services services, with one copy each and with ``replicas`` copies each.

    services: the chosen chain length, 1..max_services; availability: of one copy, in [0, 1]; replicas: copies of
    each service, 1..100 (one up is enough); max_services: 1..10000. Returns a dict: k (array), single (array, one
    copy), redundant (array, ``replicas`` copies), and at the chosen ``services``: single_at_k, redundant_at_k,
    downtime_hours_single and downtime_hours_redundant (hours/year).
    """
    top = v.integer("max_services", max_services, low=1, high=10_000)
    n = v.integer("services", services, low=1, high=top)
    a = v.probability("availability", availability)
    r = v.integer("replicas", replicas, low=1, high=100)
    k = np.arange(1, top + 1)
    single = np.array([ms.chain_availability(int(i), a, 1) for i in k])
    redundant = np.array([ms.chain_availability(int(i), a, r) for i in k])
    at_single, at_redundant = float(single[n - 1]), float(redundant[n - 1])
    return {"k": k, "single": single, "redundant": redundant, "single_at_k": at_single,
            "redundant_at_k": at_redundant, "downtime_hours_single": _downtime_hours(at_single),
            "downtime_hours_redundant": _downtime_hours(at_redundant), "services": n, "replicas": r,
            "availability": a}


def _availability_floor_pct(lowest):
    """The axis bottom (%) that shows a chain availability as low as ``lowest`` (0-1) with a little room."""
    below = 100 - 1.1 * (100 - 100 * lowest)
    return next((floor for floor in AVAILABILITY_FLOORS_PCT if floor <= below), 0.0)


def chain_availability_setup(fig, params):
    """Availability (%) against chain length; both curves, the chosen k and its two marks move."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax,
               "single": ax.plot([], [], "o-", ms=3, label="1 copy of each service", **moving)[0],
               "redundant": ax.plot([], [], "s-", ms=3, label="r copies of each service (slider)", **moving)[0],
               "chosen": ax.axvline(1, color="grey", lw=0.8, ls=":", label="your chain length k", **moving),
               "marks": ax.plot([], [], "o", color="black", ms=6, mfc="none", **moving)[0]}
    ax.set_xlim(0.5, params["max_services"] + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.set_xlabel("services the request passes through (k)")
    ax.set_ylabel("availability of the request (%)")
    ax.set_title("Availability along a call chain")
    ax.legend(fontsize=8, loc="lower left")
    return artists


def chain_availability_draw(artists, result, params=None):
    """Move the curves and the chosen chain; the caption gives its availability and downtime per year."""
    k, n = result["k"], result["services"]
    artists["single"].set_data(k, 100 * result["single"])
    artists["redundant"].set_data(k, 100 * result["redundant"])
    artists["chosen"].set_xdata([n, n])
    artists["marks"].set_data([n, n], [100 * result["single_at_k"], 100 * result["redundant_at_k"]])
    bottom = _availability_floor_pct(float(result["single"].min()))
    artists["ax"].set_ylim(bottom, 100 + 0.03 * (100 - bottom))
    return (f"k = {n} services at {100 * result['availability']:.2f} % each: one copy of each gives "
            f"{100 * result['single_at_k']:.3f} % ({result['downtime_hours_single']:.1f} h down a year); "
            f"{result['replicas']} copies of each give {100 * result['redundant_at_k']:.4f} % "
            f"({result['downtime_hours_redundant']:.2f} h a year).")


def chain_availability_explorer(services=5, availability=0.999, replicas=2, max_services=20):
    """Explorer: services in the chain, availability of one copy, copies (replicas) of each service."""
    controls = {
        "services": base.slider(services, 1, max_services, 1, "services in the chain k", integer=True),
        "availability": base.slider(availability, 0.9, 0.9999, 0.0001, "availability of one copy",
                                    readout_format=".4f"),
        "replicas": base.slider(replicas, 1, 4, 1, "copies of each service", integer=True),
    }
    return base.Explorer(chain_availability_compute, chain_availability_draw, controls,
                         setup=chain_availability_setup, css_class="lesson05-chain-availability",
                         fixed={"max_services": max_services})


def _points(name_k, measured_k, name_v, measured_v):
    """Two equal-length float arrays of the learner's points (empty when none)."""
    if len(measured_k) == 0 and len(measured_v) == 0:
        return np.array([]), np.array([])
    ks, values = v.samples(name_k, measured_k), v.samples(name_v, measured_v)
    if ks.size != values.size:
        raise ValueError(f"{name_k} and {name_v} must have the same length, got {ks.size} and {values.size}")
    return ks, values


def boundary_compute(services=4, service_time_ms=1.0, hop_ms=1.0, hops_per_call=1, max_services=10, measured_k=(),
                     measured_ms=()):
    """Latency of a request that visits ``services`` business functions, in one process and split into services.

    services: 1..max_services; service_time_ms: work each function does (ms, >= 0); hop_ms: one process-to-process call
    (ms, >= 0); hops_per_call: calls each boundary crossing makes (1 direct, 3 through two sidecar proxies), 1..10;
    max_services: 1..100; measured_k, measured_ms: the learner's points (services, median latency in ms).
    Model: monolith k * service_time_ms (a function call costs microseconds); split
    k * (service_time_ms + hops_per_call * hop_ms).
    Returns k (array), monolith_ms and split_ms (arrays), at the chosen k: monolith_at_k, split_at_k, and
    boundary_share (the share of the split request's time spent crossing boundaries, 0-1).
    """
    top = v.integer("max_services", max_services, low=1, high=100)
    n = v.integer("services", services, low=1, high=top)
    work = v.non_negative("service_time_ms", service_time_ms)
    hop = v.non_negative("hop_ms", hop_ms)
    hops = v.integer("hops_per_call", hops_per_call, low=1, high=10)
    ks, values = _points("measured_k", measured_k, "measured_ms", measured_ms)
    k = np.arange(1, top + 1, dtype=float)
    monolith, split = k * work, k * (work + hops * hop)
    per_call = work + hops * hop
    return {"k": k, "monolith_ms": monolith, "split_ms": split, "monolith_at_k": float(monolith[n - 1]),
            "split_at_k": float(split[n - 1]), "boundary_share": hops * hop / per_call if per_call > 0 else 0.0,
            "services": n, "hops_per_call": hops, "measured_k": ks, "measured_ms": values}


def boundary_setup(fig, params):
    """Request latency against the functions it visits: both model lines and the chosen k move; the learner's
    points are static."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax, "top": None,
               "monolith": ax.plot([], [], "-", color="tab:green", label="monolith: k × work", **moving)[0],
               "split": ax.plot([], [], "-", color="tab:blue", label="services: k × (work + hops × hop)",
                                **moving)[0],
               "marks": ax.plot([], [], "o", color="red", ms=6, label="your k", **moving)[0]}
    ks, values = _points("measured_k", params.get("measured_k", ()), "measured_ms", params.get("measured_ms", ()))
    if ks.size:
        ax.plot(ks, values, "o", color="black", mfc="none", label="your measurement (median)")
        artists["measured_top"] = float(values.max())
    else:
        artists["measured_top"] = 0.0
    ax.set_xlim(0.5, params["max_services"] + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.set_xlabel("business functions the request visits (k)")
    ax.set_ylabel("request latency (ms)")
    ax.set_title("Work and boundary crossings")
    ax.legend(fontsize=8, loc="upper left")
    return artists


def boundary_draw(artists, result, params=None):
    """Move the lines and the chosen k (the y-axis steps only when a line leaves it); the caption gives the share."""
    k, n = result["k"], result["services"]
    artists["monolith"].set_data(k, result["monolith_ms"])
    artists["split"].set_data(k, result["split_ms"])
    artists["marks"].set_data([n, n], [result["monolith_at_k"], result["split_at_k"]])
    needed = max(float(result["split_ms"][-1]), artists["measured_top"], 1e-3) * 1.1
    artists["top"] = sticky_ceiling(artists["top"], needed)
    artists["ax"].set_ylim(0, artists["top"])
    return (f"k = {n}: {result['monolith_at_k']:.2f} ms in one process, {result['split_at_k']:.2f} ms split into "
            f"services with {result['hops_per_call']} call(s) per crossing: "
            f"{100 * result['boundary_share']:.0f} % of the split request is spent crossing boundaries.")


def boundary_explorer(services=4, service_time_ms=1.0, hop_ms=1.0, hops_per_call=1, max_services=10, measured_k=(),
                      measured_ms=()):
    """Explorer: functions visited, work per function, cost of one hop, calls per crossing (3 with sidecars)."""
    controls = {
        "services": base.slider(services, 1, max_services, 1, "functions visited k", integer=True),
        "service_time_ms": base.slider(float(service_time_ms), 0.0, 20.0, 0.1, "work per function (ms)"),
        "hop_ms": base.slider(float(hop_ms), 0.05, 5.0, 0.05, "one hop (ms)"),
        "hops_per_call": base.slider(hops_per_call, 1, 5, 1, "hops per crossing", integer=True),
    }
    fixed = {"max_services": max_services, "measured_k": tuple(measured_k), "measured_ms": tuple(measured_ms)}
    return base.Explorer(boundary_compute, boundary_draw, controls, setup=boundary_setup,
                         css_class="lesson05-boundary", fixed=fixed)


def _shares(measured_k, measured_share):
    """The learner's (k, share of slow requests) points as float arrays (empty when none)."""
    if len(measured_k) == 0 and len(measured_share) == 0:
        return np.array([]), np.array([])
    ks = v.samples("measured_k", measured_k)
    shares = v.samples("measured_share", measured_share)
    if ks.size != shares.size:
        raise ValueError(f"measured_k and measured_share must have the same length, got {ks.size} and {shares.size}")
    if np.any(ks < 1) or np.any(shares > 1):
        raise ValueError("measured_k must hold service counts >= 1 and measured_share fractions in [0, 1]")
    return ks, shares


def fanout_tail_compute(services=10, call_percentile=99.0, max_services=100, measured_k=(), measured_share=()):
    """Chance that a request calling ``services`` services in parallel meets at least one call slower than the
    per-call ``call_percentile`` (e.g. 99: the P99), for 1..max_services services.

    services: 1..max_services; call_percentile: in (0, 100); max_services: 1..100000; measured_k and
    measured_share: the learner's points (services called, share of requests that met a slow call, 0-1).
    Returns a dict: k (array), chance (array, 0-1), chance_at_k, max_percentile (which percentile of the request's
    slowest call that per-call percentile becomes, 0-100), measured_k and measured_share.
    """
    top = v.integer("max_services", max_services, low=1, high=100_000)
    n = v.integer("services", services, low=1, high=top)
    q = v.number("call_percentile", call_percentile, 0, 100, low_open=True, high_open=True)
    ks, shares = _shares(measured_k, measured_share)
    p_slow = 1 - q / 100
    k = np.arange(1, top + 1)
    chance = np.array([ms.fanout_slow_chance(int(i), p_slow) for i in k])
    return {"k": k, "chance": chance, "chance_at_k": float(chance[n - 1]),
            "max_percentile": 100 * (1 - float(chance[n - 1])), "measured_k": ks, "measured_share": shares,
            "services": n, "call_percentile": q}


def fanout_tail_setup(fig, params):
    """Share of requests that meet a slow call against k; the model curve and the chosen k move, the learner's
    measured points are static."""
    ax = fig.add_subplot()
    moving = dict(animated=True)
    artists = {"ax": ax,
               "model": ax.plot([], [], "-", label="model 1 − (1 − p)^k, p = 1 − percentile", **moving)[0],
               "chosen": ax.plot([], [], "o", color="red", ms=7, label="your k", **moving)[0]}
    ks, shares = _shares(params.get("measured_k", ()), params.get("measured_share", ()))
    if ks.size:
        ax.plot(ks, 100 * shares, "o", color="black", label="your measurement")
    ax.set_xlim(0, params["max_services"] + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.set_ylim(0, 100)
    ax.set_xlabel("services called in parallel per request (k)")
    ax.set_ylabel("requests that wait for a slow call (%)")
    ax.set_title("Fan-out: the tail at scale")
    ax.legend(fontsize=8, loc="lower right")
    return artists


def fanout_tail_draw(artists, result, params=None):
    """Move the model curve and the chosen k; the caption gives the chance and the percentile it becomes."""
    artists["model"].set_data(result["k"], 100 * result["chance"])
    artists["chosen"].set_data([result["services"]], [100 * result["chance_at_k"]])
    q = result["call_percentile"]
    return (f"k = {result['services']}: {100 * result['chance_at_k']:.1f} % of requests meet a call beyond the "
            f"per-call P{q:g}; that per-call P{q:g} is only the P{result['max_percentile']:.1f} of the request.")


def fanout_tail_explorer(services=10, call_percentile=99.0, max_services=100, measured_k=(), measured_share=()):
    """Explorer: services called in parallel, and which per-call percentile counts as 'slow' (99 = the P99)."""
    controls = {
        "services": base.slider(services, 1, max_services, 1, "services called in parallel k", integer=True),
        "call_percentile": base.slider(call_percentile, 90.0, 99.99, 0.01, "slow = beyond per-call percentile",
                                       readout_format=".2f"),
    }
    fixed = {"max_services": max_services, "measured_k": tuple(measured_k), "measured_share": tuple(measured_share)}
    return base.Explorer(fanout_tail_compute, fanout_tail_draw, controls, setup=fanout_tail_setup,
                         css_class="lesson05-fanout-tail", fixed=fixed)


def _frame(name, frame, columns):
    if not set(columns) <= set(getattr(frame, "columns", [])) or len(frame) == 0:
        raise ValueError(f"{name} must be a non-empty DataFrame with columns {list(columns)}")


def plot_chain(table, per_hop_ms):
    """Measured P50 and P99 of chains of k services (``metrics.latency_table`` rows: k, p50, p99, ms) beside the model
    k × per_hop_ms; returns a Figure."""
    _frame("table", table, ("k", "p50", "p99"))
    hop = v.positive("per_hop_ms", per_hop_ms)
    ks = table["k"].to_numpy()
    fig, ax = base.figure(6.5, 3.2)
    ax.plot(ks, table["p50"], "o-", label="measured P50")
    ax.plot(ks, table["p99"], "s-", label="measured P99")
    ax.plot(ks, [ms.chain_latency_ms(int(k), hop) for k in ks], "k--", label=f"model k x {hop:.2f} ms per hop")
    ax.set_xlabel("services in the chain (k)")
    ax.set_ylabel("latency of one request (ms)")
    ax.set_xticks(ks)
    ax.legend()
    ax.set_title("Latency amplification along a call chain")
    return fig


def plot_chain_success(success, availability):
    """Measured share of requests that succeed (a Series indexed by chain length k, fractions) beside the model
    availability^k, in per cent; returns a Figure."""
    a = v.probability("availability", availability)
    if len(getattr(success, "index", [])) == 0:
        raise ValueError("success must be a non-empty Series indexed by chain length k")
    ks = list(success.index)
    fig, ax = base.figure(6.5, 3.2)
    ax.plot(ks, 100 * success.to_numpy(), "o", color="black", label="measured")
    ax.plot(ks, [100 * ms.chain_availability(int(k), a) for k in ks], "--", label=f"model {a:g}^k")
    ax.set_xlabel("services in the chain (k)")
    ax.set_ylabel("requests that succeed (%)")
    ax.set_xticks(ks)
    ax.set_ylim(min(70, 100 * float(success.min()) - 5), 100)
    ax.legend()
    return fig


def plot_fanout(fan, p_slow, slow_ms, service_time_ms=0.0):
    """Two panels for a fan-out measurement (``metrics.latency_table`` rows with k, share_slow, p50, p99): the share of
    requests meeting a slow call against 1 - (1 - p_slow)^k, and the P50 / P99 against the bimodal model's P99.
    fast = the measured P50 of one call; a slow call takes slow_ms *instead of* its service_time_ms (ms,
    0 <= service_time_ms <= slow_ms), so a slow request takes fast - service_time_ms + slow_ms; returns a Figure."""
    _frame("fan", fan, ("k", "share_slow", "p50", "p99"))
    p = v.probability("p_slow", p_slow)
    slow = v.positive("slow_ms", slow_ms)
    work = v.number("service_time_ms", service_time_ms, 0, slow)
    fast_ms = float(fan["p50"].iloc[0])
    k_range = np.arange(1, int(fan["k"].max()) + 1)
    fig, _ = base.figure(9.0, 3.2)
    fig.clf()
    left, right = fig.subplots(1, 2)
    left.plot(fan["k"], 100 * fan["share_slow"], "o", color="black", label="measured")
    left.plot(k_range, [100 * ms.fanout_slow_chance(int(k), p) for k in k_range], "--", label=f"model 1 - {1 - p:g}^k")
    left.set_xlabel("services called in parallel (k)")
    left.set_ylabel("requests meeting a slow call (%)")
    left.legend()
    right.plot(fan["k"], fan["p99"], "o-", label="measured P99")
    right.plot(fan["k"], fan["p50"], "s-", label="measured P50")
    model_p99 = [ms.fanout_percentile_bimodal(fast_ms, fast_ms - work + slow, p, int(k)) for k in k_range]
    right.step(k_range, model_p99, "k--", where="mid", label="model P99")
    right.set_xlabel("services called in parallel (k)")
    right.set_ylabel("request latency (ms)")
    right.legend()
    return fig


def plot_scaling_costs(names, instances, cost_per_instance, monolith_copies):
    """Monthly cost of each function scaled on its own (instances × price) beside its share inside the monolith's
    copies (monolith_copies × price), as horizontal bars; returns a Figure. Prices in dollars per month."""
    inst = np.asarray(instances, dtype=float)
    price = np.asarray(cost_per_instance, dtype=float)
    labels = list(names)
    if not (len(labels) == inst.size == price.size) or inst.size == 0:
        raise ValueError("names, instances and cost_per_instance must be non-empty and of the same length")
    copies = v.integer("monolith_copies", monolith_copies, low=1)
    rows = np.arange(inst.size)
    fig, ax = base.figure(6.5, 3.2)
    ax.barh(rows + 0.2, inst * price, height=0.4, label=f"scaled independently (total ${(inst * price).sum():,.0f})")
    ax.barh(rows - 0.2, copies * price, height=0.4,
            label=f"inside {copies} monolith copies (total ${copies * price.sum():,.0f})")
    ax.set_yticks(rows, labels)
    ax.set_xlabel("cost of each function at peak ($ per month)")
    ax.legend(fontsize=8)
    return fig


def plot_communication_paths(max_developers=80, max_team_size=8):
    """Communication paths n(n-1)/2 in one team against two-pizza teams (at most max_team_size each, plus one path
    per pair of teams), for 2..max_developers developers; returns a Figure."""
    top = v.integer("max_developers", max_developers, low=3, high=10_000)
    size = v.integer("max_team_size", max_team_size, low=2)
    developers = np.arange(2, top + 1)
    fig, ax = base.figure(6.5, 3.2)
    ax.plot(developers, [ms.communication_paths(int(n)) for n in developers], label="one team")
    ax.plot(developers, [ms.communication_paths(int(n), teams=ms.two_pizza_teams(int(n), size)) for n in developers],
            label=f"two-pizza teams (<= {size} each) + one path per pair of teams")
    ax.axvspan(8, 10, color="orange", alpha=0.3, label="8-10 developers")
    ax.set_xlabel("developers")
    ax.set_ylabel("communication paths")
    ax.legend(fontsize=8)
    return fig
