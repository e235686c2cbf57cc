"""Plausible wrong answers to lab 04 that its tests must reject."""
from wrong_answers import WrongAnswer

_LIN_HEAD = ("def usl_linearised(n, throughput):\n"
             "    n = np.asarray(n, dtype=float)\n    x_rps = np.asarray(throughput, dtype=float)\n")
_LIN_TAIL = ("_lam, _sigma, _kappa = usl_linearised(given_n, given_x)\n"
             "peak_gap = abs(math.sqrt((1 - _sigma) / _kappa) - sl.models.laws.usl_fit(given_n, given_x).peak_n)\n"
             "my_lam, my_sigma, my_kappa = usl_linearised(my_sweep['servers'], my_sweep['throughput_rps'])\n")
_AUTOSCALE = ("def autoscale(loads_rps, start=2, per_replica_rps=50, target=0.7):\n"
              "    replicas, overloaded, current = [], 0, start\n"
              "    for load in loads_rps:\n"
              "        replicas.append(current)\n"
              "        utilization = load / (current * per_replica_rps)\n"
              "        overloaded += utilization > 1\n"
              "        current = desired_replicas(current, utilization, target)\n"
              "    return replicas, overloaded\n"
              "trace_replicas, trace_overloaded = autoscale(evening)\n")

CASES = [
    WrongAnswer("usl_fit_answer", "test_usl_fit",
                _LIN_HEAD + "    lam = float(x_rps[n == 1][0])\n    more = n > 1\n    x = n[more] - 1\n"
                "    y = n[more] / (x_rps[more] / lam) - 1\n"
                "    (a, b), *_ = np.linalg.lstsq(np.column_stack([x, x * x]), y, rcond=None)\n"
                "    return lam, float(a), float(b)\n" + _LIN_TAIL,
                says="sigma = a - b", why="the coefficient of x taken as sigma (it is sigma + kappa)"),
    WrongAnswer("usl_fit_answer", "test_usl_fit",
                _LIN_HEAD + "    lam = float(x_rps[0])\n    more = n > 1\n    x = n[more] - 1\n"
                "    y = n[more] / (x_rps[more] / lam) - 1\n"
                "    (a, b), *_ = np.linalg.lstsq(np.column_stack([x, x * x]), y, rcond=None)\n"
                "    return lam, max(0.0, float(a - b)), max(0.0, float(b))\n" + _LIN_TAIL,
                says="AT N = 1", why="lambda taken from the first point, and negative parameters only clipped"),
    WrongAnswer("usl_fit_answer", "test_usl_fit",
                _LIN_HEAD + "    lam = float(x_rps[n == 1][0])\n    more = n > 1\n    x = n[more] - 1\n"
                "    y = n[more] / (x_rps[more] / lam) - 1\n"
                "    (a, b), *_ = np.linalg.lstsq(np.column_stack([x, x * x]), y, rcond=None)\n"
                "    return lam, max(0.0, float(a - b)), max(0.0, float(b))\n" + _LIN_TAIL,
                says="refitted with sigma = 0", why="a negative sigma clipped without refitting kappa"),
    WrongAnswer("capacity_answer", "test_capacity",
                "def usl_capacity(n, lam, sigma, kappa):\n    return lam * n / (1 + sigma * (n - 1) + kappa * (n - 1))",
                says="kappa N (N - 1)", why="coherency grown linearly, not with the pairs N(N - 1)"),
    WrongAnswer("peak_answer", "test_peak",
                "def peak_workers(sigma, kappa):\n    return math.inf if kappa == 0 else math.sqrt(1 / kappa)\n"
                "team_peak = peak_workers(0.04, 0.0008)",
                says="sqrt((1 - sigma) / kappa)", why="the contention term left out of N*"),
    WrongAnswer("failover_answer", "test_failover",
                "my_errors = int((my_failover['status'] != 200).sum())\n"
                "my_availability = my_errors / len(my_failover)\n"
                "_late = my_failover['scheduled'] > my_run.kill_at_s + 0.5\n"
                "my_late_errors = int((my_failover.loc[_late, 'status'] != 200).sum())",
                says="successful requests / all requests", why="the error rate handed in as the availability"),
    WrongAnswer("failover_answer", "test_failover",
                "my_errors = int((my_failover['status'] != 200).sum())\n"
                "my_availability = 100 * (1 - my_errors / len(my_failover))\n"
                "_late = my_failover['scheduled'] > my_run.kill_at_s + 0.5\n"
                "my_late_errors = int((my_failover.loc[_late, 'status'] != 200).sum())",
                says="a fraction", why="availability in percent"),
    WrongAnswer("health_check_answer", "test_health_check",
                "def lost_before_detection(rate_rps, servers, interval_s, fails):\n"
                "    mean_s = interval_s * fails\n"
                "    return {'mean_s': mean_s, 'worst_s': mean_s, 'lost_mean': rate_rps / servers * mean_s}",
                says="interval x (fails - 0.5)", why="the worst case taken as the mean: no half interval"),
    WrongAnswer("health_check_answer", "test_health_check",
                "def lost_before_detection(rate_rps, servers, interval_s, fails):\n"
                "    mean_s = interval_s * (fails - 0.5)\n"
                "    return {'mean_s': mean_s, 'worst_s': interval_s * fails, 'lost_mean': rate_rps * mean_s}",
                says="1/N of the traffic", why="all the traffic lost, not the dead worker's share"),
    WrongAnswer("autoscale_answer", "test_autoscale",
                "def desired_replicas(current, utilization, target=0.7, min_replicas=1, max_replicas=20, tolerance=0.1):\n"
                "    return min(max_replicas, max(min_replicas, round(current * utilization / target)))\n" + _AUTOSCALE,
                says="unchanged while", why="rounds instead of ceil and has no tolerance band"),
    WrongAnswer("autoscale_answer", "test_autoscale",
                "def desired_replicas(current, utilization, target=0.7, min_replicas=1, max_replicas=20, tolerance=0.1):\n"
                "    ratio = utilization / target\n"
                "    if abs(ratio - 1) <= tolerance:\n        return current\n"
                "    return max(min_replicas, math.ceil(current * ratio - 1e-9))\n" + _AUTOSCALE,
                says="never above max_replicas", why="no upper bound"),
    WrongAnswer("autoscale_answer", "test_autoscale",
                "def desired_replicas(current, utilization, target=0.7, min_replicas=1, max_replicas=20, tolerance=0.1):\n"
                "    ratio = utilization / target\n"
                "    if abs(ratio - 1) <= tolerance:\n        return current\n"
                "    return min(max_replicas, max(min_replicas, math.ceil(current * ratio - 1e-9)))\n"
                "def autoscale(loads_rps, start=2, per_replica_rps=50, target=0.7):\n"
                "    replicas, overloaded, current = [], 0, start\n"
                "    for load in loads_rps:\n"
                "        utilization = load / (current * per_replica_rps)\n"
                "        current = desired_replicas(current, utilization, target)\n"
                "        replicas.append(current)\n"
                "        overloaded += load / (current * per_replica_rps) > 1\n"
                "    return replicas, overloaded\n"
                "trace_replicas, trace_overloaded = autoscale(evening)\n",
                says="NEXT step", why="the new size applied at once, as if the autoscaler saw the future"),
    WrongAnswer("dispatch_answer", "test_dispatch",
                "def least_connections_assignment(sizes, n_servers):\n"
                "    finishes = [[] for _ in range(n_servers)]\n    chosen = []\n"
                "    for arrival, size in enumerate(sizes):\n"
                "        in_system = [sum(f >= arrival for f in finishes[s]) for s in range(n_servers)]\n"
                "        server = in_system.index(min(in_system))\n"
                "        start = max([arrival] + finishes[server][-1:])\n"
                "        finishes[server].append(start + size)\n        chosen.append(server)\n"
                "    return chosen\n"
                "workload = [5, 1, 1, 5, 1, 1, 5, 1, 1]\n"
                "worst_rr = float(routing.dispatch(workload, 3, 'round_robin')['response_s'].max())\n"
                "worst_lc = float(routing.dispatch(workload, 3, 'least_connections')['response_s'].max())",
                says="finish > arrival", why="a job finishing at the arrival instant still counted"),
    WrongAnswer("dispatch_answer", "test_dispatch",
                "def least_connections_assignment(sizes, n_servers):\n"
                "    return [i % n_servers for i in range(len(sizes))]\n"
                "workload = [5, 1, 1, 5, 1, 1, 5, 1, 1]\n"
                "worst_rr = float(routing.dispatch(workload, 3, 'round_robin')['response_s'].max())\n"
                "worst_lc = worst_rr",
                says="pick the fewest", why="round robin handed in as least connections"),
    WrongAnswer("sessions_answer", "test_sessions",
                "def session_costs(design, worker_of_user, servers, dead_worker, store_reads=2, store_rtt_ms=0.5):\n"
                "    if design not in ('local', 'sticky', 'shared'):\n"
                "        raise ValueError(f'design must be local, sticky or shared, got {design!r}')\n"
                "    if design == 'local':\n        return 1 / servers, len(worker_of_user), 0.0\n"
                "    if design == 'sticky':\n        return 0.0, sum(w == dead_worker for w in worker_of_user), 0.0\n"
                "    return 0.0, 0, float(store_reads * store_rtt_ms)\n"
                "shop_users = [0, 1, 2, 0, 0, 1, 2, 2, 0, 1]\n",
                says="stale_share of 'local'", why="the share of requests that find the cart taken for the share that miss it"),
    WrongAnswer("sessions_answer", "test_sessions",
                "def session_costs(design, worker_of_user, servers, dead_worker, store_reads=2, store_rtt_ms=0.5):\n"
                "    if design not in ('local', 'sticky', 'shared'):\n"
                "        raise ValueError(f'design must be local, sticky or shared, got {design!r}')\n"
                "    if design == 'shared':\n        return 0.0, 0, float(store_reads * store_rtt_ms)\n"
                "    return (servers - 1) / servers, len(worker_of_user), 0.0\n"
                "shop_users = [0, 1, 2, 0, 0, 1, 2, 2, 0, 1]\n",
                says="session_costs('sticky'", why="sticky sessions treated like scattered local carts: every user loses one"),
    WrongAnswer("sessions_answer", "test_sessions",
                "def session_costs(design, worker_of_user, servers, dead_worker, store_reads=2, store_rtt_ms=0.5):\n"
                "    if design not in ('local', 'sticky', 'shared'):\n"
                "        raise ValueError(f'design must be local, sticky or shared, got {design!r}')\n"
                "    if design == 'local':\n        return (servers - 1) / servers, len(worker_of_user), 0.0\n"
                "    if design == 'sticky':\n        return 0.0, sum(w == dead_worker for w in worker_of_user), 0.0\n"
                "    return 0.0, 0, 0.0\n"
                "shop_users = [0, 1, 2, 0, 0, 1, 2, 2, 0, 1]\n",
                says="extra_ms of 'shared'", why="the shared store taken as free: its round trips forgotten"),
]
