"""Views of lesson 13 (the capstone): the system's tiers at each phase with its bottleneck, and cost against P95 (and
availability against its target) for every phase as the learner edits a plan.

Each explorer is a pure ``<view>_compute`` (tested without a browser), a ``<view>_setup`` that builds the figure
once with fixed axes and a ``<view>_draw`` that moves its artists (see ``scalelab.widgets.base``); the simulator is
``scalelab.sim.growth``.
"""
import functools
import json
import math

import ipywidgets as widgets
import numpy as np

from .. import _random
from .. import _validate as v
from ..sim import growth
from . import base

TIER_LABELS = {"cdn": "CDN", "load_balancer": "load balancer", "app": "app servers", "cache": "cache",
               "db_primary": "DB primaries", "db_replica": "DB replicas"}
UTIL_TOP = 1.5          # utilisation axis top; an overloaded tier is drawn at the edge
RATIO_TOP = 2.0         # cost / budget and P95 / target axes top
SAMPLES = 3000          # requests sampled per phase for the P95 in the views
PHASE_MARKERS = ("o", "s", "^", "D")
NEVER = "never"


def _bar(y, width, height=0.7):
    return [(0, y - height / 2), (width, y - height / 2), (width, y + height / 2), (0, y + height / 2)]


@functools.lru_cache(maxsize=256)
def _phase(plan_json, phase, capacity_rps, rng):
    plan = json.loads(plan_json)
    return growth.simulate_phase(plan, phase, capacity_rps, samples=SAMPLES, rng=_random.rng(rng))


# ------------------------------------------------------------------------------------------- tiers per phase

def tiers_compute(plans=None, plan="reference", phase="foundation", capacity_rps=None, rng=1):
    """The tiers of one plan at one phase: per tier of growth.TIERS its utilisation (NaN where the tier is absent),
    machines and P95 (ms); the bottleneck; the phase's score (a PhaseResult). plans: {label: plan}; plan: a label;
    phase: one of growth.PHASES; capacity_rps: one server's capacity (None: the default); rng: an int seed."""
    plans = plans or {"reference": growth.reference_plan(capacity_rps, rng=rng)}
    if plan not in plans:
        raise ValueError(f"plan must be one of {list(plans)}, got {plan!r}")
    if phase not in growth.PHASES:
        raise ValueError(f"phase must be one of {list(growth.PHASES)}, got {phase!r}")
    cap = None if capacity_rps is None else v.positive("capacity_rps", capacity_rps)
    seed = v.integer("rng", rng, low=0)
    result = _phase(json.dumps(growth.validate_plan(plans[plan])), phase, cap, seed)
    present = {t.name: t for t in result.tiers}
    util = np.array([present[n].utilization if n in present and present[n].servers else math.nan
                     for n in growth.TIERS])
    return {"result": result, "utilization": util, "present": tuple(n in present for n in growth.TIERS),
            "bottleneck": result.bottleneck, "plan": plan, "phase": phase}


def tiers_setup(fig, params):
    """Horizontal bars: utilisation of each tier's busiest machine at the phase's peak hour, the bottleneck in red,
    the 70 % the cache and database machines are planned at and saturation (100 %) as lines (app servers are
    planned on the measured capacity instead, lesson 08's method)."""
    from matplotlib.collections import PolyCollection

    ax = fig.add_subplot()
    y = np.arange(len(growth.TIERS))[::-1]
    bars = PolyCollection([_bar(yi, 0) for yi in y], facecolors="tab:blue", edgecolors="none", animated=True)
    bars.y = y
    ax.add_collection(bars)
    ax.axvline(growth.DEFAULT.utilization, color="tab:green", ls="--", lw=1, label="cache, database planned (70 %)")
    ax.axvline(1.0, color="black", ls=":", lw=1, label="saturated (100 %)")
    ax.set_xlim(0, UTIL_TOP)
    ax.set_ylim(-0.6, len(y) - 0.4)
    ax.set_yticks(y, [TIER_LABELS[n] for n in growth.TIERS], fontsize=8)
    ax.set_xlabel("utilisation of the busiest machine at the peak hour (red: the bottleneck)")
    ax.legend(fontsize=7, loc="lower right")
    return {"bars": bars}


def tiers_draw(artists, result, params=None):
    """Bars to the utilisations, the bottleneck in red; the caption lists machines and P95 per tier and the score."""
    bars, r = artists["bars"], result["result"]
    util = np.nan_to_num(np.minimum(result["utilization"], UTIL_TOP), nan=0.0)
    bars.set_verts([_bar(y, u) for y, u in zip(bars.y, util)])
    bars.set_facecolors(["tab:red" if n == result["bottleneck"] else "tab:blue" for n in growth.TIERS])
    parts = []
    for t in r.tiers:
        busy = "" if not t.servers else f", {t.utilization:.0%} busy" if t.utilization < 1 else ", OVERLOADED"
        parts.append(f"{TIER_LABELS[t.name]}: {t.machines} machine(s){busy}, P95 {t.p95_ms:.1f} ms")
    ok = r.meets
    return (f"{result['plan']} at {result['phase']} ({r.users:,} users, peak {r.peak_rps:,.0f} req/s): bottleneck "
            f"{TIER_LABELS[r.bottleneck]}.\n" + "; ".join(parts) +
            f".\nCost ${r.cost_usd:,.0f} of ${r.budget_usd:,.0f} {'ok' if ok['cost'] else 'OVER'}; P95 "
            f"{r.p95_ms:.1f} ms of {r.p95_target_ms:g} {'ok' if ok['p95'] else 'MISSED'}; availability "
            f"{growth._pct(r.availability)} of {growth._pct(r.availability_target)} "
            f"{'ok' if ok['availability'] else 'MISSED'}.")


def tiers_explorer(capacity_rps, plans=None, plan=None, phase="foundation"):
    """A plan, a phase and one server's capacity to look at: the tiers, their load and the bottleneck. plans:
    {label: plan} (default the reference plan for this capacity and growth.EXAMPLE_PLANS)."""
    plans = dict(plans or {"reference": growth.reference_plan(capacity_rps, rng=1), **growth.EXAMPLE_PLANS})
    for p in plans.values():
        growth.validate_plan(p)
    controls = {"plan": widgets.Dropdown(options=list(plans), value=plan or next(iter(plans)), description="plan"),
                "phase": widgets.Dropdown(options=list(growth.PHASES), value=phase, description="phase"),
                "capacity_rps": _capacity_slider(capacity_rps)}
    return base.Explorer(tiers_compute, tiers_draw, controls, setup=tiers_setup, css_class="lesson13-tiers",
                         fixed={"plans": plans}, size_in=(7.0, 3.0))


def _capacity_slider(capacity_rps):
    """One server's capacity (req/s): starts at the learner's, moves from a third of it to three times it."""
    cap = growth.default_capacity_rps() if capacity_rps is None else v.positive("capacity_rps", capacity_rps)
    value = float(max(1, round(cap)))
    low, high = min(value, max(10, round(cap / 3, -1))), max(value, round(3 * cap, -1))
    return base.slider(value, low, high, 10, "one server (req/s at P95 <= 50 ms)")


# --------------------------------------------------------------------------------------- cost against P95

def plan_from_choices(choices):
    """A plan from {intervention: phase it is added in, or "never"}; bigger_server may name several phases
    separated by "+" ("foundation+growth")."""
    plan = {p: [] for p in growth.PHASES}
    for step, when in choices.items():
        if step not in growth.INTERVENTIONS:
            raise ValueError(f"choices has an unknown intervention {step!r}: choose among {list(growth.INTERVENTIONS)}")
        if when == NEVER:
            continue
        for phase in str(when).split("+"):
            if phase not in growth.PHASES:
                raise ValueError(f"choices[{step!r}] must be 'never' or one of {list(growth.PHASES)}, got {when!r}")
            plan[phase].append(step)
    return growth.validate_plan(plan)


def plan_compute(capacity_rps=None, rng=1, **choices):
    """Every phase of the plan the choices make (``plan_from_choices``): cost / budget, P95 / target (inf when a
    tier is overloaded) and availability's nines against the target's nines, one entry per phase."""
    cap = None if capacity_rps is None else v.positive("capacity_rps", capacity_rps)
    seed = v.integer("rng", rng, low=0)
    plan = plan_from_choices(choices)
    key = json.dumps(plan)
    results = [_phase(key, p, cap, seed) for p in growth.PHASES]
    nines = lambda a: math.inf if a >= 1 else -math.log10(1 - a)  # noqa: E731
    return {"plan": plan, "results": results,
            "cost_ratio": np.array([r.cost_usd / r.budget_usd for r in results]),
            "p95_ratio": np.array([r.p95_ms / r.p95_target_ms for r in results]),
            "nines": np.array([nines(r.availability) for r in results]),
            "nines_target": np.array([nines(r.availability_target) for r in results])}


def plan_setup(fig, params):
    """Left: each phase as a point, cost / budget against P95 / target (inside the shaded box both are met); right:
    availability's nines per phase against the target's nines."""
    from matplotlib.patches import Rectangle

    left, right = fig.subplots(1, 2, width_ratios=(1.3, 1))
    left.add_patch(Rectangle((0, 0), 1, 1, color="tab:green", alpha=0.12, lw=0))
    points = [left.plot([], [], PHASE_MARKERS[i], ms=8, label=p, animated=True)[0]
              for i, p in enumerate(growth.PHASES)]
    path = left.plot([], [], "-", color="grey", lw=0.8, animated=True)[0]
    left.set_xlim(0, RATIO_TOP)
    left.set_ylim(0, RATIO_TOP)
    left.set_xlabel("monthly cost / budget")
    left.set_ylabel("P95 / target (top edge: overloaded)")
    left.legend(fontsize=7, loc="upper right")
    x = np.arange(len(growth.PHASES))
    bars = right.bar(x, np.zeros(len(x)), color="tab:blue", animated=True)
    target = right.plot(x, np.zeros(len(x)), "_", color="black", ms=22, mew=2, label="target", animated=True)[0]
    right.set_xticks(x, ["found.", "growth", "scale", "optim."], fontsize=8)
    right.set_ylim(0, 7)
    right.set_ylabel("availability (nines)")
    right.legend(fontsize=7, loc="upper left")
    return {"points": points, "path": path, "bars": bars, "target": target}


def plan_draw(artists, result, params=None):
    """Points, bars and targets to this plan; the caption scores each phase."""
    cost = np.minimum(result["cost_ratio"], RATIO_TOP * 0.98)
    p95 = np.where(np.isfinite(result["p95_ratio"]), np.minimum(result["p95_ratio"], RATIO_TOP * 0.98),
                   RATIO_TOP * 0.98)
    for point, x, y in zip(artists["points"], cost, p95):
        point.set_data([x], [y])
    artists["path"].set_data(cost, p95)
    for bar, n in zip(artists["bars"], np.minimum(result["nines"], 6.8)):
        bar.set_height(n)
    artists["target"].set_ydata(result["nines_target"])
    lines = []
    for r in result["results"]:
        ok = r.meets
        missed = [k for k, good in ok.items() if not good]
        lines.append(f"{r.phase}: ${r.cost_usd:,.0f}/${r.budget_usd:,.0f}, P95 {r.p95_ms:.0f}/{r.p95_target_ms:g} ms, "
                     f"{growth._pct(r.availability)}/{growth._pct(r.availability_target)}, bottleneck "
                     f"{TIER_LABELS[r.bottleneck]}: {'PASS' if not missed else 'misses ' + ', '.join(missed)}")
    return "\n".join(lines)


def plan_explorer(capacity_rps, plan=None):
    """One dropdown per intervention: the phase it is added in (or never; bigger_server takes up to three phases),
    and one server's capacity. plan: the plan to start from (default: the reference plan for this capacity)."""
    start = growth.validate_plan(plan if plan is not None else growth.reference_plan(capacity_rps, rng=1))
    when = {s: NEVER for s in growth.INTERVENTIONS}
    for phase in growth.PHASES:
        for step in start[phase]:
            when[step] = phase if when[step] == NEVER else f"{when[step]}+{phase}"
    controls = {}
    for step in growth.INTERVENTIONS:
        options = [NEVER, *growth.PHASES]
        if step == "bigger_server":
            options += ["foundation+growth", "foundation+scale", "growth+scale", "foundation+growth+scale"]
        if when[step] not in options:
            options.append(when[step])
        controls[step] = widgets.Dropdown(options=options, value=when[step], description=step,
                                          style={"description_width": "initial"},
                                          layout=widgets.Layout(width="230px"))
    controls["capacity_rps"] = _capacity_slider(capacity_rps)
    return base.Explorer(plan_compute, plan_draw, controls, setup=plan_setup, css_class="lesson13-plan",
                         size_in=(7.0, 3.0))
