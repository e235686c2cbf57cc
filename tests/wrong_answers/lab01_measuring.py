"""Plausible wrong answers to lab 01 that its tests must reject."""
from wrong_answers import WrongAnswer

_MEASURE = ("with LoopbackService(service_time_s=0.005, servers=1) as svc:\n"
            "    low = open_loop(svc.url, rate=50, requests=65).summary()\n"
            "    high = open_loop(svc.url, rate=150, requests=180).summary()\n")

CASES = [
    WrongAnswer("percentile_answer", "test_percentile_nearest_rank",
                "latencies_ms = [12, 15, 11, 250, 14, 13, 18, 16, 95, 12]\n"
                "def percentile_nearest_rank(samples, q):\n"
                "    ordered = sorted(samples)\n"
                "    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered) / 100))]",
                says="ranks count from 1", why="off by one: the rank used as a 0-based index"),
    WrongAnswer("percentile_answer", "test_percentile_nearest_rank",
                "latencies_ms = [12, 15, 11, 250, 14, 13, 18, 16, 95, 12]\n"
                "def percentile_nearest_rank(samples, q):\n"
                "    return float(np.percentile(samples, q))",
                says="nearest rank", why="numpy's interpolated percentile instead of the nearest rank"),
    WrongAnswer("apdex_answer", "test_apdex",
                "def apdex_score(latencies_ms, t_ms):\n"
                "    values = list(latencies_ms)\n"
                "    satisfied = sum(1 for x in values if x <= t_ms)\n"
                "    tolerating = sum(1 for x in values if t_ms < x <= 4 * t_ms)\n"
                "    return (satisfied + tolerating) / len(values)",
                says="half credit", why="tolerating requests given full credit"),
    WrongAnswer("downtime_answer", "test_downtime_budget",
                "def downtime_minutes_per_year(availability_percent):\n"
                "    return (1 - availability_percent) * 365 * 24 * 60",
                says="(1 - availability) x period", why="the percentage used as a fraction"),
    WrongAnswer("chain_answer", "test_chain_availability",
                "def chain_availability(availabilities):\n    return min(availabilities)\n"
                "checkout_availability = chain_availability([0.9999, 0.9999, 0.999, 0.995, 0.9995])",
                says="multiply", why="the weakest link taken as the chain's availability"),
    WrongAnswer("littles_law_answer", "test_littles_law",
                "connections_in_use = 250 * 40\nrequests_per_second = 1200 / (0.5 + 9.5)\nmean_latency_s = 30 / 600",
                says="convert ms to seconds", why="L = lambda x W with W left in milliseconds"),
    WrongAnswer("littles_law_answer", "test_littles_law",
                "connections_in_use = 250 * 0.040\nrequests_per_second = 1200 / 0.5\nmean_latency_s = 30 / 600",
                says="R + Z", why="think time left out of N = X (R + Z)"),
    WrongAnswer("error_budget_answer", "test_error_budget",
                "def error_budget(slo, requests, failed):\n"
                "    allowed = round((1 - slo) * requests)\n    return allowed, max(0, allowed - failed)",
                says="overspent", why="a spent budget clipped at zero hides how far it was overspent"),
    WrongAnswer("error_budget_answer", "test_error_budget",
                "def error_budget(slo, requests, failed):\n"
                "    allowed = round(slo * requests)\n    return allowed, allowed - failed",
                says="(1 - SLO)", why="the SLO's success share taken as the budget"),
    WrongAnswer("pool_size_answer", "test_pool_size",
                "def pool_size(queries_per_s, hold_ms, max_usage=0.7):\n"
                "    return max(1, round(queries_per_s * hold_ms / 1000 / max_usage))",
                says="ceil(in use / max_usage)", why="rounds to the nearest pool size, which can exceed the usage target"),
    WrongAnswer("pool_size_answer", "test_pool_size",
                "def pool_size(queries_per_s, hold_ms, max_usage=0.7):\n"
                "    return max(1, math.ceil(queries_per_s * hold_ms / 1000 * max_usage))",
                says="in use = lambda x W", why="multiplies by the usage target instead of dividing"),
    WrongAnswer("ttfb_answer", "test_ttfb",
                "def latency_split(frame):\n"
                "    return {'ttfb_p50_ms': float(np.median(frame['ttfb'] - frame['start'])) * 1000,\n"
                "            'transfer_p50_ms': float(np.median(frame['end'] - frame['start'])) * 1000}\n"
                "slow_part = {'search': 'server', 'report': 'transfer'}",
                says="transfer = end - first byte", why="the whole latency reported as the transfer time"),
    WrongAnswer("ttfb_answer", "test_ttfb",
                "def latency_split(frame):\n"
                "    return {'ttfb_p50_ms': float(np.median(frame['ttfb'])) * 1000,\n"
                "            'transfer_p50_ms': float(np.median(frame['end'] - frame['ttfb'])) * 1000}\n"
                "slow_part = {'search': 'server', 'report': 'transfer'}",
                says="TTFB = first byte - start", why="the first byte's clock time taken as the TTFB"),
    WrongAnswer("queue_depth_answer", "test_queue_depth",
                "def mean_queue_depth(in_system, servers):\n"
                "    return float(np.mean(in_system)) - servers",
                says="max(0, in system - servers)", why="subtracts the workers from the mean, so idle moments count negative"),
    WrongAnswer("queue_depth_answer", "test_queue_depth",
                "def mean_queue_depth(in_system, servers):\n    return float(np.mean(in_system))",
                says="waiting = max(0", why="the number in the system taken as the queue depth"),
    WrongAnswer("measurement_answer", "test_own_measurement_relations",
                _MEASURE + "littles_L_high = high['throughput_rps'] * high['mean_ms']",
                says="mean_ms / 1000", why="Little's law with W left in milliseconds"),
    WrongAnswer("measurement_answer", "test_own_measurement_relations",
                _MEASURE + "littles_L_high = high['throughput_rps'] * high['p99_ms'] / 1000\n"
                "high = {**high, 'mean_ms': high['p99_ms']}",
                says="MEAN latency", why="P99 latency in Little's law instead of the mean (summary edited to match)"),
]

CASES += [
    WrongAnswer("hit_ratio_answer", "test_hit_ratio",
                "def hit_ratio_needed(target_ms, hit_ms, miss_ms):\n"
                "    return (miss_ms - target_ms) / miss_ms",
                says="h = (miss - target) / (miss - hit)", why="forgets that a hit costs time too"),
    WrongAnswer("hit_ratio_answer", "test_hit_ratio",
                "def hit_ratio_needed(target_ms, hit_ms, miss_ms):\n"
                "    return (miss_ms - target_ms) / (miss_ms - hit_ms)",
                says="within [0, 1]", why="no bounds: negative ratios and impossible targets pass through"),
    WrongAnswer("dashboard_answer", "test_dashboard",
                "def dashboard_rates(scrapes):\n"
                "    return [((r1 - r0) / (t1 - t0), (e1 - e0) / (r1 - r0) if r1 != r0 else 0.0)\n"
                "            for (t0, r0, e0), (t1, r1, e1) in zip(scrapes, scrapes[1:])]\n"
                "scrapes = [(0, 1000, 2), (15, 2500, 5), (30, 4000, 20)]\n",
                says="reset", why="a restart's counter drop taken as negative traffic"),
    WrongAnswer("dashboard_answer", "test_dashboard",
                "def dashboard_rates(scrapes):\n"
                "    return [(r1 / t1 if t1 else 0.0, e1 / r1 if r1 else 0.0) for (t1, r1, e1) in scrapes[1:]]\n"
                "scrapes = [(0, 1000, 2), (15, 2500, 5), (30, 4000, 20)]\n",
                says="increase / seconds between scrapes", why="the totals read as rates, not the differences between scrapes"),
    WrongAnswer("dashboard_answer", "test_dashboard",
                "def dashboard_rates(scrapes):\n"
                "    return [((r1 - r0) / (t1 - t0), (e1 - e0) / (t1 - t0))\n"
                "            for (t0, r0, e0), (t1, r1, e1) in zip(scrapes, scrapes[1:])]\n"
                "scrapes = [(0, 1000, 2), (15, 2500, 5), (30, 4000, 20)]\n",
                says="error rate of interval 0", why="errors per second instead of the share of requests that failed"),
]
