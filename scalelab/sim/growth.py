"""A web system grown from 1,000 to 2,000,000 users through the four scaling phases, under a monthly budget.

A *plan* is plain data: ``{phase: [intervention, ...]}`` for the phases of ``scalelab/data/scaling_phases.csv``
(foundation, growth, scale, optimization). Interventions add up: what a phase adds stays for the later phases.
Each phase is scored at its traffic (the matching row of ``scalelab/data/scale_tiers.csv``: small, medium, large,
enterprise) on three figures against that tier's baseline: the monthly cost against the budget, the P95 of a
request against the tier's P95, and the availability against the tier's availability.

How the system is modelled (every figure is an assumption of ``Assumptions``, stated there):

- traffic: one day of hourly load, a diurnal curve whose nominal peak is the tier's planned load (requests/s),
  times a seeded day-to-day factor; 30 % of requests are static files, the rest dynamic (90 % reads, 10 % writes,
  one database query each);
- app servers: each an M/M/c queue of ``servers`` servers (slots) whose service time is chosen so that one server meets
  lesson 08's P95 target (50 ms) exactly at the learner's measured capacity; behind a load balancer the load is
  split evenly (n servers at lambda/n each), sized as in lesson 08: ceil(load / capacity) plus one spare for one
  server down, no utilisation discount on a capacity already measured at the P95 target; without one there is
  one server;
- cache, database primaries and replicas: M/M/c queues per machine, load split evenly over the machines of a tier;
- the P95 of a request: sampled (seeded) from the exact response-time distribution of each tier it crosses plus
  the network hops; each tier's own P95 is ``queueing.response_time_percentile`` at its load;
- availability: machines fail independently; a tier of one machine is a single point of failure, redundant copies
  are in parallel (``availability.parallel``) and the tiers a request needs are in series.
"""
import functools
import math
from dataclasses import dataclass, field, replace

import numpy as np

from .. import _random, datasets
from .. import _validate as v
from ..models import availability as avail
from ..models import capacity, queueing

PHASES = ("foundation", "growth", "scale", "optimization")
TIER_OF_PHASE = {"foundation": "small", "growth": "medium", "scale": "large", "optimization": "enterprise"}
INTERVENTIONS = ("monitoring", "bigger_server", "load_balancer", "cache", "read_replicas", "cdn", "auto_scaling",
                 "service_split", "sharding")
# The phase where the course's scaling path puts each intervention
# (scalelab/data/scaling_phases.csv, "adds" of each phase).
USUAL_PHASE = {"monitoring": "foundation", "bigger_server": "foundation", "cache": "foundation",
               "load_balancer": "growth", "read_replicas": "growth", "cdn": "growth", "auto_scaling": "scale",
               "service_split": "scale", "sharding": "scale"}
ARCHITECTURAL = ("service_split", "sharding")   # refactors, as opposed to quick wins (cache, CDN)
QUICK_WINS = ("cache", "cdn")
MAX_SIZE_STEPS = 3                               # the cost table has four machine sizes
# Two plans that go wrong, for the lesson's views and the tests: plain data, as every plan.
EXAMPLE_PLANS = {
    "no redundancy": {"foundation": ["monitoring", "bigger_server"], "growth": ["bigger_server", "cache", "cdn"],
                      "scale": ["bigger_server"], "optimization": []},
    "sharding at 1K users": {"foundation": ["monitoring", "sharding", "service_split", "auto_scaling",
                                            "load_balancer"], "growth": ["read_replicas", "cache"],
                             "scale": ["cdn"], "optimization": []},
}
TIERS = ("cdn", "load_balancer", "app", "cache", "db_primary", "db_replica")


@dataclass(frozen=True)
class Assumptions:
    """The figures the simulator assumes, each a stated choice (money in dollars per month, times in ms).

    server_usd_month: one baseline machine (4 CPU / 16 GB) in the cloud, $0.20/h for 730 h (lesson 08's price);
    a bigger machine costs cost_usd / 1000 times that and is performance_mid times as fast
    (scalelab/data/server_costs.csv);
    servers: the c of each app machine's M/M/c queue (lesson 08's server has 2); reference_p95_ms: the P95 at which
    lesson 08 measured one server's capacity; db_service_time_ms, db_servers: one query on a baseline database machine
    and its cores (the c of its queue);
    cache_service_time_ms, cache_servers: one lookup in a cache node; cache_hit_ratio: share of reads the cache answers;
    static_share: requests for static files; read_share: reads among dynamic requests; cdn_hit_ratio: static
    requests the CDN answers at its edge; cdn_usd_per_million: what it charges; edge_ms: a CDN hit at the edge;
    hop_ms: one network hop inside the data centre; machine_mtbf_h: mean hours between failures of a machine;
    repair_h_monitored / repair_h_unmonitored: hours to notice and repair it with and without monitoring;
    cdn_availability: the CDN's own; utilization: planned share of a cache or database machine's raw capacity
    (servers x service rate: 70 %, which keeps their queues short); app servers are not discounted: your capacity
    already stops at the P95 target, so lesson 08's method applies (load / capacity, rounded up, plus one spare
    server for one server down); headroom: extra load above the nominal peak a fixed fleet is sized for, for busier
    days and spikes (30 %), a margin on demand, separate from the spare for failures; domains: the services a split
    makes and their
    shares of the data (the largest sets the busiest database); service_min: instances of each service at least;
    budget_usd_per_user: the monthly budget per user in each phase (it falls as the system grows).
    """

    server_usd_month: float = capacity.hourly_to_monthly(0.20)
    servers: int = 2
    reference_p95_ms: float = 50.0
    db_service_time_ms: float = 2.0
    db_servers: int = 4
    cache_service_time_ms: float = 0.1
    cache_servers: int = 1
    cache_hit_ratio: float = 0.8
    static_share: float = 0.3
    read_share: float = 0.9
    cdn_hit_ratio: float = 0.95
    cdn_usd_per_million: float = 0.10
    edge_ms: float = 1.0
    hop_ms: float = 0.5
    machine_mtbf_h: float = 720.0
    repair_h_monitored: float = 0.5
    repair_h_unmonitored: float = 4.0
    cdn_availability: float = 0.9999
    utilization: float = 0.7
    headroom: float = 0.3
    domains: tuple = (0.5, 0.3, 0.2)
    service_min: int = 2
    budget_usd_per_user: tuple = (("foundation", 0.60), ("growth", 0.25), ("scale", 0.12), ("optimization", 0.10))


DEFAULT = Assumptions()


# --- lesson 08's server ---------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def default_capacity_rps():
    """One server's capacity when none was measured: lesson 08's model of its own server (M/M/2, 10 ms of service,
    P95 <= 50 ms), about 132 requests/s."""
    return capacity.max_rate_for_p95(0.010, 2, 0.050)


def service_time_s(capacity_rps, servers=2, p95_ms=50.0):
    """The mean service time (s) of an M/M/c machine (``servers`` servers) whose P95 is exactly ``p95_ms`` when it
    serves ``capacity_rps`` requests/s: the server lesson 08 measured, as a queue. Bisection on the service time."""
    return _service_time_s(v.positive("capacity_rps", capacity_rps), v.integer("servers", servers, low=1, high=64),
                           v.positive("p95_ms", p95_ms) / 1000)


@functools.lru_cache(maxsize=256)
def _service_time_s(rate, c, goal):
    """Bisection on S: P(response > goal) at ``rate`` rises with the service time S, and equals 5 % at the answer."""
    low, high = 0.0, c / rate            # at S = c / rate the server is saturated
    for _ in range(60):
        mid = (low + high) / 2
        if mid > 0 and queueing.response_time_tail(goal, rate, 1 / mid, c) <= 0.05:
            low = mid
        else:
            high = mid
    return low


# --- phases, traffic, budget ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def _targets(assumptions):
    return phase_targets(assumptions).set_index("phase").to_dict("index")


@functools.lru_cache(maxsize=8)
def _sizes():
    table = datasets.load_server_costs()
    return tuple((float(r.performance_mid), float(r.cost_usd / table["cost_usd"].iloc[0])) for r in table.itertuples())


def phase_targets(assumptions=DEFAULT):
    """One row per phase: phase, tier, users, peak_rps (nominal), p95_target_ms, availability_target, budget_usd.

    Users and load come from scalelab/data/scale_tiers.csv: the top of each tier's range, and twice the floor of the
    open enterprise tier (1M+ users: 2M users, 200,000 requests/s). Budget: users * budget_usd_per_user of the phase."""
    import pandas as pd

    tiers = datasets.load_scale_tiers().set_index("tier")
    budget = dict(assumptions.budget_usd_per_user)
    rows = []
    for phase in PHASES:
        tier = tiers.loc[TIER_OF_PHASE[phase]]
        open_end = not math.isfinite(tier["max_rps"])
        users = 2 * tier["min_users"] if open_end else tier["max_users"]
        peak = 2 * tier["min_rps"] if open_end else capacity.planning_rps(tier["min_rps"], tier["max_rps"])
        rows.append({"phase": phase, "tier": TIER_OF_PHASE[phase], "users": int(users), "peak_rps": float(peak),
                     "p95_target_ms": float(tier["p95_ms"]), "availability_target": float(tier["availability"]),
                     "budget_usd": float(users * budget[phase])})
    return pd.DataFrame(rows)


def traffic_trace(peak_rps, hours=24, day_factor=(0.9, 1.1), rng=None):
    """One day of hourly load (requests/s): a diurnal curve from 25 % of the peak at 04:00 to the peak at 16:00,
    times one seeded factor drawn uniformly from ``day_factor`` (a busier or a quieter day) and a 3 % hourly jitter.

    peak_rps > 0 (the nominal peak); hours >= 2; day_factor: (low, high) with 0 < low <= high."""
    peak = v.positive("peak_rps", peak_rps)
    n = v.integer("hours", hours, low=2, high=24 * 366)
    low, high = day_factor
    low = v.positive("day_factor[0]", low)
    high = v.number("day_factor[1]", high, low)
    gen = _random.rng(rng)
    return peak * gen.uniform(low, high) * diurnal_shape(n) * gen.uniform(0.97, 1.03, n)


def diurnal_shape(hours=24):
    """Load at each hour as a share of the day's peak: 0.25 at 04:00 rising to 1.0 at 16:00 (a cosine)."""
    hour = np.arange(v.integer("hours", hours, low=1, high=24 * 366)) % 24
    return 0.25 + 0.75 * (1 - np.cos(2 * np.pi * (hour - 4) / 24)) / 2


# --- plans ----------------------------------------------------------------------------------------------------

def validate_plan(plan):
    """A plan as {phase: [interventions]} in phase order, every phase present (empty lists where nothing is added).

    Raises ValueError naming the bad phase or intervention: phases must be among PHASES, interventions among
    INTERVENTIONS, each added once (bigger_server up to MAX_SIZE_STEPS times in all)."""
    if isinstance(plan, (list, tuple)):
        try:
            plan = {phase: steps for phase, steps in plan}
        except (TypeError, ValueError):
            raise ValueError("plan must be a dict {phase: [interventions]} or a list of (phase, [interventions])") \
                from None
    if not isinstance(plan, dict):
        raise ValueError(f"plan must be a dict {{phase: [interventions]}}, got {type(plan).__name__}")
    bad = [p for p in plan if p not in PHASES]
    if bad:
        raise ValueError(f"plan has an unknown phase {bad[0]!r}: phases are {list(PHASES)}")
    clean, seen = {}, []
    for phase in PHASES:
        steps = plan.get(phase, [])
        if isinstance(steps, str) or not isinstance(steps, (list, tuple)):
            raise ValueError(f"plan[{phase!r}] must be a list of interventions, got {steps!r}")
        for step in steps:
            if step not in INTERVENTIONS:
                raise ValueError(f"plan[{phase!r}] has an unknown intervention {step!r}: "
                                 f"choose among {list(INTERVENTIONS)}")
            if step == "bigger_server":
                if seen.count(step) >= MAX_SIZE_STEPS:
                    raise ValueError(f"plan[{phase!r}]: bigger_server more than {MAX_SIZE_STEPS} times "
                                     "(the cost table has four machine sizes)")
            elif step in seen:
                raise ValueError(f"plan[{phase!r}] adds {step!r} again: it was added in an earlier phase")
            seen.append(step)
        clean[phase] = list(steps)
    return clean


def in_place(plan, phase):
    """The interventions in place during ``phase``: everything the plan added up to and including it (a list)."""
    plan = validate_plan(plan)
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {list(PHASES)}, got {phase!r}")
    steps = []
    for p in PHASES[:PHASES.index(phase) + 1]:
        steps += plan[p]
    return steps


# --- one phase --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    """One tier at the peak hour: machines, load per machine (requests/s), utilisation, P95 (ms), availability of the
    tier, monthly cost (dollars) and whether it is a single point of failure."""

    name: str
    machines: int
    rps_per_machine: float
    utilization: float
    p95_ms: float
    availability: float
    cost_usd: float
    spof: bool
    service_rate: float = math.nan      # per server, requests/s (NaN for the CDN and the balancer)
    servers: int = 0


@dataclass(frozen=True)
class PhaseResult:
    """A phase scored: the tiers, the request P95 (ms), availability, monthly cost, the targets and the verdict."""

    phase: str
    steps: tuple
    tiers: tuple
    peak_rps: float
    p95_ms: float
    availability: float
    cost_usd: float
    p95_target_ms: float
    availability_target: float
    budget_usd: float
    bottleneck: str
    users: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def meets(self):
        """{"cost", "p95", "availability"}: True where the phase meets its target."""
        return {"cost": self.cost_usd <= self.budget_usd, "p95": self.p95_ms <= self.p95_target_ms,
                "availability": self.availability >= self.availability_target}

    @property
    def passed(self):
        return all(self.meets.values())

    def tier(self, name):
        """The tier called ``name`` (ValueError if the phase has none)."""
        for t in self.tiers:
            if t.name == name:
                return t
        raise ValueError(f"name must be one of {[t.name for t in self.tiers]}, got {name!r}")


def machine_availability(monitored, assumptions=DEFAULT):
    """MTBF / (MTBF + time to repair): a machine watched by monitoring is repaired sooner."""
    repair = assumptions.repair_h_monitored if monitored else assumptions.repair_h_unmonitored
    return assumptions.machine_mtbf_h / (assumptions.machine_mtbf_h + repair)


def _size(index):
    """(performance, price) of the machine ``index`` steps up the cost table, relative to the baseline machine."""
    sizes = _sizes()
    return sizes[min(index, len(sizes) - 1)]


def _queue_tier(name, load_rps, machines, service_rate, servers, price, a_machine, spof=None):
    """An M/M/c tier: ``machines`` copies, each ``servers`` servers at ``service_rate``, sharing load_rps evenly."""
    per = load_rps / machines
    rho = per / (servers * service_rate)
    p95 = 1000 * queueing.response_time_percentile(per, service_rate, servers)   # inf when overloaded
    single = machines == 1 if spof is None else spof
    tier_avail = a_machine if single else 1 - (1 - a_machine) ** machines   # availability.parallel of n copies
    return Tier(name, machines, per, rho, p95, tier_avail, machines * price, single, service_rate, servers)


def _machines_for(load_rps, per_machine_rps, assumptions, minimum=1):
    return max(minimum, capacity.servers_needed(load_rps, per_machine_rps, assumptions.utilization))


def app_servers_for(load_rps, capacity_rps, minimum=2):
    """Lesson 08's method for app servers: ceil(load / capacity at the P95 target) carry the load, plus one spare so
    that the load still fits with one server down; at least ``minimum``. No utilisation discount: the capacity
    already stops where the P95 target stops being met."""
    carry = capacity.servers_needed(v.non_negative("load_rps", load_rps), v.positive("capacity_rps", capacity_rps),
                                    utilization=1.0)
    return max(v.integer("minimum", minimum, low=1), carry + 1)


def simulate_phase(plan, phase, capacity_rps=None, trace=None, samples=20_000, assumptions=DEFAULT, rng=None):
    """Score one phase of a plan: the system built from the interventions in place, at the phase's traffic.

    capacity_rps: one app server's capacity measured in lesson 08 (requests/s at P95 <= 50 ms; None: the default);
    trace: hourly load (requests/s; None: ``traffic_trace`` of the phase's nominal peak, seeded by ``rng``);
    samples: requests sampled for the P95 (>= 1000). Fixed fleets are sized for the nominal peak with the
    assumed headroom; with auto_scaling the app servers follow the trace hour by hour. App servers: one spare
    above ceil(load / capacity) (``app_servers_for``). Returns a PhaseResult.
    """
    a = assumptions
    steps = in_place(plan, phase)
    target = _targets(a)[phase]
    gen = _random.rng(rng)
    cap = default_capacity_rps() if capacity_rps is None else v.positive("capacity_rps", capacity_rps)
    load = traffic_trace(target["peak_rps"], rng=gen) if trace is None else v.samples("trace", trace)
    n_samples = v.integer("samples", samples, low=1000, high=1_000_000)
    peak, nominal = float(load.max()), float(target["peak_rps"]) * (1 + a.headroom)
    has = set(steps)
    monitored = "monitoring" in has
    a_machine = machine_availability(monitored, a)
    lb, split, shards_on = "load_balancer" in has, "service_split" in has, "sharding" in has
    size_steps = steps.count("bigger_server")
    price = a.server_usd_month

    # where the requests go
    cdn_hit = a.static_share * a.cdn_hit_ratio if "cdn" in has else 0.0
    app_share = 1 - cdn_hit                        # static misses and every dynamic request reach the app servers
    dynamic = 1 - a.static_share
    reads, writes = dynamic * a.read_share, dynamic * (1 - a.read_share)
    hit = a.cache_hit_ratio if "cache" in has else 0.0
    tiers, cost_usd, extra = [], 0.0, {}

    if cdn_hit:
        month_requests = float(load.mean()) * 3600 * capacity.HOURS_PER_MONTH
        cdn_cost = a.cdn_usd_per_million * month_requests * a.static_share / 1e6
        tiers.append(Tier("cdn", 0, 0.0, 0.0, a.edge_ms, a.cdn_availability, cdn_cost, False))
    if lb:
        tiers.append(Tier("load_balancer", 2, 0.0, 0.0, 0.0, avail.parallel(a_machine, a_machine), 2 * price, False))

    # app servers: lesson 08's server, scaled up while there is no balancer
    app_perf, app_price = _size(0 if lb else size_steps)
    app_rate = app_perf / service_time_s(cap, a.servers, a.reference_p95_ms)
    app_cap = cap * app_perf
    minimum = a.service_min * len(a.domains) if split else 2
    if not lb:
        counts = np.ones(len(load), dtype=int)
    elif "auto_scaling" in has:
        counts = np.array([app_servers_for(x * app_share, app_cap, minimum) for x in load])
    else:
        counts = np.full(len(load), app_servers_for(nominal * app_share, app_cap, minimum))
    at_peak = int(counts[int(np.argmax(load))])
    app = _queue_tier("app", peak * app_share, at_peak, app_rate, a.servers, app_price * price, a_machine)
    tiers.append(replace(app, cost_usd=float(counts.mean()) * app_price * price))
    extra["app_servers_mean"] = float(counts.mean())

    # cache nodes, sized for the nominal peak's reads
    if hit:
        cache_rate = 1000 / a.cache_service_time_ms
        nodes = _machines_for(nominal * reads, cache_rate * a.cache_servers, a)
        tiers.append(_queue_tier("cache", peak * reads, nodes, cache_rate, a.cache_servers, price, a_machine,
                                 spof=False))   # a failed cache sends its reads to the database: not in series

    # databases: one per domain after a split, each sharded or not, primaries take writes (and reads without replicas)
    db_perf, db_price = _size(size_steps)
    db_rate = db_perf * 1000 / a.db_service_time_ms
    db_cap = db_rate * a.db_servers
    share = max(a.domains) if split else 1.0
    groups = len(a.domains) if split else 1
    replicas_on = "read_replicas" in has
    primary_reads = 0.0 if replicas_on else reads * (1 - hit)
    primary_nominal = nominal * share * (writes + primary_reads)
    shards = _machines_for(primary_nominal, db_cap, a, 2) if shards_on else 1
    primary = _queue_tier("db_primary", peak * share * (writes + primary_reads) / shards, 1, db_rate,
                          a.db_servers, db_price * price, a_machine)
    primaries = shards * groups                    # every primary holds a part of the data: all are needed
    standby = avail.parallel(a_machine, a_machine) if replicas_on else a_machine   # a replica takes over
    primary = replace(primary, machines=primaries, availability=standby ** primaries,
                      cost_usd=primaries * db_price * price, spof=not replicas_on)
    tiers.append(primary)
    if replicas_on:
        replica_load = peak * share * reads * (1 - hit) / shards
        per_shard = _machines_for(nominal * share * reads * (1 - hit) / shards, db_cap, a)
        rep = _queue_tier("db_replica", replica_load, per_shard, db_rate, a.db_servers, db_price * price, a_machine)
        tiers.append(replace(rep, machines=per_shard * shards * groups,
                             cost_usd=per_shard * shards * groups * db_price * price, spof=False))
    if monitored:
        cost_usd += price       # one machine for metrics, logs and alerts
    cost_usd += sum(t.cost_usd for t in tiers)

    # availability of a dynamic request: every tier it needs in series
    needed = [t.availability for t in tiers if t.name in ("load_balancer", "app", "db_primary")]
    availability = avail.series(*needed)
    queues = [t for t in tiers if t.servers]
    overloaded = any(t.utilization >= 1 for t in queues)
    p95_ms = math.inf if overloaded else _request_p95_ms(tiers, a, lb, split, hit, cdn_hit, gen, n_samples)
    bottleneck = max(queues, key=lambda t: t.utilization).name
    extra.update({"capacity_rps": cap, "peak_rps_trace": peak, "shards": shards, "monitored": monitored})
    return PhaseResult(phase, tuple(steps), tuple(tiers), peak, p95_ms, availability, cost_usd,
                       float(target["p95_target_ms"]), float(target["availability_target"]),
                       float(target["budget_usd"]), bottleneck, int(target["users"]), extra)


def sojourn_samples(arrival_rate, service_rate, servers, size, rng=None):
    """Response times (s) of ``size`` requests at an M/M/c queue in steady state: with probability C (Erlang C) a
    wait exponential at rate c*mu - lambda, then an exponential service at rate mu. math.inf if unstable."""
    lam = v.non_negative("arrival_rate", arrival_rate)
    mu = v.positive("service_rate", service_rate)
    c = v.integer("servers", servers, low=1)
    n = v.integer("size", size, low=1)
    gen = _random.rng(rng)
    if lam >= c * mu:
        return np.full(n, math.inf)
    p_wait = queueing.erlang_c(lam, mu, c)
    waits = np.where(gen.random(n) < p_wait, gen.exponential(1 / (c * mu - lam), n), 0.0)
    return waits + gen.exponential(1 / mu, n)


def _request_p95_ms(tiers, a, lb, split, hit, cdn_hit, gen, n):
    """P95 (ms) over all requests: CDN hits at the edge; the rest cross the balancer, the app servers, then for a
    dynamic request the cache and the database (a read that misses the cache goes to a replica, or the primary)."""
    by = {t.name: t for t in tiers}

    def at(name):
        t = by[name]
        return 1000 * sojourn_samples(t.rps_per_machine, t.service_rate, t.servers, n, gen)

    kind = gen.random(n)
    edge = kind < cdn_hit
    static = kind < a.static_share
    dynamic = ~static
    is_read = gen.random(n) < a.read_share
    times = at("app") + (a.hop_ms if lb else 0.0) + (2 * a.hop_ms if split else 0.0)
    db_read = "db_replica" if "db_replica" in by else "db_primary"
    cached = gen.random(n) < hit
    read_time = np.where(cached, 0.0, at(db_read) + a.hop_ms)
    if hit:
        read_time = read_time + at("cache") + a.hop_ms
    write_time = at("db_primary") + a.hop_ms
    times = times + np.where(dynamic, np.where(is_read, read_time, write_time), 0.0)
    times = np.where(edge, a.edge_ms, times)
    return float(np.percentile(times, 95))


# --- a whole plan -------------------------------------------------------------------------------------------------

def score_plan(plan, capacity_rps=None, traces=None, samples=20_000, assumptions=DEFAULT, rng=None):
    """Every phase of a plan scored: a DataFrame, one row per phase, with phase, users, peak_rps (the trace's),
    cost_usd, budget_usd, p95_ms, p95_target_ms, availability, availability_target, bottleneck (the busiest tier),
    meets_cost, meets_p95, meets_availability and passed. traces: {phase: hourly load} (else seeded traces)."""
    import pandas as pd

    plan = validate_plan(plan)
    _check_traces(traces)
    gen = _random.rng(rng)
    rows = []
    for phase in PHASES:
        trace = None if traces is None else traces.get(phase)
        r = simulate_phase(plan, phase, capacity_rps, trace, samples, assumptions, gen)
        rows.append({"phase": phase, "users": r.users, "peak_rps": r.peak_rps, "cost_usd": r.cost_usd,
                     "budget_usd": r.budget_usd, "p95_ms": r.p95_ms, "p95_target_ms": r.p95_target_ms,
                     "availability": r.availability, "availability_target": r.availability_target,
                     "bottleneck": r.bottleneck, **{f"meets_{k}": ok for k, ok in r.meets.items()},
                     "passed": r.passed})
    return pd.DataFrame(rows)


def _check_traces(traces):
    if traces is not None and (not isinstance(traces, dict) or any(p not in PHASES for p in traces)):
        raise ValueError(f"traces must be a dict {{phase: hourly load}} with phases among {list(PHASES)}, "
                         f"got {traces if not isinstance(traces, dict) else list(traces)!r}")


def busy_day(phase, assumptions=DEFAULT):
    """A busy day's hourly load for ``phase``: the diurnal curve at the top of the day-to-day range (10 % above the
    nominal peak), no jitter. The reference plan is planned for it."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {list(PHASES)}, got {phase!r}")
    return 1.1 * _targets(assumptions)[phase]["peak_rps"] * diurnal_shape(24)


def reference_plan(capacity_rps=None, max_new=4, samples=5000, assumptions=DEFAULT, rng=None):
    """A plan that meets every phase's targets on a busy day, found phase by phase: among the interventions the
    scaling path allows by then (none before its phase: no over-engineering), at most ``max_new`` new ones, the
    cheapest set that passes, fewer interventions on a tie. Where nothing passes, a system that works (P95 and
    availability met) comes before one within budget: then the smallest overrun of the budget. Returns the plan."""
    import itertools

    n_new = v.integer("max_new", max_new, low=1, high=4)
    seed = int(_random.rng(rng).integers(2**32))
    plan = {p: [] for p in PHASES}
    for phase in PHASES:
        trace, done = busy_day(phase, assumptions), in_place(plan, phase)
        allowed = [s for s in INTERVENTIONS if PHASES.index(USUAL_PHASE[s]) <= PHASES.index(phase)]
        left = [s for s in allowed if s not in done or s == "bigger_server"]
        best = None
        for k in range(n_new + 1):
            for extra in itertools.combinations(left, k):
                candidate = {**plan, phase: list(extra)}
                try:
                    validate_plan(candidate)
                except ValueError:
                    continue
                r = simulate_phase(candidate, phase, capacity_rps, trace, samples, assumptions,
                                   _random.rng(seed))
                working = (not r.meets["p95"]) + (not r.meets["availability"])
                key = (working, round(max(0.0, r.cost_usd - r.budget_usd), 2), round(r.cost_usd, 2), k)
                best = min(best, (key, list(extra))) if best else (key, list(extra))
        plan[phase] = best[1]
    return plan


# --- feedback: the seed's best practices and pitfalls -----------------------------------------------------------------

RELIEVES = {"app": ("load_balancer", "bigger_server", "cdn", "auto_scaling"),
            "db_primary": ("read_replicas", "cache", "bigger_server", "sharding", "service_split"),
            "db_replica": ("cache", "bigger_server", "sharding", "service_split"),
            "cache": ("cache",)}
SPOF_FIX = {"app": "load_balancer", "db_primary": "read_replicas"}
TIER_WORDS = {"app": "app server", "db_primary": "database primary", "db_replica": "read replicas",
              "cache": "cache", "load_balancer": "load balancer", "cdn": "CDN"}


def _pct(share):
    """An availability as a percentage with enough digits to show its nines (99.93 %, 99.99995 %)."""
    digits = 2 if share >= 1 or share <= 0.99 else min(6, int(-math.log10(1 - share)))
    return f"{100 * share:.{digits}f}%"


def _busy(utilization):
    return f"{utilization:.0%} busy" if utilization < 1 else f"overloaded ({utilization:.1f}x what it can serve)"


def _utilization(result, tier):
    names = [t.name for t in result.tiers]
    return result.tier(tier).utilization if tier in names else math.inf


def _without(plan, phase, step):
    steps = list(plan[phase])
    steps.remove(step)
    return {**plan, phase: steps}


def _with(plan, phase, step):
    """The plan with ``step`` added in ``phase`` (and no longer in a later phase)."""
    later = PHASES[PHASES.index(phase) + 1:]
    moved = {p: [s for s in plan[p] if s != step or step == "bigger_server" or p not in later] for p in PHASES}
    if step in in_place(plan, phase) and step != "bigger_server":
        return moved
    return {**moved, phase: moved[phase] + [step]}


def feedback(plan, capacity_rps=None, measured=True, samples=5000, assumptions=DEFAULT, rng=None):
    """What a plan does well and badly, in the terms of the seed's best practices and pitfalls: a DataFrame with
    the columns phase, kind ("best practice" or "pitfall"), rule and message, one row per finding.

    Rules: measure_first, find_bottleneck, quick_wins, architectural_change, monitor, iterate (best practices);
    premature_optimisation, over_engineering, no_monitoring, single_point_of_failure, lock_in (pitfalls). Every
    figure in a message comes from simulating the plan, and the plan changed by one step, on each phase's busy day
    (``busy_day``), the day a plan must hold on; ``rng`` seeds the sampled P95s.
    measured: whether capacity_rps is the learner's own measurement (False: the default was used)."""
    import pandas as pd

    plan = validate_plan(plan)
    cap = default_capacity_rps() if capacity_rps is None else v.positive("capacity_rps", capacity_rps)
    seed = int(_random.rng(rng).integers(2**32))
    traces = {p: busy_day(p, assumptions) for p in PHASES}   # a plan must hold on a busy day

    def run(candidate, phase):
        return simulate_phase(candidate, phase, cap, traces[phase], samples, assumptions, _random.rng(seed))

    rows = []

    def add(phase, kind, rule, message):
        rows.append({"phase": phase, "kind": kind, "rule": rule, "message": message})

    if measured:
        add("all", "best practice", "measure_first", f"Measure first: every phase is sized on your own measured "
            f"capacity of one server, {cap:.0f} requests/s at P95 <= {assumptions.reference_p95_ms:g} ms (lesson 08).")
    else:
        add("all", "pitfall", "measure_first", f"Measure first: no capacity of yours was found, so the default "
            f"{cap:.0f} requests/s (lesson 08's model server) was used. Run lesson 08 to size the plan on your own.")
    results = {p: run(plan, p) for p in PHASES}
    ever_monitored = False
    for i, phase in enumerate(PHASES):
        r, new = results[phase], plan[phase]
        users = f"{r.users:,} users"
        before = run({**plan, phase: []}, phase) if new else r
        for step in new:
            if PHASES.index(USUAL_PHASE[step]) > i:
                lighter = run(_without(plan, phase, step), phase)
                add(phase, "pitfall", "over_engineering",
                    f"Over-engineering: {step} at {users} ({phase}); the scaling path adds it in the "
                    f"{USUAL_PHASE[step]} phase. Here it adds ${max(r.cost_usd - lighter.cost_usd, 0):,.0f} a month "
                    f"and one more part to run, while "
                    f"the busiest tier without it ({TIER_WORDS[lighter.bottleneck]}) is "
                    f"{lighter.tier(lighter.bottleneck).utilization:.0%} busy. "
                    f"Start simple: add complexity when needed.")
            elif step != "monitoring" and (lighter := run(_without(plan, phase, step), phase)).passed and \
                    lighter.cost_usd <= r.cost_usd:
                add(phase, "pitfall", "premature_optimisation",
                    f"Premature optimisation: {phase} meets its targets without {step} (P95 {lighter.p95_ms:.0f} ms of "
                    f"{lighter.p95_target_ms:g}, availability {_pct(lighter.availability)}) and costs less "
                    f"(${lighter.cost_usd:,.0f} instead of ${r.cost_usd:,.0f}); don't solve problems you don't have.")
        if new and not before.meets["p95"]:
            tier = before.bottleneck
            busy = _busy(before.tier(tier).utilization)
            fixes = [s for s in new if tier in [t.name for t in r.tiers] and
                     _utilization(run(_without(plan, phase, s), phase), tier) > r.tier(tier).utilization + 1e-9]
            if fixes and r.meets["p95"]:
                add(phase, "best practice", "find_bottleneck",
                    f"Found the bottleneck: before this phase's changes the {TIER_WORDS[tier]} was {busy} at {users}; "
                    f"{', '.join(fixes)} relieved it ({_busy(r.tier(tier).utilization)} after).")
            elif fixes:
                add(phase, "pitfall", "find_bottleneck",
                    f"Bottleneck eased, not removed: the {TIER_WORDS[tier]} was {busy} at {users}; after "
                    f"{', '.join(fixes)} the busiest tier ({TIER_WORDS[r.bottleneck]}) is "
                    f"{_busy(r.tier(r.bottleneck).utilization)} and the phase still misses its P95.")
            else:
                add(phase, "pitfall", "find_bottleneck",
                    f"Missed the bottleneck: at {users} the {TIER_WORDS[tier]} was the busiest tier ({busy}), "
                    f"and none of {new} relieves it.")
        for step in (s for s in new if s in ARCHITECTURAL):
            quick = [q for q in QUICK_WINS if q not in in_place(plan, phase)]
            if quick:
                add(phase, "pitfall", "quick_wins", f"Quick wins first: {step} in {phase} while {quick} are not in "
                    "place; a cache and a CDN are cheaper and take load off every tier behind them.")
            elif not run(_without(plan, phase, step), phase).passed:
                add(phase, "best practice", "architectural_change",
                    f"Architectural change when needed: {phase} misses its targets without {step}, after the quick "
                    "wins were in place.")
        monitored = "monitoring" in in_place(plan, phase)
        if monitored and not ever_monitored:
            add(phase, "best practice", "monitor", f"Monitor impact: monitoring from the {phase} phase on; a failed "
                f"machine is repaired in {assumptions.repair_h_monitored:g} h, not "
                f"{assumptions.repair_h_unmonitored:g} h, and every change can be checked against the metrics.")
        ever_monitored |= monitored
        if not monitored:
            watched = run(_with(plan, phase, "monitoring"), phase)
            add(phase, "pitfall", "no_monitoring",
                f"Ignoring monitoring: in {phase} nobody sees a failure for hours: each machine is up "
                f"{machine_availability(False, assumptions):.3%} instead of "
                f"{machine_availability(True, assumptions):.3%}"
                f", so the system is up {_pct(r.availability)} instead of {_pct(watched.availability)} "
                f"(target {_pct(r.availability_target)}).")
        for t in r.tiers:
            if t.spof:
                fixed = run(_with(plan, phase, SPOF_FIX[t.name]), phase)
                verdict = "misses" if r.availability < r.availability_target else "still meets"
                what = (f"the {TIER_WORDS[t.name]} is one machine" if t.machines == 1 else
                        f"each of the {t.machines} database primaries is the only copy of its data")
                add(phase, "pitfall", "single_point_of_failure",
                    f"Single point of failure in {phase}: {what}. The system is up "
                    f"{_pct(r.availability)} ({capacity.downtime_minutes_per_month(r.availability):.0f} min down a "
                    f"month) and {verdict} the target {_pct(r.availability_target)}; with "
                    f"{SPOF_FIX[t.name]} it would be up {_pct(fixed.availability)} "
                    f"({capacity.downtime_minutes_per_month(fixed.availability):.0f} min).")
    used = [s for s in ("cdn", "auto_scaling") if s in in_place(plan, PHASES[-1])]
    if used:
        names = {"cdn": "the CDN", "auto_scaling": "auto-scaling"}
        add("all", "pitfall", "lock_in", f"Vendor lock-in: {' and '.join(names[u] for u in used)} usually come as a "
            "provider's managed "
            "services; keep their configuration portable (plain HTTP caching headers, scaling rules on your own "
            "metrics) so that a second provider remains an option for a critical system.")
    spread = sum(bool(plan[p]) for p in PHASES)
    if spread >= 3:
        add("all", "best practice", "iterate", f"Iterate: the plan changes the system in {spread} of "
            f"{len(PHASES)} phases, each change answering the load of its phase.")
    else:
        add("all", "pitfall", "iterate", f"Iterate: the plan changes the system in only {spread} of {len(PHASES)} "
            "phases; grow it step by step as the load grows, checking each step against the metrics.")
    return pd.DataFrame(rows, columns=["phase", "kind", "rule", "message"])


# --- tables for the lesson ----------------------------------------------------------------------------------------

def tier_table(result):
    """The tiers of a PhaseResult as a DataFrame: tier, machines, rps_per_machine, utilization, p95_ms,
    availability, cost_usd, spof."""
    import pandas as pd

    return pd.DataFrame([{"tier": t.name, "machines": t.machines, "rps_per_machine": t.rps_per_machine,
                          "utilization": t.utilization if t.servers else math.nan, "p95_ms": t.p95_ms,
                          "availability": t.availability, "cost_usd": t.cost_usd, "spof": t.spof}
                         for t in result.tiers])


def step_by_step(plan, phase, steps, capacity_rps=None, trace=None, samples=20_000, assumptions=DEFAULT, rng=None):
    """Add ``steps`` to ``phase`` of ``plan`` one at a time: a DataFrame with one row per state (nothing added yet,
    then each step) giving added, bottleneck, its utilisation, p95_ms, availability, cost_usd and passed. Every
    row uses the same trace and the same seed, so only the step changes between rows."""
    import pandas as pd

    plan = validate_plan(plan)
    seed = int(_random.rng(rng).integers(2**32))
    load = traffic_trace(_targets(assumptions)[phase]["peak_rps"], rng=_random.rng(seed)) \
        if trace is None else trace
    rows, current = [], plan
    for step in [None, *steps]:
        if step is not None:
            current = _with(current, phase, step)
        r = simulate_phase(current, phase, capacity_rps, load, samples, assumptions, _random.rng(seed))
        rows.append({"added": step or "(nothing yet)", "bottleneck": r.bottleneck,
                     "bottleneck_utilization": r.tier(r.bottleneck).utilization, "p95_ms": r.p95_ms,
                     "availability": r.availability, "cost_usd": r.cost_usd, "passed": r.passed})
    return pd.DataFrame(rows)
