"""Capacity planning: the requests/s a number of users sends, how many servers a load needs at one server's
capacity under a P95 target, the spare servers that survive one server or one zone down, whether they meet the P95
target, what they cost per month, what availability each scale tier asks for, and which scaling step a set of
symptoms calls for.

Rates are in requests per second (RPS), times in seconds unless a name says ``_ms``, money in dollars.
The P95 check uses the exact response-time distribution of a FIFO M/M/c queue (see ``queueing.response_time_tail``).
The functions that need the tier table take it as an argument (``scalelab.datasets.load_scale_tiers()``);
nothing here reads a file.
"""
import math

from .. import _validate as v
from . import availability, queueing

HOURS_PER_MONTH = 365 * 24 / 12   # 730 h: the same month as availability.downtime(..., "month")

# The scaling path, simplest first: each step is taken only when a symptom calls for it.
SCALING_PATH = ("monolith", "load_balancer", "caching_layer", "read_replicas", "horizontal_scaling",
                "microservices", "data_partitioning")

# Symptom -> the step on the path that treats it, and why.
SYMPTOM_RULES = {
    "single_server_cpu_saturated": ("load_balancer", "one box is out of CPU: spread requests over identical servers"),
    "single_point_of_failure": ("load_balancer", "one server down means the site is down: add a second behind an LB"),
    "repeated_reads_of_same_data": ("caching_layer",
                                    "the same answers are computed again and again: keep them in memory"),
    "database_read_load_high": ("read_replicas",
                                "reads swamp the database even with a cache: copy it to read replicas"),
    "traffic_swings_daily": ("horizontal_scaling", "load varies a lot: add and remove servers automatically"),
    "app_tier_at_capacity_with_lb": ("horizontal_scaling", "the pool behind the LB is full: add servers (auto-scale)"),
    "teams_block_each_others_deploys": ("microservices", "one codebase couples teams: split by business domain"),
    "one_feature_needs_own_scaling": ("microservices", "one part has a different load: let it scale on its own"),
    "database_write_load_high": ("data_partitioning", "one primary cannot take the writes: split the data (shard)"),
    "dataset_exceeds_one_machine": ("data_partitioning", "the data no longer fits one machine: partition it"),
}


# --- servers -------------------------------------------------------------------------------------------------

def servers_needed(target_rps, per_server_rps, utilization=0.7, headroom=0.0):
    """Smallest whole number of servers N with N * per_server_rps * utilization >= target_rps * (1 + headroom).

    target_rps >= 0 and per_server_rps > 0 in requests/s; utilization in (0, 1]: the share of each server's
    capacity you plan to use; headroom >= 0: extra load to absorb above target (0.3 = 30 % for growth, spikes).
    At least one server.
    """
    target = v.non_negative("target_rps", target_rps)
    per_server = v.positive("per_server_rps", per_server_rps)
    u = v.number("utilization", utilization, 0, 1, low_open=True)
    extra = v.non_negative("headroom", headroom)
    exact = target * (1 + extra) / (per_server * u)
    return max(1, math.ceil(exact - 1e-9))


def planned_utilization(target_rps, per_server_rps, servers):
    """Share of the fleet's capacity a target load uses: target_rps / (servers * per_server_rps), in requests/s."""
    target = v.non_negative("target_rps", target_rps)
    per_server = v.positive("per_server_rps", per_server_rps)
    n = v.integer("servers", servers, low=1)
    return target / (n * per_server)


def capacity_from_sweep(rates, p95_ms, error_rates, p95_target_ms, max_error_rate=0.001):
    """Highest offered rate (requests/s) of a rate sweep such that it and every lower rate met both targets:
    P95 <= p95_target_ms and error rate < max_error_rate. 0.0 if even the lowest rate fails.

    rates, p95_ms (milliseconds, NaN when nothing succeeded) and error_rates (fractions) are equal-length sequences.
    """
    import numpy as np

    r = v.samples("rates", rates)
    p95 = np.asarray(p95_ms, dtype=float).ravel()
    err = v.samples("error_rates", error_rates)
    if not (r.size == p95.size == err.size):
        raise ValueError(f"rates, p95_ms and error_rates must have the same length, "
                         f"got {r.size}, {p95.size}, {err.size}")
    target = v.positive("p95_target_ms", p95_target_ms)
    max_err = v.probability("max_error_rate", max_error_rate)
    best = 0.0
    for i in np.argsort(r, kind="stable"):
        if not (p95[i] <= target and err[i] < max_err):   # NaN P95 fails too
            break
        best = float(r[i])
    return best


# --- the P95 check with M/M/c ---------------------------------------------------------------------------------

def meets_p95(arrival_rps, service_time_s, servers, p95_target_s):
    """True if one machine (an M/M/c queue of ``servers`` servers, mean ``service_time_s`` each) at ``arrival_rps``
    requests/s keeps its P95 response time <= p95_target_s."""
    s = v.positive("service_time_s", service_time_s)
    target = v.positive("p95_target_s", p95_target_s)
    return queueing.response_time_percentile(arrival_rps, 1 / s, servers) <= target


def max_rate_for_p95(service_time_s, servers, p95_target_s, q=95):
    """Highest arrival rate (requests/s) at which an M/M/c machine (``servers`` servers, mean ``service_time_s``) keeps
    its q-th percentile response time <= p95_target_s. 0.0 if even an idle server misses it."""
    s = v.positive("service_time_s", service_time_s)
    c = v.integer("servers", servers, low=1)
    target = v.positive("p95_target_s", p95_target_s)
    mu = 1 / s
    if queueing.response_time_percentile(0.0, mu, c, q) > target:
        return 0.0
    low, high = 0.0, c * mu
    for _ in range(100):
        mid = (low + high) / 2
        if queueing.response_time_percentile(mid, mu, c, q) <= target:
            low = mid
        else:
            high = mid
    return low


# --- money -----------------------------------------------------------------------------------------------------

def monthly_cost(servers, price_per_server_month):
    """Dollars per month for ``servers`` (integer >= 0) at price_per_server_month dollars each."""
    n = v.integer("servers", servers, low=0)
    return n * v.non_negative("price_per_server_month", price_per_server_month)


def hourly_to_monthly(price_per_hour):
    """A per-hour price (dollars) as dollars per month of 730 hours (365 * 24 / 12)."""
    return v.non_negative("price_per_hour", price_per_hour) * HOURS_PER_MONTH


def amortized_monthly(purchase_price, months=36, running_per_month=0.0):
    """A bought server's dollars per month: purchase_price spread over ``months`` plus running costs per month."""
    price = v.non_negative("purchase_price", purchase_price)
    m = v.integer("months", months, low=1)
    return price / m + v.non_negative("running_per_month", running_per_month)


# --- availability per tier ---------------------------------------------------------------------------------------

def downtime_minutes_per_month(availability_target):
    """Minutes of downtime per month (730 h) that an availability in [0, 1] allows: (1 - a) * 730 * 60."""
    return availability.downtime(availability_target, "month").total_seconds() / 60


def copies_for_availability(target, single):
    """Fewest redundant copies n (one up is enough) with 1 - (1 - single)^n >= target; both in [0, 1).

    Assumes copies fail independently, which real servers sharing a rack, a region or a bug do not quite do.
    """
    goal = v.number("target", target, 0, 1, high_open=True)
    one = v.number("single", single, 0, 1, low_open=True, high_open=True)
    n = 1
    while availability.parallel(*([one] * n)) < goal - 1e-12:
        n += 1
    return n


# --- tiers -----------------------------------------------------------------------------------------------------

def _tier_table(tiers, columns):
    missing = [c for c in columns if c not in getattr(tiers, "columns", ())]
    if missing:
        raise ValueError(f"tiers must be a tier table (scalelab.datasets.load_scale_tiers()), missing {missing}")
    return tiers


def tier_for_rps(rps, tiers):
    """Name of the smallest tier whose max_rps >= rps (requests/s) in the tier table ``tiers``
    (``scalelab.datasets.load_scale_tiers()``)."""
    rate = v.non_negative("rps", rps)
    table = _tier_table(tiers, ["tier", "max_rps"])
    for row in table.sort_values("max_rps").itertuples():
        if rate <= row.max_rps:
            return row.tier
    return table.sort_values("max_rps").iloc[-1]["tier"]


def planning_rps(min_rps, max_rps):
    """The load to plan a tier for: the top of its range, or its floor when the range is open (max_rps = inf)."""
    low = v.non_negative("min_rps", min_rps)
    high = v.number("max_rps", max_rps, low, math.inf)
    return high if math.isfinite(high) else low


def peak_rps_from_users(users, think_time_s, response_time_s=0.0):
    """Requests/s that ``users`` active users send at peak, by the interactive response-time law X = N / (Z + R).

    Each user sends a request, waits response_time_s (R >= 0) for the answer, thinks think_time_s (Z > 0) and sends
    the next one, so one user sends 1 / (Z + R) requests/s (Little's law applied to the users' loop).
    """
    n = v.non_negative("users", users)
    z = v.positive("think_time_s", think_time_s)
    r = v.non_negative("response_time_s", response_time_s)
    return n / (z + r)


def servers_for_one_server_down(load_rps, per_server_rps):
    """Servers N such that N - 1 of them still carry load_rps at per_server_rps each (N + 1 redundancy).

    per_server_rps is one server's capacity at the P95 target (requests/s), so no utilisation factor is applied.
    """
    return servers_needed(load_rps, per_server_rps, utilization=1.0) + 1


def servers_for_one_zone_down(load_rps, per_server_rps, zones=3):
    """Servers spread evenly over ``zones`` (>= 2) zones such that the servers of zones - 1 zones carry load_rps.

    Each zone holds ceil(load / ((zones - 1) * per_server_rps)) servers (at least one); returns zones times that.
    """
    load = v.non_negative("load_rps", load_rps)
    per_server = v.positive("per_server_rps", per_server_rps)
    z = v.integer("zones", zones, low=2, high=100)
    per_zone = max(1, math.ceil(load / ((z - 1) * per_server) - 1e-9))
    return z * per_zone


def plan_tiers(capacity_rps, price_per_server_month, tiers, think_time_s=10.0, zones=3):
    """For every scale tier: the peak load from its users, the servers it needs at one server's capacity at the
    tier's own P95 target, then the servers that survive one server down and one zone of ``zones`` down, and their
    monthly costs (dollars). One row per tier, a DataFrame.

    capacity_rps: a dict tier -> requests/s one server carries at that tier's P95 target (or one number for all);
    tiers: the tier table (``scalelab.datasets.load_scale_tiers()``).
    The load is peak_rps_from_users(users, think_time_s) for the tier's top of users (its floor when open).
    """
    import pandas as pd

    table = _tier_table(tiers, ["tier", "min_users", "max_users", "p95_ms"])
    price = v.non_negative("price_per_server_month", price_per_server_month)
    rows = []
    for row in table.itertuples():
        per_server = capacity_rps[row.tier] if isinstance(capacity_rps, dict) else capacity_rps
        per_server = v.positive(f"capacity_rps[{row.tier!r}]", per_server)
        users = planning_rps(row.min_users, row.max_users)
        load = peak_rps_from_users(users, think_time_s)
        for_load = servers_needed(load, per_server, utilization=1.0)
        one_server = servers_for_one_server_down(load, per_server)
        one_zone = servers_for_one_zone_down(load, per_server, zones)
        rows.append({"tier": row.tier, "users": users, "peak_rps": load, "p95_target_ms": row.p95_ms,
                     "capacity_rps": per_server, "servers_for_load": for_load,
                     "one_server_down": one_server, "one_zone_down": one_zone,
                     "cost_one_server_down_usd": monthly_cost(one_server, price),
                     "cost_one_zone_down_usd": monthly_cost(one_zone, price),
                     "availability": row.availability,
                     "downtime_min_per_month": downtime_minutes_per_month(row.availability)})
    return pd.DataFrame(rows)


def plan_p95_check(plan, service_time_s, servers, zones=3):
    """The M/M/c P95 of each server in a plan_tiers() table: with all servers up, with one server down, and with one
    zone of ``zones`` down, against each tier's P95 target. service_time_s > 0 (s); servers >= 1: the c of each
    machine's M/M/c queue (the plan's counts are machines).

    Returns a DataFrame: tier, p95_target_ms, and for each case (all_up, one_server_down, one_zone_down) the
    requests/s per server and the model P95 in ms (inf when a machine gets more than its servers can serve).
    """
    import pandas as pd

    s = v.positive("service_time_s", service_time_s)
    c = v.integer("servers", servers, low=1)
    z = v.integer("zones", zones, low=2, high=100)
    missing = [k for k in ("tier", "peak_rps", "p95_target_ms", "one_server_down", "one_zone_down") if k not in plan]
    if missing:
        raise ValueError(f"plan must be a plan_tiers() table, missing columns {missing}")
    rows = []
    for row in plan.itertuples():
        shares = {"all_up": row.peak_rps / row.one_server_down,
                  "one_server_down": row.peak_rps / (row.one_server_down - 1),
                  "one_zone_down": row.peak_rps / (row.one_zone_down * (z - 1) / z)}
        out = {"tier": row.tier, "p95_target_ms": row.p95_target_ms}
        for case, rps in shares.items():
            out[f"{case}_rps"] = rps
            out[f"{case}_p95_ms"] = 1000 * queueing.response_time_percentile(rps, 1 / s, c)
        rows.append(out)
    return pd.DataFrame(rows)


# --- which scaling step next ----------------------------------------------------------------------------------------

def next_phase(symptoms, done=()):
    """The next step on SCALING_PATH for the observed ``symptoms`` (keys of SYMPTOM_RULES).

    Each symptom points at a step; the answer is the earliest such step not already in ``done`` (simple fixes
    first), or the step after the last one done when every pointed-at step is done. None when nothing is wrong.
    """
    if isinstance(symptoms, str):
        symptoms = [symptoms]
    symptoms, done = list(symptoms), list(done)
    unknown = [s for s in symptoms if s not in SYMPTOM_RULES]
    if unknown:
        raise ValueError(f"symptoms must be among {sorted(SYMPTOM_RULES)}, got {unknown}")
    bad_steps = [d for d in done if d not in SCALING_PATH]
    if bad_steps:
        raise ValueError(f"done must name steps of {SCALING_PATH}, got {bad_steps}")
    if not symptoms:
        return None
    wanted = sorted({SYMPTOM_RULES[s][0] for s in symptoms}, key=SCALING_PATH.index)
    for step in wanted:
        if step not in done:
            return step
    last = max(SCALING_PATH.index(d) for d in done)
    return SCALING_PATH[min(last + 1, len(SCALING_PATH) - 1)]


def why(symptom):
    """The reason a symptom calls for its step (text)."""
    if symptom not in SYMPTOM_RULES:
        raise ValueError(f"symptom must be one of {sorted(SYMPTOM_RULES)}, got {symptom!r}")
    return SYMPTOM_RULES[symptom][1]
