"""Plausible wrong answers to lab 09 that its tests must reject."""
from wrong_answers import WrongAnswer

CASES = [
    WrongAnswer("laws_answer", "test_laws",
                "def bottleneck_of(demands):\n    return min(demands, key=demands.get)\n\n\n"
                "def bounds_by_hand(demands, users, think_time=0.0):\n    total, top = sum(demands.values()), max(demands.values())\n"
                "    return min(1 / total, users / (total + think_time)), max(total, users * top - think_time)",
                says="Revisit", why="the smallest demand named, and 1/D instead of 1/D_max"),
    WrongAnswer("mva_answer", "test_mva",
                "def mva_by_hand(demands, users, think_time=0.0):\n    d = sum(demands.values())\n"
                "    return users / (d + think_time), d",
                says="Revisit", why="no queueing: the bound N/(D+Z) taken for MVA"),
    WrongAnswer("profile_answer", "test_profile",
                "docs, catalogue = application.make_orders(orders=200, items_per_order=20, catalogue=2000)\n"
                "_, table = application.profile_cprofile(application.handle_orders, docs, catalogue, slow=True)\n"
                "top = table.sort_values('cumulative_s', ascending=False).iloc[0]\n"
                "hotspot, hotspot_share = top['name'], float(top['own_share'])\nbest_speedup = 1 / hotspot_share",
                says="Revisit", why="the most cumulative time named (the caller), and 1/f instead of 1/(1 - f)"),
    WrongAnswer("pool_answer", "test_pool",
                "def pool_size_for(rate, hold_s):\n    return int(rate * hold_s)\n\nsweep = database.pool_sweep(pool_sizes=(8,), rate=150, seconds=0.5, io_ms=10)",
                says="Revisit", why="rounded down: a pool below lambda x hold is exhausted"),
    WrongAnswer("network_answer", "test_network",
                "def retry_success(loss, retries, packets=1):\n    return 1 - loss ** (retries + 1)\n\n\n"
                "def break_even(original_bytes, compressed_bytes, cpu_s):\n    return original_bytes / cpu_s if cpu_s else math.inf",
                says="Revisit", why="loss per packet taken for loss per attempt; all bytes instead of saved bytes"),
    WrongAnswer("capacity_answer", "test_capacity",
                "def days_left(rows, file_bytes, free_bytes, rows_per_day):\n    return free_bytes / (file_bytes[-1] / rows[-1] * rows_per_day)",
                says="Revisit", why="bytes per row from the last point (counts the fixed overhead), no fit"),
    WrongAnswer("diagnose_answer", "test_diagnose",
                "def diagnose(readings):\n    return 'database'",
                says="Revisit", why="the usual suspect named without reading the readings"),
    WrongAnswer("diagnose_answer", "test_diagnose",
                "def diagnose(readings):\n"
                "    u = readings['utilization']\n"
                "    return readings['component'][u.index(max(u))]",
                says="utilisation alone does not name the bottleneck",
                why="highest utilisation wins: a part that serves queries in parallel can be nearly always busy "
                    "with nothing waiting for it, while the part with the queue limits"),
]
