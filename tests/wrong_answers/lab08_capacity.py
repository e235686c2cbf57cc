"""Plausible wrong answers to lab 08 that its tests must reject."""
from wrong_answers import WrongAnswer

_DAILY = ("def peak_rps_from_daily(daily_users, requests_per_user_per_day, peak_to_mean):\n"
          "    return daily_users * requests_per_user_per_day / 86_400 * peak_to_mean\n")
_SERVERS = ("def servers_for(load_rps, capacity_rps):\n"
            "    return max(1, math.ceil(load_rps / capacity_rps - 1e-9))\n\n"
            "def servers_one_down(load_rps, capacity_rps):\n"
            "    return servers_for(load_rps, capacity_rps) + 1\n\n")
_CAPACITY = ("def capacity_at(sweep, p95_target_ms, max_error_rate=0.001):\n"
             "    best = 0.0\n"
             "    for row in sweep.sort_values('offered_rps').itertuples():\n"
             "        if not (row.p95_ms <= p95_target_ms and row.error_rate < max_error_rate):\n"
             "            break\n"
             "        best = float(row.offered_rps)\n"
             "    return best\n\n")
_CROSSING = ("def crossing_rps(sweep, p95_target_ms):\n"
             "    ordered = sweep.sort_values('offered_rps')\n"
             "    rates, p95 = list(ordered['offered_rps']), list(ordered['p95_ms'])\n"
             "    if p95[0] > p95_target_ms:\n        return 0.0\n"
             "    for i in range(1, len(rates)):\n"
             "        if p95[i] > p95_target_ms:\n"
             "            r0, r1, p0, p1 = rates[i - 1], rates[i], p95[i - 1], p95[i]\n"
             "            return float(r0 + (p95_target_ms - p0) * (r1 - r0) / (p1 - p0))\n"
             "    return float(rates[-1])\n\n")

CASES = [
    WrongAnswer("users_to_rps_answer", "test_users_to_rps",
                "def peak_rps(users, think_time_s, response_time_s=0.0):\n    return users / think_time_s\n\n" + _DAILY,
                says="response time is part of the loop", why="think time alone: the wait for the answer left out"),
    WrongAnswer("users_to_rps_answer", "test_users_to_rps",
                "def peak_rps(users, think_time_s, response_time_s=0.0):\n"
                "    return users / (think_time_s + response_time_s)\n\n"
                "def peak_rps_from_daily(daily_users, requests_per_user_per_day, peak_to_mean):\n"
                "    return daily_users * requests_per_user_per_day / 86_400 / peak_to_mean\n",
                says="peak = mean x peak_to_mean", why="divides the mean by the peak factor"),
    WrongAnswer("users_to_rps_answer", "test_users_to_rps",
                "def peak_rps(users, think_time_s, response_time_s=0.0):\n"
                "    return users / (think_time_s + response_time_s)\n\n"
                "def peak_rps_from_daily(daily_users, requests_per_user_per_day, peak_to_mean):\n"
                "    return daily_users * requests_per_user_per_day / (24 * 60) * peak_to_mean\n",
                says="86,400 s", why="spreads a day over its minutes, not its seconds"),
    WrongAnswer("servers_answer", "test_servers",
                "def servers_for(load_rps, capacity_rps):\n"
                "    return max(1, math.ceil(load_rps / (capacity_rps * 0.7) - 1e-9))\n\n"
                "def servers_one_down(load_rps, capacity_rps):\n    return servers_for(load_rps, capacity_rps) + 1\n\n"
                "def servers_zone_down(load_rps, capacity_rps, zones=3):\n"
                "    return zones * max(1, math.ceil(load_rps / ((zones - 1) * capacity_rps) - 1e-9))\n",
                says="no 70 % discount", why="plans at 70 % of a capacity already measured at the P95 target"),
    WrongAnswer("servers_answer", "test_servers",
                "def servers_for(load_rps, capacity_rps):\n    return int(load_rps // capacity_rps) + 1\n\n"
                "def servers_one_down(load_rps, capacity_rps):\n    return servers_for(load_rps, capacity_rps) + 1\n\n"
                "def servers_zone_down(load_rps, capacity_rps, zones=3):\n"
                "    return zones * (int(load_rps // ((zones - 1) * capacity_rps)) + 1)\n",
                says="ceil(load / capacity)", why="floor + 1: one server too many on an exact multiple"),
    WrongAnswer("servers_answer", "test_servers",
                _SERVERS + "def servers_zone_down(load_rps, capacity_rps, zones=3):\n"
                "    return math.ceil(servers_for(load_rps, capacity_rps) * zones / (zones - 1))\n",
                says="per zone ceil", why="scales the fleet by zones / (zones - 1) without whole zones"),
    WrongAnswer("servers_answer", "test_servers",
                _SERVERS + "def servers_zone_down(load_rps, capacity_rps, zones=3):\n"
                "    return zones * max(1, math.ceil(load_rps / (zones * capacity_rps) - 1e-9))\n",
                says="the other zones carry everything", why="spreads the load over all zones: nothing spare"),
    WrongAnswer("downtime_budget_answer", "test_downtime_budget",
                "downtime_budget = {row.tier: (1 - row.availability) * 730 for row in tiers.itertuples()}",
                says="minutes, not hours", why="hours of downtime instead of minutes"),
    WrongAnswer("downtime_budget_answer", "test_downtime_budget",
                "downtime_budget = {row.tier: row.availability * 730 * 60 for row in tiers.itertuples()}",
                says="1 - availability", why="the uptime instead of the downtime"),
    WrongAnswer("sweep_capacity_answer", "test_sweep_capacity",
                "def capacity_at(sweep, p95_target_ms, max_error_rate=0.001):\n"
                "    ok = sweep[(sweep.p95_ms <= p95_target_ms) & (sweep.error_rate < max_error_rate)]\n"
                "    return float(ok.offered_rps.max()) if len(ok) else 0.0\n\n" + _CROSSING,
                says="stop at the first miss", why="the highest passing rate even above a rate that missed"),
    WrongAnswer("sweep_capacity_answer", "test_sweep_capacity",
                "def capacity_at(sweep, p95_target_ms, max_error_rate=0.001):\n"
                "    best = 0.0\n"
                "    for row in sweep.sort_values('offered_rps').itertuples():\n"
                "        if not (row.p95_ms < p95_target_ms and row.error_rate < max_error_rate):\n"
                "            break\n"
                "        best = float(row.offered_rps)\n"
                "    return best\n\n" + _CROSSING,
                says="P95 <= target", why="a P95 exactly at the target counted as a miss"),
    WrongAnswer("sweep_capacity_answer", "test_sweep_capacity",
                "def capacity_at(sweep, p95_target_ms, max_error_rate=0.001):\n"
                "    best = 0.0\n"
                "    for row in sweep.sort_values('offered_rps').itertuples():\n"
                "        if not row.p95_ms <= p95_target_ms:\n"
                "            break\n"
                "        best = float(row.offered_rps)\n"
                "    return best\n\n" + _CROSSING,
                says="error rate", why="ignores the error rate"),
    WrongAnswer("sweep_capacity_answer", "test_sweep_capacity",
                _CAPACITY + "def crossing_rps(sweep, p95_target_ms):\n"
                "    return capacity_at(sweep, p95_target_ms, max_error_rate=1.0)\n",
                says="straight line", why="the last passing step, with no interpolation"),
    WrongAnswer("sweep_capacity_answer", "test_sweep_capacity",
                _CAPACITY + "def crossing_rps(sweep, p95_target_ms):\n"
                "    rates, p95 = list(sweep['offered_rps']), list(sweep['p95_ms'])\n"
                "    if p95[0] > p95_target_ms:\n        return 0.0\n"
                "    for i in range(1, len(rates)):\n"
                "        if p95[i] > p95_target_ms:\n"
                "            r0, r1, p0, p1 = rates[i - 1], rates[i], p95[i - 1], p95[i]\n"
                "            return float(r0 + (p95_target_ms - p0) * (r1 - r0) / (p1 - p0))\n"
                "    return float(rates[-1])\n",
                says="in order of rate", why="walks the rows as given, not sorted by rate"),
    WrongAnswer("own_capacity_answer", "test_own_capacity",
                "capacity_by_target = {target: capacity_at(sweep, target) for target in (50, 100)}\n"
                "medium_servers = math.ceil(peak_rps(100_000, 10) / (capacity_by_target[100] * 0.7)) + 1",
                says="same safety counted twice", why="a 70 % discount on the capacity measured at the target"),
    WrongAnswer("own_capacity_answer", "test_own_capacity",
                "capacity_by_target = {target: capacity_at(sweep, target) for target in (50, 100)}\n"
                "medium_servers = servers_for(peak_rps(100_000, 10), capacity_by_target[100])",
                says="plus one spare", why="no spare for a server down"),
    WrongAnswer("next_step_answer", "test_next_step",
                "next_step = {'A': 'horizontal_scaling', 'B': 'caching_layer', 'C': 'read_replicas',"
                " 'D': 'data_partitioning', 'E': 'microservices'}",
                says="single point of failure", why="auto-scaling before there is a load balancer"),
    WrongAnswer("next_step_answer", "test_next_step",
                "next_step = {'A': 'load_balancer', 'B': 'read_replicas', 'C': 'read_replicas',"
                " 'D': 'read_replicas', 'E': 'microservices'}",
                says="cheapest to serve from memory", why="replicas for repeated reads, and for writes"),
    WrongAnswer("monthly_cost_answer", "test_monthly_cost",
                "def monthly_cost(servers, price_per_hour, hours_per_month=720):\n"
                "    return servers * price_per_hour * hours_per_month\n\n"
                "medium_cost_usd = monthly_cost(servers_zone_down(10_000, 400, zones=3), 0.20)",
                says="730 hours", why="a 30-day month of 720 hours"),
    WrongAnswer("monthly_cost_answer", "test_monthly_cost",
                "def monthly_cost(servers, price_per_hour, hours_per_month=730):\n"
                "    return servers * price_per_hour * hours_per_month\n\n"
                "medium_cost_usd = monthly_cost(servers_one_down(10_000, 400), 0.20)",
                says="times 3 zones", why="costs the one-server-down plan, not the zone plan asked for"),
    WrongAnswer("mm1_p95_answer", "test_mm1_p95",
                "def mm1_p95_ms(arrival_rate, service_time_ms):\n"
                "    mu = 1000 / service_time_ms\n"
                "    return math.inf if arrival_rate >= mu else 1000 / (mu - arrival_rate)\n\n"
                "max_rate_50ms = 80",
                says="95th percentile", why="the mean response time instead of the P95"),
    WrongAnswer("mm1_p95_answer", "test_mm1_p95",
                "def mm1_p95_ms(arrival_rate, service_time_ms):\n"
                "    mu = 1000 / service_time_ms\n"
                "    return math.inf if arrival_rate >= mu else math.log(20) / (mu - arrival_rate) * 1000\n\n"
                "max_rate_50ms = math.ceil(1000 / 10 - math.log(20) / 0.050)",
                says="round down", why="rounds the rate limit up: 41 req/s misses 50 ms"),
]
