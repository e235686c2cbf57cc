"""Functional scaling (microservices) in numbers: call chains, fan-out tails, scaling per service, team sizes.

Pure functions: plain numbers in, plain numbers (or a dataclass) out; no I/O, no clock, no randomness.
"""
import math
from dataclasses import dataclass

from .. import _validate as v


def chain_availability(services, availability, replicas=1):
    """Availability of a request that needs every one of ``services`` services in a chain (all in series).

    availability: of one copy of a service, in [0, 1]; replicas: copies of each service, one up is enough
    (in parallel). Returns (1 - (1 - availability) ** replicas) ** services, in [0, 1].
    """
    k = v.integer("services", services, low=1, high=10_000)
    a = v.probability("availability", availability)
    r = v.integer("replicas", replicas, low=1, high=100)
    return (1 - (1 - a) ** r) ** k


def chain_latency_ms(services, per_hop_ms, service_time_ms=0.0):
    """Latency (ms) of a chain of ``services`` services, each adding a network hop (per_hop_ms) and its work (ms)."""
    k = v.integer("services", services, low=1, high=10_000)
    return k * (v.non_negative("per_hop_ms", per_hop_ms) + v.non_negative("service_time_ms", service_time_ms))


def fanout_slow_chance(services, p_slow):
    """Chance that a request waiting for ``services`` parallel calls meets at least one slow call.

    p_slow: chance that one call is slow, in [0, 1] (a call's P99 means p_slow = 0.01 beyond it).
    Returns 1 - (1 - p_slow) ** services, in [0, 1].
    """
    k = v.integer("services", services, low=1, high=1_000_000)
    p = v.probability("p_slow", p_slow)
    return 1 - (1 - p) ** k


def per_call_percentile_of_max(q, services):
    """Which percentile of ONE call equals percentile ``q`` (0-100) of the slowest of ``services`` calls.

    The slowest of k independent calls stays below t only if all k do: P(max <= t) = F(t) ** k, so its
    q-th percentile is a single call's (100 * (q / 100) ** (1 / k))-th percentile. Example: P99 of 4 calls = P99.75.
    """
    q = v.number("q", q, 0, 100, low_open=True, high_open=True)
    k = v.integer("services", services, low=1, high=1_000_000)
    return 100 * (q / 100) ** (1 / k)


def fanout_percentile_exponential(mean_ms, q, services):
    """Percentile ``q`` (0-100) of the slowest of ``services`` calls whose times are exponential with mean_ms (ms)."""
    mean = v.non_negative("mean_ms", mean_ms)
    p = per_call_percentile_of_max(q, services) / 100
    return -mean * math.log(1 - p)


def fanout_percentile_bimodal(fast_ms, slow_ms, p_slow, services, q=99.0):
    """Percentile ``q`` (0-100) of the slowest of ``services`` calls that take fast_ms, or slow_ms with chance p_slow.

    It is slow_ms as soon as more than (100 - q) % of requests meet at least one slow call, else fast_ms.
    """
    fast = v.non_negative("fast_ms", fast_ms)
    slow = v.non_negative("slow_ms", slow_ms)
    q = v.number("q", q, 0, 100, low_open=True, high_open=True)
    return slow if fanout_slow_chance(services, p_slow) > 1 - q / 100 else fast


@dataclass(frozen=True)
class ScalingPlan:
    """Instances and monthly cost to carry a load, split into services vs as one monolith."""

    service_instances: tuple    # instances of each service (microservices)
    microservices_instances: int
    microservices_cost: float   # per month, same currency as the instance costs
    monolith_instances: int     # copies of the whole application
    monolith_cost: float

    @property
    def saving(self):
        """Monolith cost minus microservices cost (positive: splitting is cheaper)."""
        return self.monolith_cost - self.microservices_cost


def _same_length_lists(**named):
    lengths = {name: len(values) for name, values in named.items()}
    if len(set(lengths.values())) != 1 or not next(iter(lengths.values())):
        raise ValueError(f"give one value per service in each of {list(named)}, got lengths {lengths}")


def independent_scaling(loads_rps, capacity_rps, instance_cost, min_instances=1, monolith_instance_cost=None):
    """Instances and cost to carry each service's load, scaling services independently vs the monolith as a whole.

    loads_rps: requests/s each service (or module) must carry; capacity_rps: requests/s one instance of it
    carries; instance_cost: cost of one instance of it per month; min_instances: the least copies of anything
    you run (2 for redundancy). Services: ceil(load / capacity) instances each. Monolith: every copy runs every
    module, so the most demanding module sets the number of copies, and a copy costs the sum of the modules'
    instance costs (or monolith_instance_cost).
    """
    loads, caps, costs = list(loads_rps), list(capacity_rps), list(instance_cost)
    _same_length_lists(loads_rps=loads, capacity_rps=caps, instance_cost=costs)
    loads = [v.non_negative(f"loads_rps[{i}]", x) for i, x in enumerate(loads)]
    caps = [v.positive(f"capacity_rps[{i}]", x) for i, x in enumerate(caps)]
    costs = [v.non_negative(f"instance_cost[{i}]", x) for i, x in enumerate(costs)]
    floor = v.integer("min_instances", min_instances, low=1, high=1000)
    copy_cost = sum(costs) if monolith_instance_cost is None else v.non_negative(
        "monolith_instance_cost", monolith_instance_cost)
    per_service = tuple(max(floor, math.ceil(load / cap - 1e-9)) for load, cap in zip(loads, caps))
    monolith = max(per_service)
    return ScalingPlan(per_service, sum(per_service), float(sum(n * c for n, c in zip(per_service, costs))),
                       monolith, float(monolith * copy_cost))


def communication_paths(developers, teams=1):
    """Pairs of people who may need to talk: inside each team (split as evenly as possible) plus one per team pair.

    One team of n: n (n - 1) / 2. Teams talk through their service APIs, so k teams add k (k - 1) / 2 paths.
    """
    n = v.integer("developers", developers, low=1, high=1_000_000)
    t = v.integer("teams", teams, low=1, high=n)
    small, extra = divmod(n, t)
    sizes = [small + 1] * extra + [small] * (t - extra)
    return sum(s * (s - 1) // 2 for s in sizes) + t * (t - 1) // 2


def two_pizza_teams(developers, max_team_size=8):
    """Fewest teams of at most max_team_size people (two pizzas feed about 8) for ``developers`` people."""
    n = v.integer("developers", developers, low=1, high=1_000_000)
    size = v.integer("max_team_size", max_team_size, low=1, high=1000)
    return math.ceil(n / size)
