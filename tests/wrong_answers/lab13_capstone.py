"""Plausible wrong answers to lab 13 that its tests must reject."""
from wrong_answers import WrongAnswer


def plan(foundation='["monitoring"]', growth='["load_balancer", "cache", "read_replicas", "cdn"]',
         scale='["auto_scaling", "service_split", "bigger_server"]', optimization='["sharding"]'):
    return (f'my_plan = {{"foundation": {foundation}, "growth": {growth}, "scale": {scale}, '
            f'"optimization": {optimization}}}')


CASES = [
    WrongAnswer("tier_p95_answer", "test_tier_p95",
                "def tier_p95_ms(arrival_rps, service_time_ms, slots):\n"
                "    mu = 1000 / service_time_ms\n"
                "    if arrival_rps >= slots * mu:\n        return math.inf\n"
                "    a, rho, b = arrival_rps / mu, arrival_rps / (slots * mu), 1.0\n"
                "    for k in range(1, slots + 1):\n        b = a * b / (k + a * b)\n"
                "    wait = b / (1 - rho * (1 - b))\n"
                "    return 1000 * (wait / (slots * mu - arrival_rps) + 1 / mu)",
                says="tier_p95_ms(100, 10, 2)", why="the mean response time of M/M/c instead of its P95"),
    WrongAnswer("tier_p95_answer", "test_tier_p95",
                "def tier_p95_ms(arrival_rps, service_time_ms, slots):\n"
                "    if arrival_rps >= slots * 1000 / service_time_ms:\n        return math.inf\n"
                "    return service_time_ms * math.log(20)",
                says="tier_p95_ms(100, 10, 2)", why="the P95 of the service alone: no queueing"),
    WrongAnswer("tier_p95_answer", "test_tier_p95",
                "def tier_p95_ms(arrival_rps, service_time_ms, slots):\n"
                "    mu = slots * 1000 / service_time_ms\n"
                "    if arrival_rps >= mu:\n        return math.inf\n"
                "    return 1000 * math.log(20) / (mu - arrival_rps)",
                says="tier_p95_ms", why="the c workers taken as one server c times as fast (M/M/1)"),
    WrongAnswer("bottleneck_answer", "test_bottleneck",
                "def bottleneck(tiers):\n"
                "    name = max(tiers, key=lambda n: tiers[n]['load_rps'])\n"
                "    t = tiers[name]\n"
                "    return name, t['load_rps'] / (t['machines'] * t['slots'] * 1000 / t['service_time_ms'])",
                says="bottleneck", why="the tier with the most requests, not the busiest"),
    WrongAnswer("bottleneck_answer", "test_bottleneck",
                "def bottleneck(tiers):\n"
                "    u = {n: t['load_rps'] / (t['slots'] * 1000 / t['service_time_ms']) for n, t in tiers.items()}\n"
                "    name = max(u, key=u.get)\n"
                "    return name, u[name]",
                says="bottleneck", why="forgets that the load is split over the tier's machines"),
    WrongAnswer("plan_availability_answer", "test_plan_availability",
                "def plan_availability(tiers, machine_availability):\n"
                "    total = 1.0\n"
                "    for t in tiers:\n"
                "        total *= 1 - (1 - machine_availability) ** t['machines']\n"
                "    return total",
                says="4 shards without standbys", why="every tier treated as redundant, shards included"),
    WrongAnswer("plan_availability_answer", "test_plan_availability",
                "def plan_availability(tiers, machine_availability):\n"
                "    return machine_availability ** sum(t['machines'] for t in tiers)",
                says="balancer pair", why="every machine needed: redundancy ignored"),
    WrongAnswer("my_plan_answer", "test_foundation", plan(foundation="[]"),
                says="foundation on the visible day: misses ['availability']",
                why="no monitoring: every failure lasts hours"),
    WrongAnswer("my_plan_answer", "test_growth", plan(growth='["cache", "read_replicas", "cdn"]',
                                                      scale='["load_balancer", "auto_scaling", "service_split", '
                                                            '"bigger_server"]'),
                says="growth on the visible day: misses", why="no load balancer: one app server at 100,000 users"),
    WrongAnswer("my_plan_answer", "test_scale", plan(scale='["auto_scaling", "service_split"]'),
                says="scale on the visible day: misses ['p95']",
                why="one primary per service cannot take the writes at 1M users"),
    WrongAnswer("my_plan_answer", "test_optimization", plan(optimization='["bigger_server"]'),
                says="optimization on", why="a bigger primary instead of sharding: no margin for 2M users' writes"),
    WrongAnswer("my_plan_answer", "test_plan_feedback", plan(foundation='["monitoring", "sharding"]', optimization="[]"),
                says="over_engineering", why="shards at 1,000 users"),
    WrongAnswer("my_plan_answer", "test_plan_feedback", plan(foundation='["monitoring", "cache"]',
                                                               growth='["load_balancer", "read_replicas", "cdn"]'),
                says="premature_optimisation", why="a cache the foundation phase does not need"),
]
