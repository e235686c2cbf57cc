"""Plausible wrong answers to lab 11 that its tests must reject."""
from wrong_answers import WrongAnswer

CASES = [
    WrongAnswer("token_bucket_answer", "test_token_bucket",
                "def token_bucket(times_s, rate_per_s, burst):\n"
                "    tokens, last, out = float(burst), None, []\n"
                "    for t in times_s:\n"
                "        if last is not None:\n"
                "            tokens = tokens + (t - last) * rate_per_s\n"
                "        last = t\n"
                "        if tokens >= 1:\n            tokens -= 1\n            out.append(0.0)\n"
                "        else:\n            out.append((1 - tokens) / rate_per_s)\n"
                "    return out",
                says="token bucket", why="never caps the tokens at the burst: a quiet spell banks unlimited requests"),
    WrongAnswer("token_bucket_answer", "test_token_bucket",
                "def token_bucket(times_s, rate_per_s, burst):\n"
                "    tokens, last, out = float(burst), None, []\n"
                "    for t in times_s:\n"
                "        if last is not None:\n"
                "            tokens = min(burst, tokens + (t - last) * rate_per_s)\n"
                "        last = t\n"
                "        if tokens >= 1:\n            tokens -= 1\n            out.append(0.0)\n"
                "        else:\n            out.append(1 / rate_per_s)\n"
                "    return out",
                says="request 1", why="retry-after as a whole token's refill time, ignoring the part already refilled"),
    WrongAnswer("token_bucket_answer", "test_token_bucket",
                "def token_bucket(times_s, rate_per_s, burst):\n"
                "    tokens, last, out = 0.0, None, []\n"
                "    for t in times_s:\n"
                "        if last is not None:\n"
                "            tokens = min(burst, tokens + (t - last) * rate_per_s)\n"
                "        last = t\n"
                "        if tokens >= 1:\n            tokens -= 1\n            out.append(0.0)\n"
                "        else:\n            out.append((1 - tokens) / rate_per_s)\n"
                "    return out",
                says="request 0", why="the bucket starts empty, so the first request is refused"),
    WrongAnswer("sliding_counter_answer", "test_sliding_counter",
                "def sliding_counter(times_s, limit, window_s):\n"
                "    counts, out = {}, []\n"
                "    for t in times_s:\n"
                "        k = math.floor(t / window_s)\n"
                "        admitted = counts.get(k, 0) < limit\n"
                "        if admitted:\n            counts[k] = counts.get(k, 0) + 1\n"
                "        out.append(admitted)\n"
                "    return out",
                says="sliding_counter", why="a fixed window: the previous window's admissions are forgotten at its edge"),
    WrongAnswer("sliding_counter_answer", "test_sliding_counter",
                "def sliding_counter(times_s, limit, window_s):\n"
                "    counts, out = {}, []\n"
                "    for t in times_s:\n"
                "        k = math.floor(t / window_s)\n"
                "        elapsed = t - k * window_s\n"
                "        estimate = counts.get(k - 1, 0) * (1 - elapsed / window_s) + counts.get(k, 0)\n"
                "        counts[k] = counts.get(k, 0) + 1\n"
                "        out.append(estimate < limit)\n"
                "    return out",
                says="sliding_counter", why="counts refused requests too, so a flood locks every client out"),
    WrongAnswer("slo_config_answer", "test_slo_config",
                "failure_threshold, reset_timeout_s = 2, 0.3\nlimit_rps, burst = 400, 16",
                says="goodput", why="a limit above what the dependency serves (250/s) lets the spike's backlog build"),
    WrongAnswer("slo_config_answer", "test_slo_config",
                "failure_threshold, reset_timeout_s = 12, 0.3\nlimit_rps, burst = 230, 16",
                says="answered within 100 ms", why="a breaker that waits for 12 timeouts opens after the handlers are stuck"),
    WrongAnswer("slo_config_answer", "test_slo_config",
                "failure_threshold, reset_timeout_s = 2, 0.3\nlimit_rps, burst = 230, 1",
                says="goodput", why="a burst of 1 refuses the natural clustering of Poisson arrivals"),
    WrongAnswer("burst_backlog_answer", "test_burst_backlog",
                "def burst_backlog(burst_rps, burst_s, after_rps, service_rps):\n"
                "    peak = max(0.0, (burst_rps - service_rps) * burst_s)\n"
                "    return peak, burst_s + peak / service_rps",
                says="empty_at_s", why="drains at the full service rate, forgetting the jobs still arriving after the burst"),
    WrongAnswer("burst_backlog_answer", "test_burst_backlog",
                "def burst_backlog(burst_rps, burst_s, after_rps, service_rps):\n"
                "    peak = burst_rps * burst_s\n"
                "    if after_rps >= service_rps:\n        return peak, math.inf\n"
                "    return peak, burst_s + peak / (service_rps - after_rps)",
                says="peak", why="the whole burst as backlog: the workers serve while it arrives"),
    WrongAnswer("figures_answer", "test_figures",
                "def front_end_figures(log, slo_s, duration_s):\n"
                "    n = len(log)\n"
                "    if n == 0:\n        return {'goodput_rps': 0.0, 'error_rate': 0.0, 'degraded_share': 0.0}\n"
                "    good = sum(r['outcome'] in ('ok', 'fallback') and r['latency_s'] <= slo_s for r in log)\n"
                "    bad = sum(r['outcome'] in ('error', 'rejected') for r in log)\n"
                "    return {'goodput_rps': good / duration_s, 'error_rate': bad / n,\n"
                "            'degraded_share': sum(r['outcome'] == 'fallback' for r in log) / n}",
                says="goodput_rps", why="counts degraded answers as goodput"),
    WrongAnswer("figures_answer", "test_figures",
                "def front_end_figures(log, slo_s, duration_s):\n"
                "    n = len(log)\n"
                "    if n == 0:\n        return {'goodput_rps': 0.0, 'error_rate': 0.0, 'degraded_share': 0.0}\n"
                "    good = sum(r['outcome'] == 'ok' and r['latency_s'] <= slo_s for r in log)\n"
                "    bad = sum(r['outcome'] == 'error' for r in log)\n"
                "    return {'goodput_rps': good / duration_s, 'error_rate': bad / n,\n"
                "            'degraded_share': sum(r['outcome'] == 'fallback' for r in log) / n}",
                says="error_rate", why="a request the limiter refused is not counted as an error"),
    WrongAnswer("cache_choice_answer", "test_cache_choice",
                "choices = {'balance': 'cache-aside', 'views': 'write-behind', 'catalogue': 'refresh-ahead',"
                " 'profiles': 'cache-aside'}",
                says="balance", why="cache-aside can show the balance from before the transfer for up to a TTL"),
    WrongAnswer("cache_choice_answer", "test_cache_choice",
                "choices = {'balance': 'write-through', 'views': 'write-through', 'catalogue': 'cache-aside',"
                " 'profiles': 'cache-aside'}",
                says="views", why="write-through sends every increment to the database"),
    WrongAnswer("cache_measure_answer", "test_cache_measure",
                "def cache_figures(table):\n"
                "    reads = table[~table['write']]\n"
                "    hit_ratio = float(reads['hit'].mean())\n"
                "    hit_ms = float(reads.loc[reads['hit'], 'latency_ms'].mean())\n"
                "    miss_ms = float(reads.loc[~reads['hit'], 'latency_ms'].mean())\n"
                "    return {'hit_ratio': hit_ratio, 'hit_ms': hit_ms, 'miss_ms': miss_ms,\n"
                "            'predicted_read_ms': (hit_ms + miss_ms) / 2}",
                says="predicted_read_ms", why="averages hit and miss costs without weighting by the hit ratio"),
    WrongAnswer("cache_measure_answer", "test_cache_measure",
                "def cache_figures(table):\n"
                "    hit_ratio = float(table['hit'].mean())\n"
                "    reads = table[~table['write']]\n"
                "    hit_ms = float(reads.loc[reads['hit'], 'latency_ms'].mean())\n"
                "    miss_ms = float(reads.loc[~reads['hit'], 'latency_ms'].mean())\n"
                "    return {'hit_ratio': hit_ratio, 'hit_ms': hit_ms, 'miss_ms': miss_ms,\n"
                "            'predicted_read_ms': float(reads['latency_ms'].mean())}",
                says="hit_ratio", why="counts writes as reads that missed"),
    WrongAnswer("cache_measure_answer", "test_cache_measure",
                "def cache_figures(table):\n"
                "    reads = table[~table['write']]\n"
                "    hit_ratio = float(reads['hit'].mean())\n"
                "    hit_ms = float(reads.loc[reads['hit'], 'latency_ms'].mean())\n"
                "    miss_ms = float(table.loc[~table['hit'], 'latency_ms'].mean())\n"
                "    return {'hit_ratio': hit_ratio, 'hit_ms': hit_ms, 'miss_ms': miss_ms,\n"
                "            'predicted_read_ms': hit_ratio * hit_ms + (1 - hit_ratio) * miss_ms}",
                says="miss_ms", why="takes the writes' latencies into the mean of a miss"),
]
CASES += [
    WrongAnswer("queue_choice_answer", "test_queue_choice",
                "queues = {'orders': 'Redis Pub/Sub', 'clicks': 'Kafka', 'prices': 'Redis Pub/Sub'}",
                says="orders", why="Pub/Sub delivers at most once: an order published while a worker is down is lost"),
    WrongAnswer("queue_choice_answer", "test_queue_choice",
                "queues = {'orders': 'RabbitMQ', 'clicks': 'RabbitMQ', 'prices': 'Kafka'}",
                says="prices", why="a queue removes a message once acknowledged: no replay; ticks need no storage at all"),
]
