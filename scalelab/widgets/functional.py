"""Widgets of lesson 05 (functional scaling): availability of a call chain, and the tail of a fan-out."""
import numpy as np

from ..models import availability as availability_model
from ..models import microservices as ms
from .base import Explorer, figure, slider


def chain_availability_compute(services, availability, replicas, max_services=20):
    """Availability of a chain of 1..max_services services, with one copy each and with ``replicas`` copies each.

    Returns a dict: k (array), single (array, one copy), redundant (array, ``replicas`` copies), and at the chosen
    ``services``: single_at_k, redundant_at_k, downtime_hours_single and downtime_hours_redundant (hours/year).
    """
    top = max(int(max_services), int(services))
    k = np.arange(1, top + 1)
    single = np.array([ms.chain_availability(int(n), availability, 1) for n in k])
    redundant = np.array([ms.chain_availability(int(n), availability, replicas) for n in k])
    at_single, at_redundant = single[services - 1], redundant[services - 1]
    return {"k": k, "single": single, "redundant": redundant, "single_at_k": float(at_single),
            "redundant_at_k": float(at_redundant), "downtime_hours_single": _downtime_hours(at_single),
            "downtime_hours_redundant": _downtime_hours(at_redundant)}


def _downtime_hours(availability):
    """Hours per year a request path with this availability is down."""
    return availability_model.downtime(float(availability)).total_seconds() / 3600


def chain_availability_draw(result, params):
    """Availability (%) vs services in the chain, one copy vs replicas, with the chosen chain marked."""
    fig, ax = figure()
    k, n = result["k"], params["services"]
    ax.plot(k, 100 * result["single"], "o-", ms=3, label="1 copy of each service")
    ax.plot(k, 100 * result["redundant"], "s-", ms=3, label=f"{params['replicas']} copies of each service")
    ax.axvline(n, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("services the request passes through (k)")
    ax.set_ylabel("availability of the request (%)")
    ax.set_title(f"k = {n}: {100 * result['single_at_k']:.3f} % "
                 f"({result['downtime_hours_single']:.0f} h down/year) -> "
                 f"{100 * result['redundant_at_k']:.4f} % ({result['downtime_hours_redundant']:.1f} h/year)",
                 fontsize=9)
    ax.legend(fontsize=8, loc="lower left")
    return fig


def chain_availability_explorer(services=5, availability=0.999, replicas=2, max_services=20):
    """Explorer: services in the chain, availability of one copy, copies (replicas) of each service."""
    controls = {
        "services": slider(services, 1, max_services, 1, "services in the chain k", integer=True),
        "availability": slider(availability, 0.9, 0.9999, 0.0001, "availability of one copy",
                               readout_format=".4f"),
        "replicas": slider(replicas, 1, 4, 1, "copies of each service", integer=True),
    }
    return Explorer(chain_availability_compute, chain_availability_draw, controls,
                    css_class="lesson05-chain-availability", fixed={"max_services": max_services})


def fanout_tail_compute(services, call_percentile, max_services=100, measured_k=(), measured_share=()):
    """Chance that a request calling ``services`` services in parallel meets at least one call slower than the
    per-call ``call_percentile`` (e.g. 99: the P99), for 1..max_services services.

    Returns a dict: k (array), chance (array, 0-1), chance_at_k, max_percentile (which percentile of the slowest
    call that per-call percentile becomes, 0-100), measured_k and measured_share (the learner's points, if any).
    """
    p_slow = 1 - call_percentile / 100
    top = max(int(max_services), int(services))
    k = np.arange(1, top + 1)
    chance = np.array([ms.fanout_slow_chance(int(n), p_slow) for n in k])
    return {"k": k, "chance": chance, "chance_at_k": float(chance[services - 1]),
            "max_percentile": 100 * (1 - float(chance[services - 1])),
            "measured_k": np.asarray(measured_k, dtype=float), "measured_share": np.asarray(measured_share, dtype=float)}


def fanout_tail_draw(result, params):
    """Chance (%) that a request meets a slow call vs the number of parallel calls, with measured points."""
    fig, ax = figure()
    k, n = result["k"], params["services"]
    ax.plot(k, 100 * result["chance"], "-", label=f"model 1 - (1 - p)^k, p = {100 - params['call_percentile']:.2f} %")
    if result["measured_k"].size:
        ax.plot(result["measured_k"], 100 * result["measured_share"], "o", color="black", label="your measurement")
    ax.plot([n], [100 * result["chance_at_k"]], "o", color="red", ms=7)
    ax.set_xlabel("services called in parallel per request (k)")
    ax.set_ylabel("requests that wait for a slow call (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"k = {n}: {100 * result['chance_at_k']:.1f} % of requests are slow; "
                 f"the per-call P{params['call_percentile']:g} is now only the P{result['max_percentile']:.1f}",
                 fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def fanout_tail_explorer(services=10, call_percentile=99.0, max_services=100, measured_k=(), measured_share=()):
    """Explorer: services called in parallel, and which per-call percentile counts as 'slow' (99 = the P99)."""
    controls = {
        "services": slider(services, 1, max_services, 1, "services called in parallel k", integer=True),
        "call_percentile": slider(call_percentile, 90.0, 99.99, 0.01, "slow = beyond per-call percentile",
                                  readout_format=".2f"),
    }
    fixed = {"max_services": max_services, "measured_k": tuple(measured_k), "measured_share": tuple(measured_share)}
    return Explorer(fanout_tail_compute, fanout_tail_draw, controls, css_class="lesson05-fanout-tail", fixed=fixed)
