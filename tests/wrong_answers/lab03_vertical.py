"""Plausible wrong answers to lab 03 that its tests must reject."""
from wrong_answers import WrongAnswer

_WALL = "wall = runs.groupby(['kind', 'servers'])['wall_s'].median()\n"

CASES = [
    WrongAnswer("fit_parallel_fraction_answer", "test_fit_parallel_fraction",
                "def fit_parallel_fraction(n, speedup):\n    return sl.models.laws.amdahl_fit(n, speedup)\n"
                "p_given = fit_parallel_fraction(given_n, given_speedup)\nnoisy_gap = 0.0",
                says="linearise", why="the library's fit instead of the linearised least squares"),
    WrongAnswer("fit_parallel_fraction_answer", "test_fit_parallel_fraction",
                "def fit_parallel_fraction(n, speedup):\n"
                "    x = 1 - 1 / np.asarray(n, dtype=float)\n    y = 1 - 1 / np.asarray(speedup, dtype=float)\n"
                "    return float(y[-1] / x[-1])\n"
                "p_given = fit_parallel_fraction(given_n, given_speedup)\n"
                "noisy_gap = abs(fit_parallel_fraction(noisy_n, noisy_speedup) - sl.models.laws.amdahl_fit(noisy_n, noisy_speedup))",
                says="sum(x y) / sum(x x)", why="p from the last point alone"),
    WrongAnswer("fit_parallel_fraction_answer", "test_fit_parallel_fraction",
                "def fit_parallel_fraction(n, speedup):\n"
                "    x = 1 - 1 / np.asarray(n, dtype=float)\n    y = 1 - 1 / np.asarray(speedup, dtype=float)\n"
                "    return float((x * y).sum() / (x * x).sum())\n"
                "p_given = fit_parallel_fraction(given_n, given_speedup)\n"
                "noisy_gap = abs(fit_parallel_fraction(noisy_n, noisy_speedup) - sl.models.laws.amdahl_fit(noisy_n, noisy_speedup))",
                says="clip p to [0, 1]", why="no clipping: a slow-down gives a negative p"),
    WrongAnswer("amdahl_ceiling_answer", "test_amdahl_ceiling",
                "def amdahl_ceiling(p):\n    return math.inf if p == 1 else 1 / (1 - p)\n"
                "cores_for_90_percent = next(n for n in range(1, 10_000) if 1 / ((1 - 0.93) + 0.93 / n) >= 0.9 * 1 / 0.93)",
                says="cores_for_90_percent", why="90 % of 1/p instead of 90 % of the ceiling 1/(1 - p)"),
    WrongAnswer("amdahl_ceiling_answer", "test_amdahl_ceiling",
                "def amdahl_ceiling(p):\n    return 1 / p\n"
                "cores_for_90_percent = 120",
                says="1 / (1 - p)", why="1/p instead of 1/(1 - p)"),
    WrongAnswer("cost_per_unit_answer", "test_cost_per_unit",
                "per_unit = list(table['cost_usd'] / table['performance_mid'])\n"
                "cheapest_tier = table['tier'][int(np.argmin(per_unit))]\n"
                "marginal_16_to_32 = table['cost_usd'][3] / table['performance_mid'][3]",
                says="marginal cost", why="the average price per unit of the top tier instead of the marginal one"),
    WrongAnswer("cost_per_unit_answer", "test_cost_per_unit",
                "per_unit = list(table['cost_usd'] / table['performance_max'])\n"
                "cheapest_tier = table['tier'][int(np.argmin(per_unit))]\n"
                "marginal_16_to_32 = (table['cost_usd'][3] - table['cost_usd'][2]) / (table['performance_mid'][3] - table['performance_mid'][2])",
                says="performance_mid", why="the best-case performance instead of the middle of the range"),
    WrongAnswer("own_speedup_answer", "test_own_speedup",
                _WALL + "process_speedup_2 = wall['process', 2] / wall['process', 1]\n"
                "thread_speedup_2 = wall['thread', 2] / wall['thread', 1]\n"
                "my_p = fit_parallel_fraction([1, 2], [1.0, process_speedup_2])",
                says="median wall time on 1 process / median wall time on 2", why="speed-up inverted: time on 2 over time on 1"),
    WrongAnswer("fsync_answer", "test_fsync",
                "per_mode = durability.groupby('mode')['writes_per_s'].median()\n"
                "fsync_slowdown = per_mode['fsync_each'] / per_mode['buffered']",
                says="buffered writes per second / fsync-each", why="ratio the wrong way round"),
    WrongAnswer("up_or_out_answer", "test_up_or_out",
                "choices = {'bank_ledger': 'out', 'video_api': 'out', 'legacy_erp': 'up', 'ticket_sales': 'out',\n"
                "           'four_nines': 'out', 'simulation': 'out'}",
                says="strong consistency", why="scale out whatever the system: a ledger needs one consistent copy"),
    WrongAnswer("up_or_out_answer", "test_up_or_out",
                "choices = {'bank_ledger': 'up', 'video_api': 'out', 'legacy_erp': 'out', 'ticket_sales': 'out',\n"
                "           'four_nines': 'out', 'simulation': 'up'}",
                says="cannot run as two copies", why="a monolith that cannot run twice sent out"),
    WrongAnswer("network_answer", "test_network",
                "def link_needed(gigabytes, window_min, efficiency=0.7, tiers_gbit=(1, 10, 40, 100)):\n"
                "    for gbit in sorted(tiers_gbit):\n"
                "        if gigabytes / (gbit * efficiency) <= window_min * 60:\n"
                "            return gbit\n    return None",
                says="bytes are 8 bits", why="gigabytes taken as gigabits"),
    WrongAnswer("network_answer", "test_network",
                "def link_needed(gigabytes, window_min, efficiency=0.7, tiers_gbit=(1, 10, 40, 100)):\n"
                "    for gbit in sorted(tiers_gbit):\n"
                "        if gigabytes * 8 / gbit <= window_min * 60:\n"
                "            return gbit\n    return None",
                says="efficiency x its line rate", why="the line rate taken as the throughput"),
    WrongAnswer("network_answer", "test_network",
                "def link_needed(gigabytes, window_min, efficiency=0.7, tiers_gbit=(1, 10, 40, 100)):\n"
                "    for gbit in tiers_gbit:\n"
                "        if gigabytes * 8 / (gbit * efficiency) <= window_min * 60:\n"
                "            return gbit\n    return None",
                says="whatever the order", why="the first tier that fits in list order, not the slowest"),
]
