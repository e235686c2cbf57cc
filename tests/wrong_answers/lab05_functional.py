"""Plausible wrong answers to lab 05 that its tests must reject."""
from wrong_answers import WrongAnswer

_BREAKER_HEAD = "def breaker(outcomes, threshold, cooldown):\n    result, state, failures, blocked = [], 'closed', 0, 0\n"

CASES = [
    WrongAnswer("replica_budget_answer", "test_replica_budget",
                "def replicas_for_chain(services, availability, target):\n"
                "    r = 1\n"
                "    while 1 - (1 - availability) ** r < target:\n        r += 1\n"
                "    return r",
                says="the target is for the whole chain", why="each service meets the target, not the chain"),
    WrongAnswer("replica_budget_answer", "test_replica_budget",
                "def replicas_for_chain(services, availability, target):\n"
                "    r = 1\n"
                "    while availability ** r * services < target:\n        r += 1\n"
                "    return r",
                says="(1 - a)^r", why="copies multiply availabilities as if in series"),
    WrongAnswer("fanout_share_answer", "test_fanout_share",
                "def services_for_share(p_slow, share):\n    return math.ceil(share / p_slow)",
                says="1 - (1 - p)^k", why="adds the chances of slow calls instead of multiplying the fast ones"),
    WrongAnswer("fanout_share_answer", "test_fanout_share",
                "def services_for_share(p_slow, share):\n"
                "    return int(math.log(1 - share) / math.log(1 - p_slow)) + 1",
                says="whole-number answer", why="floor + 1: one service too many when the answer is exact"),
    WrongAnswer("measurements_answer", "test_own_measurements",
                "with chain.ServicePool(services=4) as pool:\n"
                "    my_chain = chain.chain_latency(pool, ks=(1, 2, 3, 4), calls=30)\n"
                "    my_fanout = chain.fan_out(pool, ks=(1, 16), requests=150, service_time_ms=1.0, distribution='bimodal',\n"
                "                              p_slow=0.003, slow_ms=25.0)\n"
                "chain_p50 = my_chain.groupby('k')['latency_ms'].mean().to_dict()\n"
                "fan = sl.models.metrics.latency_table(my_fanout).set_index('k')\n"
                "single_p99, fanout_p99 = fan.loc[1, 'p99'], fan.loc[16, 'p99']",
                says="median", why="the mean per chain length instead of the median"),
    WrongAnswer("scaling_cost_answer", "test_scaling_cost",
                "def scaling_costs(shop, min_instances=1):\n"
                "    needed = np.maximum((shop['peak_rps'] // shop['rps_per_instance']).astype(int), min_instances)\n"
                "    return float((needed * shop['cost_per_instance']).sum()), float(needed.max() * shop['cost_per_instance'].sum())",
                says="round up", why="rounds instances down"),
    WrongAnswer("scaling_cost_answer", "test_scaling_cost",
                "def scaling_costs(shop, min_instances=1):\n"
                "    needed = np.ceil(shop['peak_rps'] / shop['rps_per_instance']).astype(int)\n"
                "    own = np.maximum(needed, min_instances)\n"
                "    return float((own * shop['cost_per_instance']).sum()), float((needed * shop['cost_per_instance'].sum()).sum())",
                says="busiest function", why="the monolith priced as the sum of copies per function"),
    WrongAnswer("decomposition_answer", "test_decomposition", "choice_startup = 'C'\nchoice_marketplace = 'C'",
                says="two-pizza team", why="microservices for a team of four"),
    WrongAnswer("decomposition_answer", "test_decomposition", "choice_startup = 'A'\nchoice_marketplace = 'B'",
                says="layer split", why="split by technical layer"),
    WrongAnswer("ownership_answer", "test_ownership",
                "def ownership_conflicts(accesses):\n"
                "    users = {}\n"
                "    for service, table, kind in accesses:\n"
                "        users.setdefault(table, set()).add(service)\n"
                "    return sorted(t for t, s in users.items() if len(s) > 1)\n\n"
                "talk = {'price_for_page': 'call', 'order_email': 'message', 'stock_check': 'call', 'update_search_index': 'message'}",
                says="data ownership", why="readers counted as owners"),
    WrongAnswer("ownership_answer", "test_ownership",
                "def ownership_conflicts(accesses):\n"
                "    writes = [(s, t) for s, t, k in accesses if k == 'write']\n"
                "    tables = [t for _, t in writes]\n"
                "    return sorted({t for t in tables if tables.count(t) > 1})\n\n"
                "talk = {'price_for_page': 'call', 'order_email': 'message', 'stock_check': 'call', 'update_search_index': 'message'}",
                says="one owner", why="the same service writing twice counted as two writers"),
    WrongAnswer("ownership_answer", "test_ownership",
                "def ownership_conflicts(accesses):\n"
                "    writers = {}\n"
                "    for service, table, kind in accesses:\n"
                "        if kind == 'write':\n            writers.setdefault(table, set()).add(service)\n"
                "    return sorted(t for t, s in writers.items() if len(s) > 1)\n\n"
                "talk = {'price_for_page': 'call', 'order_email': 'call', 'stock_check': 'call', 'update_search_index': 'call'}",
                says="message when it need not wait", why="everything as a synchronous call"),
    WrongAnswer("breaker_answer", "test_breaker",
                _BREAKER_HEAD +
                "    for ok in outcomes:\n"
                "        if state == 'open':\n"
                "            result.append('blocked'); blocked += 1\n"
                "            if blocked == cooldown:\n                state = 'half-open'\n"
                "            continue\n"
                "        result.append('sent')\n"
                "        if ok:\n            state = 'closed'\n"
                "        else:\n"
                "            failures += 1\n"
                "            if failures >= threshold:\n                state, blocked, failures = 'open', 0, 0\n"
                "    return result",
                says="failures must come in a row", why="a success does not reset the failure count"),
    WrongAnswer("breaker_answer", "test_breaker",
                _BREAKER_HEAD +
                "    for ok in outcomes:\n"
                "        if state == 'open':\n"
                "            result.append('blocked'); blocked += 1\n"
                "            if blocked == cooldown:\n                state = 'closed'\n"
                "            continue\n"
                "        result.append('sent')\n"
                "        if ok:\n            failures = 0\n"
                "        else:\n"
                "            failures += 1\n"
                "            if failures >= threshold:\n                state, blocked, failures = 'open', 0, 0\n"
                "    return result",
                says="half-open trial", why="after the cool-down the breaker closes fully: one failure does not reopen it"),
    WrongAnswer("mesh_answer", "test_mesh",
                "SIDECAR_MS = 0.5\n"
                "ks = np.array(sorted(chain_p50))\n"
                "hop_ms = float(np.polyfit(ks, [chain_p50[k] for k in ks], 1)[0])\n\n"
                "def mesh_chain_ms(services, hop_ms, sidecar_ms, base_ms):\n"
                "    return base_ms + (services - 1) * (hop_ms + 2 * sidecar_ms)\n\n"
                "mesh_overhead_6 = mesh_chain_ms(6, hop_ms, SIDECAR_MS, chain_p50[1]) - (chain_p50[1] + 5 * hop_ms)",
                says="2 k sidecars", why="forgets the sidecars of the client's first call"),
    WrongAnswer("mesh_answer", "test_mesh",
                "SIDECAR_MS = 0.5\n"
                "hop_ms = (chain_p50[4] - chain_p50[1]) / 4\n\n"
                "def mesh_chain_ms(services, hop_ms, sidecar_ms, base_ms):\n"
                "    return base_ms + (services - 1) * hop_ms + services * 2 * sidecar_ms\n\n"
                "mesh_overhead_6 = mesh_chain_ms(6, hop_ms, SIDECAR_MS, chain_p50[1]) - (chain_p50[1] + 5 * hop_ms)",
                says="least-squares slope", why="divides the rise from 1 to 4 services by 4 instead of fitting"),
    WrongAnswer("discovery_answer", "test_discovery",
                "def instances_for(registry, service, api_version):\n"
                "    return sorted(e['address'] for e in registry if e['service'] == service and api_version in e['versions'])\n"
                "registry = [\n"
                "    {'service': 'orders', 'address': '10.0.0.11:8080', 'versions': ('v1',), 'healthy': True},\n"
                "    {'service': 'orders', 'address': '10.0.0.12:8080', 'versions': ('v1', 'v2'), 'healthy': True},\n"
                "    {'service': 'orders', 'address': '10.0.0.13:8080', 'versions': ('v1', 'v2'), 'healthy': False},\n"
                "    {'service': 'payments', 'address': '10.0.1.21:8080', 'versions': ('v2',), 'healthy': True},\n"
                "]\n",
                says="instances_for(registry, 'orders', 'v2')", why="health ignored: the caller is sent to an instance that is down"),
    WrongAnswer("discovery_answer", "test_discovery",
                "def instances_for(registry, service, api_version):\n"
                "    return sorted(e['address'] for e in registry\n"
                "                  if e['service'] == service and e['healthy'] and e['versions'][-1] == api_version)\n"
                "registry = [\n"
                "    {'service': 'orders', 'address': '10.0.0.11:8080', 'versions': ('v1',), 'healthy': True},\n"
                "    {'service': 'orders', 'address': '10.0.0.12:8080', 'versions': ('v1', 'v2'), 'healthy': True},\n"
                "    {'service': 'orders', 'address': '10.0.0.13:8080', 'versions': ('v1', 'v2'), 'healthy': False},\n"
                "    {'service': 'payments', 'address': '10.0.1.21:8080', 'versions': ('v2',), 'healthy': True},\n"
                "]\n",
                says="side by side", why="only an instance's newest version counted: a v1 client loses the migrated instances"),
]
