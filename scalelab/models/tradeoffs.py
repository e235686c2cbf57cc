"""Two trade-offs in numbers: performance vs cost (what a deployment costs per served request and how available it
is), and simplicity vs scalability (what running a monolith or services costs in deployables, network calls per
request and the reach of one failure).

Pure: no I/O, no clock, no randomness. Dollars, requests per second, hours.
"""
import math
from dataclasses import dataclass

from .. import _validate as v

CONSISTENCY = ("eventual", "majority", "all")
HOURS_PER_MONTH = 730          # 8760 / 12, as the course's capacity plans use
AMORTISATION_MONTHS = 36       # a server bought outright is paid off over three years (the course's assumption)


@dataclass(frozen=True)
class Deployment:
    """A sized deployment: servers in all, dollars per month, availability (of writes: reads need one region),
    cost per million served requests, the extra wait of a write that must reach other regions (ms) and the mean
    wait for a result (hours)."""

    servers_per_copy: int
    servers: int
    monthly_cost_usd: float
    availability: float
    cost_per_million_usd: float
    write_wait_ms: float
    result_wait_h: float

    @property
    def nines(self):
        """Number of nines of the availability (math.inf at 1)."""
        return math.inf if self.availability >= 1 else -math.log10(1 - self.availability)


def deployment(mean_rps, server_cost_usd, server_performance, peak_to_mean=3.0, copies=1, regions=1,
               realtime=True, consistency="eventual", baseline_rps=100.0, copy_availability=0.995,
               region_availability=0.9995, utilization=0.7, inter_region_rtt_ms=80.0, batch_window_h=24.0,
               batch_speedup=1.0, months=AMORTISATION_MONTHS):
    """Size and price a deployment that serves mean_rps requests/s on average.

    server_cost_usd, server_performance: price of one server and its speed in baseline servers (the course's cost
    table); baseline_rps: requests/s one baseline server carries. realtime: provision for the peak
    (mean_rps · peak_to_mean) and answer at once; else batch: queue the work and process it at the mean rate,
    the result waiting on average half the batch window, each server doing batch_speedup times the work it does
    one request at a time (bulk operations share fixed costs). Each region runs ``copies`` full copies of the capacity
    at the planned ``utilization``; a copy is up with probability copy_availability, a region with
    region_availability, so a region serves with a = region_availability · (1 − (1 − copy_availability)^copies).
    consistency: "eventual" (any region up takes writes and copies them later: availability 1 − (1 − a)^regions),
    "majority" (a write needs a majority of the regions: at least regions // 2 + 1 up) or "all" (every region,
    a^regions); with more than one region, a strong write waits one round trip to the others
    (inter_region_rtt_ms). Servers are bought (server_cost_usd / months per month each).
    """
    load = v.positive("mean_rps", mean_rps)
    price = v.non_negative("server_cost_usd", server_cost_usd)
    speed = v.positive("server_performance", server_performance)
    peak = v.number("peak_to_mean", peak_to_mean, 1)
    k = v.integer("copies", copies, low=1, high=100)
    g = v.integer("regions", regions, low=1, high=50)
    per_server = v.positive("baseline_rps", baseline_rps) * speed
    a_copy = v.probability("copy_availability", copy_availability)
    a_region = v.probability("region_availability", region_availability)
    u = v.number("utilization", utilization, 0, 1, low_open=True)
    rtt = v.non_negative("inter_region_rtt_ms", inter_region_rtt_ms)
    if consistency not in CONSISTENCY:
        raise ValueError(f"consistency must be one of {CONSISTENCY}, got {consistency!r}")
    window = v.non_negative("batch_window_h", batch_window_h)
    life = v.positive("months", months)
    speedup = v.number("batch_speedup", batch_speedup, 1)
    provisioned = load * (peak if realtime else 1.0)
    per_copy = math.ceil(provisioned / (per_server * (1.0 if realtime else speedup) * u) - 1e-9)
    servers = per_copy * k * g
    monthly = servers * price / life
    region_up = a_region * (1 - (1 - a_copy) ** k)
    needed = {"eventual": 1, "majority": g // 2 + 1, "all": g}[consistency]
    availability = sum(math.comb(g, j) * region_up ** j * (1 - region_up) ** (g - j) for j in range(needed, g + 1))
    served_millions = load * 3600 * HOURS_PER_MONTH * availability / 1e6
    return Deployment(per_copy, servers, monthly, availability,
                      monthly / served_millions if served_millions > 0 else math.inf,
                      rtt if (consistency != "eventual" and g > 1) else 0.0, 0.0 if realtime else window / 2)


@dataclass(frozen=True)
class Footprint:
    """What an architecture asks of its operators: deployables to build, ship and watch; network calls each request
    makes; the availability of each request type; and, per part, the share of request types that fail with it."""

    deployables: int
    calls_per_request: dict
    availability: dict
    blast_radius: dict


def _requests(requests):
    if not isinstance(requests, dict) or not requests:
        raise ValueError("requests must be a non-empty dict: request type -> list of the services it needs")
    for name, needs in requests.items():
        if isinstance(needs, str) or not list(needs):
            raise ValueError(f"requests[{name!r}] must be a non-empty list of service names, got {needs!r}")
    return {name: list(dict.fromkeys(needs)) for name, needs in requests.items()}


def footprint(requests, architecture="monolith", availability=0.999, gateway=True):
    """Deployables, network calls per request, availability per request type and blast radius of each part.

    requests: {request type: [services it needs]}; availability: of one part (a module inside the monolith, or one
    service process), in [0, 1]. "monolith": one deployable holding every module; a request is one call; a crash in
    any module takes the process down, so every request needs all M modules up (availability^M) and every module
    failing fails every request type. "services": one deployable per service (plus the gateway); a request makes
    one call to the gateway and one per service it needs, needs only those up (availability^(k + 1)), and a
    failing service fails only the request types that need it.
    """
    needs = _requests(requests)
    a = v.probability("availability", availability)
    modules = sorted({s for services in needs.values() for s in services})
    if architecture == "monolith":
        return Footprint(1, {r: 1 for r in needs}, {r: a ** len(modules) for r in needs},
                         {m: 1.0 for m in modules})
    if architecture != "services":
        raise ValueError(f"architecture must be 'monolith' or 'services', got {architecture!r}")
    extra = 1 if gateway else 0
    calls = {r: extra + len(s) for r, s in needs.items()}
    up = {r: a ** (extra + len(s)) for r, s in needs.items()}
    radius = {m: sum(m in s for s in needs.values()) / len(needs) for m in modules}
    if gateway:
        radius = {"gateway": 1.0, **radius}
    return Footprint(len(modules) + extra, calls, up, radius)
