"""Plausible wrong answers to lab 10 that its tests must reject."""
from wrong_answers import WrongAnswer

CASES = [
    WrongAnswer("choose_rw_answer", "test_choose_quorum",
                "def choose_rw(n, read_failures, write_failures):\n    return (n // 2 + 1, n // 2 + 1)",
                says="quorum arithmetic", why="majorities whatever the failure budget"),
    WrongAnswer("choose_rw_answer", "test_choose_quorum",
                "def choose_rw(n, read_failures, write_failures):\n"
                "    for total in range(n, 2 * n + 1):\n"
                "        for r in range(1, n + 1):\n"
                "            w = total - r\n"
                "            if 1 <= w <= n and r <= n - read_failures and w <= n - write_failures:\n"
                "                return (r, w)\n"
                "    return None",
                says="quorum arithmetic", why="r + w >= n: quorums that need not overlap"),
    WrongAnswer("quorum_facts_answer", "test_quorum_facts",
                "def quorum_facts(n, r, w, side):\n"
                "    return {'overlap': r + w > n, 'read_failures': n - r, 'write_failures': n - w,\n"
                "            'stale_chance': math.comb(n - w, r) / math.comb(n, w),\n"
                "            'cp_reads': side >= r, 'cp_writes': side >= w, 'ap_writes': side >= 1}",
                says="stale_chance", why="divides by the ways to choose the write quorum, not the read quorum"),
    WrongAnswer("quorum_facts_answer", "test_quorum_facts",
                "def quorum_facts(n, r, w, side):\n"
                "    return {'overlap': r + w >= n, 'read_failures': n - r, 'write_failures': n - w,\n"
                "            'stale_chance': math.comb(n - w, r) / math.comb(n, r),\n"
                "            'cp_reads': side >= r, 'cp_writes': side >= w, 'ap_writes': True}",
                says="overlap", why="r + w = n counted as overlapping, and a side with no replica accepting writes"),
    WrongAnswer("register_step_answer", "test_register_step",
                "def register_step(state, op):\n"
                "    if op['op'] == 'read':\n        return op['value'] == state, state\n"
                "    if op['op'] == 'write':\n        return True, op['value']\n"
                "    expected, new = op['value']\n"
                "    if op['ok']:\n        return state == expected, new\n"
                "    return True, state",
                says="register_step(1, cas", why="a failed cas taken as always legal: its compare failed for a reason"),
    WrongAnswer("register_step_answer", "test_register_step",
                "def register_step(state, op):\n"
                "    if op['op'] == 'read':\n        return True, state\n"
                "    if op['op'] == 'write':\n        return True, op['value']\n"
                "    expected, new = op['value']\n"
                "    return state == expected, new if op['ok'] else state",
                says="register_step", why="a read is legal whatever it read"),
    WrongAnswer("linearizable_answer", "test_linearizable",
                "def linearizable(history, initial=None):\n"
                "    for order in itertools.permutations(range(len(history))):\n"
                "        state, legal = initial, True\n"
                "        for i in order:\n"
                "            legal, state = register_step(state, history[i])\n"
                "            if not legal:\n                break\n"
                "        if legal:\n            return True\n"
                "    return False",
                says="new, then old", why="ignores real time: any order of the operations is accepted"),
    WrongAnswer("linearizable_answer", "test_linearizable",
                "def linearizable(history, initial=None):\n"
                "    state = initial\n"
                "    for o in sorted(history, key=lambda o: o['start']):\n"
                "        legal, state = register_step(state, o)\n"
                "        if not legal:\n            return False\n"
                "    return True",
                says="linearizable of a history", why="replays in start order only: concurrent operations may go either way"),
    WrongAnswer("batch_size_answer", "test_batch_size", "best_batch = 1",
                says="does not qualify", why="one commit per item: the writer cannot keep up at three times its capacity"),
    WrongAnswer("paths_answer", "test_paths",
                "def cost_per_million(servers, server_cost_usd, mean_rps, availability):\n"
                "    return servers * server_cost_usd / 36 / (mean_rps * 3600 * 730 / 1e6)\n\n"
                "tiers = sl.datasets.load_server_costs()\npremium, commodity = tiers.iloc[-1], tiers.iloc[0]\n"
                "high = tradeoffs.deployment(800, premium.cost_usd, premium.performance_mid, peak_to_mean=2.5, copies=2,"
                " regions=3, realtime=True, consistency='majority')\n"
                "low = tradeoffs.deployment(800, commodity.cost_usd, commodity.performance_mid, peak_to_mean=2.5,"
                " realtime=False, batch_window_h=24)\n"
                "cost_ratio = high.cost_per_million_usd / low.cost_per_million_usd",
                says="cost_per_million", why="counts requests during downtime as served"),
    WrongAnswer("paths_answer", "test_paths",
                "def cost_per_million(servers, server_cost_usd, mean_rps, availability):\n"
                "    return servers * server_cost_usd / 36 / (mean_rps * 3600 * 730 * availability / 1e6)\n\n"
                "tiers = sl.datasets.load_server_costs()\npremium, commodity = tiers.iloc[-1], tiers.iloc[0]\n"
                "high = tradeoffs.deployment(800, premium.cost_usd, premium.performance_mid, peak_to_mean=2.5, copies=2,"
                " regions=3, realtime=True, consistency='majority')\n"
                "low = tradeoffs.deployment(800, commodity.cost_usd, commodity.performance_mid, peak_to_mean=2.5,"
                " realtime=True)\n"
                "cost_ratio = high.cost_per_million_usd / low.cost_per_million_usd",
                says="servers of (high, low)", why="the cost-optimised path sized for the peak: it processes in batches"),
    WrongAnswer("footprint_answer", "test_footprint",
                "def calls_per_request(needs, architecture):\n    return 1 if architecture == 'monolith' else len(needs)\n\n"
                "def share_down(requests, crashed, architecture):\n"
                "    if architecture == 'monolith' or crashed == 'gateway':\n        return 1.0\n"
                "    return sum(crashed in needs for needs in requests.values()) / len(requests)",
                says="calls_per_request", why="forgets the call to the gateway"),
    WrongAnswer("footprint_answer", "test_footprint",
                "def calls_per_request(needs, architecture):\n    return 1 if architecture == 'monolith' else 1 + len(needs)\n\n"
                "def share_down(requests, crashed, architecture):\n"
                "    return sum(crashed in needs for needs in requests.values()) / len(requests)",
                says="share_down", why="a monolith's crash taken as contained like a service's, and the gateway ignored"),
]
