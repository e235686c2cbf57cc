"""Plausible wrong answers to lab 07 that its tests must reject."""
from wrong_answers import WrongAnswer

_FLOORS = ("def _cycles(memory, samples_per_cycle):\n"
           "    memory = np.asarray(memory, dtype=float)\n"
           "    complete = memory.size // samples_per_cycle\n"
           "    return memory[:complete * samples_per_cycle].reshape(complete, samples_per_cycle)\n\n"
           "def cycle_floors(memory, samples_per_cycle):\n"
           "    return _cycles(memory, samples_per_cycle).min(axis=1)\n\n"
           "def cycle_floor_times(t_s, memory, samples_per_cycle):\n"
           "    cycles = _cycles(memory, samples_per_cycle)\n"
           "    index = np.arange(cycles.shape[0]) * samples_per_cycle + cycles.argmin(axis=1)\n"
           "    return np.asarray(t_s, dtype=float)[index]\n\n")
_SLOPE = ("def floor_slope(t_s, memory, samples_per_cycle):\n"
          "    return float(np.polyfit(cycle_floor_times(t_s, memory, samples_per_cycle),\n"
          "                            cycle_floors(memory, samples_per_cycle), 1)[0])\n\n")
_SLOPES = "floor_slope_a, floor_slope_b = floor_slope(t_s, memory_a, 4), floor_slope(t_s, memory_b, 4)\n"

CASES = [
    WrongAnswer("breaking_point_answer", "test_breaking_point",
                "def find_breaking_point(table, slo_p95_ms=100.0, max_error_rate=0.01):\n"
                "    met = table['p95_ms'] <= slo_p95_ms\n"
                "    broken = table.loc[~met, 'offered_rps']\n"
                "    return float(broken.min()) if len(broken) else math.nan",
                says="more than 1 % errors", why="only the latency counts; errors ignored"),
    WrongAnswer("breaking_point_answer", "test_breaking_point",
                "def find_breaking_point(table, slo_p95_ms=100.0, max_error_rate=0.01):\n"
                "    met = (table['p95_ms'] <= slo_p95_ms) & (table['error_rate'] <= max_error_rate)\n"
                "    ok = table.loc[met, 'offered_rps']\n"
                "    return float(ok.max()) if len(ok) else math.nan",
                says="take the lowest rate that does not", why="the last rate that met the SLO, not the first that broke it"),
    WrongAnswer("own_ramp_answer", "test_own_ramp",
                "with LoopbackService(service_time_s=0.010, servers=1, rng=3) as service:\n"
                "    ramp = rate_sweep(service.url, RATES, seconds=0.6, timeout=2.0)\n"
                "met = (ramp['p95_ms'] <= SLO_P95_MS) & (ramp['error_rate'] <= MAX_ERROR_RATE)\n"
                "my_breaking_rps = float(ramp.loc[met, 'offered_rps'].max())",
                says="break the SLO", why="the highest rate that still met the SLO"),
    WrongAnswer("name_the_test_answer", "test_name_the_test",
                "test_kind = {'A': 'endurance', 'B': 'load', 'C': 'spike', 'D': 'volume', 'E': 'stress'}\n"
                "closed_only = {'LoadRunner', 'Locust'}",
                says="stress test", why="stress and load swapped"),
    WrongAnswer("name_the_test_answer", "test_name_the_test",
                "test_kind = {'A': 'load', 'B': 'stress', 'C': 'spike', 'D': 'volume', 'E': 'load'}\n"
                "closed_only = {'LoadRunner', 'Locust'}",
                says="endurance (soak) test", why="a three-day run taken for a load test"),
    WrongAnswer("name_the_test_answer", "test_name_the_test",
                "test_kind = {'A': 'endurance', 'B': 'stress', 'C': 'spike', 'D': 'volume', 'E': 'load'}\n"
                "closed_only = {t['tool'] for t in loadtest.TOOLS if 'open' not in t['load model']}",
                says="as open as its engine", why="a word filter on 'open' also takes BlazeMeter"),
    WrongAnswer("leak_answer", "test_leak",
                "def cycle_floors(memory, samples_per_cycle):\n"
                "    memory = np.asarray(memory, dtype=float)\n"
                "    return np.array([memory[i:i + samples_per_cycle].min() for i in range(0, memory.size, samples_per_cycle)])\n\n"
                "def cycle_floor_times(t_s, memory, samples_per_cycle):\n"
                "    return np.asarray(t_s, dtype=float)[::samples_per_cycle]\n\n" + _SLOPE + _SLOPES +
                "leaking = 'B'\nhours_per_gb = 1e9 / floor_slope_b / 3600",
                says="complete cycle", why="keeps the incomplete last cycle"),
    WrongAnswer("leak_answer", "test_leak",
                _FLOORS + "def floor_slope(t_s, memory, samples_per_cycle):\n"
                "    return float(np.polyfit(t_s, memory, 1)[0])\n\n" + _SLOPES +
                "leaking = 'B'\nhours_per_gb = 1e9 / floor_slope_b / 3600",
                says="fit the floors, not every sample", why="a line through every sample of the saw-tooth"),
    WrongAnswer("leak_answer", "test_leak",
                _FLOORS + _SLOPE + _SLOPES +
                "from scipy import stats\n"
                "peaks = {n: np.asarray(m).reshape(-1, 4).max(axis=1) for n, m in (('A', memory_a), ('B', memory_b))}\n"
                "leaking = next(n for n in 'AB' if peaks[n][-1] > peaks[n][0])\n"
                "hours_per_gb = 1e9 / (floor_slope_a if leaking == 'A' else floor_slope_b) / 3600",
                says="floor falls back", why="rising peaks taken for a leak: a peak depends on when the collector ran"),
    WrongAnswer("leak_answer", "test_leak",
                _FLOORS + _SLOPE + _SLOPES +
                "leaking = 'B'\nhours_per_gb = 1e9 / float(np.polyfit(t_s, memory_b, 1)[0]) / 3600",
                says="floor slope", why="hours from the slope through every sample"),
    WrongAnswer("coordinated_omission_answer", "test_coordinated_omission",
                "def tester_latencies(intended_ms, service_time_ms):\n"
                "    service = np.asarray(service_time_ms, dtype=float)\n"
                "    return service, service.copy()",
                says="corrected = end - intended", why="the corrected latencies left equal to the naive ones"),
    WrongAnswer("coordinated_omission_answer", "test_coordinated_omission",
                "def tester_latencies(intended_ms, service_time_ms):\n"
                "    intended = np.asarray(intended_ms, dtype=float)\n"
                "    service = np.asarray(service_time_ms, dtype=float)\n"
                "    end = intended + service\n"
                "    return end - intended, end - intended + np.r_[0, np.maximum(0, end[:-1] - intended[1:])]",
                says="corrected = end - intended", why="adds only the previous request's overrun, not the chain"),
    WrongAnswer("volume_answer", "test_volume",
                "volume = scenarios.volume_test(sizes=(1_000, 30_000), queries=30)\n"
                "median = volume.set_index(['rows', 'indexed'])['median_ms']\n"
                "scan_growth = median[(30_000, False)] / median[(1_000, False)]\n"
                "index_speedup = median[(30_000, False)] / median[(30_000, True)]\n"
                "scan_exponent = math.log(scan_growth) / math.log(30_000)",
                says="log(rows ratio)", why="divides by the log of the rows, not of their ratio"),
    WrongAnswer("volume_answer", "test_volume",
                "volume = scenarios.volume_test(sizes=(1_000, 30_000), queries=30)\n"
                "median = volume.set_index(['rows', 'indexed'])['median_ms']\n"
                "scan_growth = median[(30_000, False)] / median[(1_000, False)]\n"
                "index_speedup = median[(30_000, True)] / median[(30_000, False)]\n"
                "scan_exponent = math.log(scan_growth) / math.log(30)",
                says="divide the no-index median by the indexed one", why="the speed-up upside down"),
]
