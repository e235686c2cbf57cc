"""Plausible wrong answers to lab 02 that its tests must reject."""
from wrong_answers import WrongAnswer

_MEASURE = ("def measure(service, rho):\n"
            "    service.stats(reset=True)\n"
            "    summary = open_loop(service.url, rate=rho / S, requests=int(3 * rho / S)).summary()\n"
            "    server = service.stats()\n"
            "    return {**summary, 'server_utilization': server['utilization'],"
            " 'server_mean_in_system': server['mean_in_system']}\n"
            "with LoopbackService(service_time_s=S, servers=1, distribution='exponential') as service:\n"
            "    low_load = measure(service, 0.3)\n"
            "    high_load = measure(service, 0.85)\n")

CASES = [
    WrongAnswer("mm1_by_hand_answer", "test_mm1_by_hand",
                "arrival_rate, service_time_s = 40, 0.020\nrho = arrival_rate * service_time_s\n"
                "W_ms = 1000 * service_time_s / rho\nWq_ms = W_ms - 1000 * service_time_s\nL = arrival_rate * W_ms / 1000",
                says="Revisit", why="W = S / rho instead of S / (1 - rho)"),
    WrongAnswer("mm1_by_hand_answer", "test_mm1_by_hand",
                "arrival_rate, service_time_s = 40, 0.020\nrho = arrival_rate * service_time_s\n"
                "W_ms = 1000 * service_time_s / (1 - rho)\nWq_ms = W_ms - 1000 * service_time_s\nL = rho",
                says="Little's law", why="L taken as the utilisation (the mean number in service, not in the system)"),
    WrongAnswer("littles_law_answer", "test_littles_law",
                "def in_flight(arrival_rate, mean_latency):\n    return arrival_rate * mean_latency\n"
                "def max_throughput(servers, hold_time_s):\n    return servers * hold_time_s",
                says="λ = L / W", why="Little's law solved for λ by multiplying"),
    WrongAnswer("littles_law_answer", "test_littles_law",
                "def in_flight(arrival_rate, mean_latency):\n    return arrival_rate / mean_latency\n"
                "def max_throughput(servers, hold_time_s):\n    return servers / hold_time_s",
                says="L = λ·W", why="rate divided by latency"),
    WrongAnswer("knee_answer", "test_knee",
                "def utilization_for_wait_multiple(k):\n    return k / (k + 2)",
                says="ρ = k/(1 + k)", why="wait in system (W = (k+1) S) confused with the wait in the queue"),
    WrongAnswer("knee_answer", "test_knee",
                "def utilization_for_wait_multiple(k):\n    return 1 - 1 / k if k else 0.0",
                says="ρ = k/(1 + k)", why="1 - 1/k: solves W/S = k with W for the queue wait"),
    WrongAnswer("erlang_c_answer", "test_erlang_c",
                "def servers_needed(arrival_rate, service_time_s, max_mean_wait):\n"
                "    return int(np.ceil(arrival_rate * service_time_s))",
                says="C(c, a)/(c·μ − λ)", why="just enough servers for the load, ignoring the wait target"),
    WrongAnswer("erlang_c_answer", "test_erlang_c",
                "def servers_needed(arrival_rate, service_time_s, max_mean_wait):\n"
                "    mu = 1 / service_time_s\n    c = int(arrival_rate * service_time_s) + 1\n"
                "    while queueing.erlang_c(arrival_rate, mu, c) / (c * mu - arrival_rate) > max_mean_wait:\n"
                "        c += 1\n    return c + 1",
                says="servers_needed", why="one server too many: not the smallest count"),
    WrongAnswer("lindley_answer", "test_lindley",
                "def lindley(interarrival, service):\n"
                "    waits = [0.0]\n"
                "    for k in range(1, len(service)):\n"
                "        waits.append(waits[-1] + service[k - 1] - interarrival[k])\n"
                "    return waits",
                says="never below 0", why="no max(0, ...): an idle worker gives negative waits"),
    WrongAnswer("lindley_answer", "test_lindley",
                "def lindley(interarrival, service):\n"
                "    waits = [0.0]\n"
                "    for k in range(1, len(service)):\n"
                "        waits.append(max(0.0, waits[-1] + service[k] - interarrival[k]))\n"
                "    return waits",
                says="W[k+1] = max(0, W[k] + S[k]", why="the new customer's own service time instead of the previous one's"),
    WrongAnswer("own_measurement_answer", "test_own_measurement",
                _MEASURE + "littles_L_high = high_load['throughput_rps'] * high_load['p95_ms'] / 1000\n"
                "high_load = {**high_load, 'mean_ms': high_load['p95_ms']}",
                says="MEAN latency", why="P95 in Little's law instead of the mean (summary edited to match)"),
    WrongAnswer("own_measurement_answer", "test_own_measurement",
                _MEASURE + "littles_L_high = high_load['throughput_rps'] * high_load['mean_ms']",
                says="mean latency (s)", why="W left in milliseconds"),
]
