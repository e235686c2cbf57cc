"""Plausible wrong answers to lab 12 that its tests must reject."""
from wrong_answers import WrongAnswer

LRU_CLASS = (
    "class LRUCache:\n"
    "    def __init__(self, capacity):\n        self.capacity = capacity\n        self.data = collections.OrderedDict()\n\n"
    "    def get(self, key):\n        if key not in self.data:\n            return None\n"
    "        self.data.move_to_end(key)\n        return self.data[key]\n\n"
    "    def put(self, key, value):\n        if key in self.data:\n            self.data.move_to_end(key)\n"
    "        elif len(self.data) >= self.capacity:\n            self.data.popitem(last=False)\n"
    "        self.data[key] = value\n\n")

CASES = [
    WrongAnswer("choose_answer", "test_choose_balancer",
                "def choose_algorithm(table, need_affinity=False, shared_state=True):\n"
                "    if need_affinity:\n        return 'consistent_hash'\n"
                "    return table.sort_values('p99_ms')['algorithm'].iloc[0]\n\n"
                "choice = choose_algorithm(table, shared_state=False)",
                says="independent balancers", why="least connections chosen though no balancer sees every connection"),
    WrongAnswer("choose_answer", "test_choose_balancer",
                "def choose_algorithm(table, need_affinity=False, shared_state=True):\n"
                "    allowed = table if shared_state else table[table['algorithm'] != 'least_connections']\n"
                "    return allowed.sort_values('p99_ms')['algorithm'].iloc[0]\n\n"
                "choice = choose_algorithm(table, shared_state=False)",
                says="need_affinity=True", why="the best tail even when keys must stick to a server"),
    WrongAnswer("choose_answer", "test_choose_balancer",
                "def choose_algorithm(table, need_affinity=False, shared_state=True):\n"
                "    if need_affinity:\n        return 'consistent_hash'\n"
                "    allowed = table if shared_state else table[~table['needs_state']]\n"
                "    return allowed.sort_values('p99_ms')['algorithm'].iloc[0]\n\n"
                "choice = choose_algorithm(table, shared_state=False)",
                says="choice for eight independent balancers",
                why="power of two choices ruled out too: it needs only the two servers it samples, not a shared view"),
    WrongAnswer("lru_answer", "test_lru",
                "class LRUCache:\n"
                "    def __init__(self, capacity):\n        self.capacity = capacity\n        self.data = collections.OrderedDict()\n\n"
                "    def get(self, key):\n        return self.data.get(key)\n\n"
                "    def put(self, key, value):\n        if key not in self.data and len(self.data) >= self.capacity:\n"
                "            self.data.popitem(last=False)\n        self.data[key] = value\n\n"
                "def lru_hit_ratio(trace, capacity):\n    cache, hits = LRUCache(capacity), 0\n"
                "    for key in trace:\n        if cache.get(key) is not None:\n            hits += 1\n"
                "        else:\n            cache.put(key, True)\n    return hits / len(trace)",
                says="get", why="FIFO: a hit does not make the key recent, so popular keys are evicted"),
    WrongAnswer("lru_answer", "test_lru",
                "class LRUCache:\n"
                "    def __init__(self, capacity):\n        self.capacity = capacity\n        self.data = collections.OrderedDict()\n\n"
                "    def get(self, key):\n        if key not in self.data:\n            return None\n"
                "        self.data.move_to_end(key)\n        return self.data[key]\n\n"
                "    def put(self, key, value):\n        if len(self.data) >= self.capacity:\n"
                "            self.data.popitem(last=False)\n        self.data[key] = value\n\n"
                "def lru_hit_ratio(trace, capacity):\n    cache, hits = LRUCache(capacity), 0\n"
                "    for key in trace:\n        if cache.get(key) is not None:\n            hits += 1\n"
                "        else:\n            cache.put(key, True)\n    return hits / len(trace)",
                says="an update", why="put of a key already cached evicts another entry (and leaves it where it was)"),
    WrongAnswer("lru_answer", "test_lru",
                LRU_CLASS +
                "def lru_hit_ratio(trace, capacity):\n    cache, hits = LRUCache(capacity + 1), 0\n"
                "    for key in trace:\n        if cache.get(key) is not None:\n            hits += 1\n"
                "        else:\n            cache.put(key, True)\n    return hits / len(trace)",
                says="lru_hit_ratio", why="one entry too many: capacity counted from 0"),
    WrongAnswer("size_answer", "test_smallest_size",
                "def smallest_size(trace, target):\n"
                "    counts = collections.Counter(trace).most_common()\n    served = 0\n"
                "    for size, (key, n) in enumerate(counts, start=1):\n        served += n\n"
                "        if served / len(trace) >= target:\n            return size\n    return None",
                says="smallest_size", why="counts the requests of the top keys: an ideal, warm cache, not LRU on the trace"),
    WrongAnswer("size_answer", "test_smallest_size",
                "def smallest_size(trace, target):\n    low, high = 1, len(set(trace))\n"
                "    while low < high:\n        mid = (low + high) // 2\n"
                "        if lru_hit_ratio(trace, mid) >= target:\n            high = mid\n        else:\n"
                "            low = mid + 1\n    return low",
                says="cannot reach", why="never checks that the largest size reaches the target"),
    WrongAnswer("bucket_answer", "test_bucket_percentile",
                "def bucket_percentile(phi, bounds, cumulative):\n    total = cumulative[-1]\n"
                "    if total == 0:\n        return math.nan\n"
                "    i = next(j for j, count in enumerate(cumulative) if count >= phi * total)\n"
                "    return bounds[min(i, len(bounds) - 1)]",
                says="bucket_percentile(0.6", why="the bucket's upper bound, no interpolation"),
    WrongAnswer("bucket_answer", "test_bucket_percentile",
                "def bucket_percentile(phi, bounds, cumulative):\n    total = cumulative[-1]\n"
                "    if total == 0:\n        return math.nan\n    rank = phi * total\n"
                "    i = next(j for j, count in enumerate(cumulative) if count >= rank)\n"
                "    if i == len(bounds):\n        return bounds[-1]\n"
                "    lower = bounds[i - 1] if i > 0 else 0.0\n"
                "    return (lower + bounds[i]) / 2",
                says="bucket_percentile(0.6", why="the bucket's midpoint: ignores where the rank falls inside it"),
    WrongAnswer("bucket_answer", "test_bucket_percentile",
                "def bucket_percentile(phi, bounds, cumulative):\n    total = cumulative[-1]\n"
                "    if total == 0:\n        return math.nan\n    rank = phi * total\n"
                "    i = next(j for j, count in enumerate(cumulative) if count >= rank)\n"
                "    if i == len(bounds):\n        return math.inf\n"
                "    lower = bounds[i - 1] if i > 0 else 0.0\n    below = cumulative[i - 1] if i > 0 else 0\n"
                "    inside = cumulative[i] - below\n"
                "    return lower + (bounds[i] - lower) * ((rank - below) / inside if inside else 1.0)",
                says="bucket_percentile(0.95", why="infinity for a rank in the +Inf bucket, where PromQL returns the highest bound"),
    WrongAnswer("autoscale_answer", "test_autoscale",
                "settings = dict(target_utilisation=0.6, cooldown_min=5, min_replicas=2, max_replicas=40, max_step=10)",
                says="budget", why="the lesson's safe target: within the SLO but over the budget"),
    WrongAnswer("autoscale_answer", "test_autoscale",
                "settings = dict(target_utilisation=0.85, cooldown_min=5, min_replicas=2, max_replicas=40, max_step=10)",
                says="over the SLO", why="cheap, but at 85 % a replica's P95 is over 200 ms most of the day"),
    WrongAnswer("autoscale_answer", "test_autoscale",
                "settings = dict(target_utilisation=0.9, cooldown_min=5, warmup_min=0, min_replicas=2, max_replicas=40,"
                " max_step=10)",
                says="warmup_min", why="wishes the warm-up away instead of tuning what can be tuned"),
    WrongAnswer("burn_answer", "test_burn_page",
                "def should_page(errors, requests, slo, minute):\n"
                "    start = max(0, minute - 59)\n"
                "    e, n = sum(errors[start:minute + 1]), sum(requests[start:minute + 1])\n"
                "    return (e / n if n else 0.0) / (1 - slo) > 14.4",
                says="after the incident ended", why="the long window alone keeps paging after the incident is over"),
    WrongAnswer("burn_answer", "test_burn_page",
                "def should_page(errors, requests, slo, minute):\n"
                "    def burn(window):\n        start = max(0, minute + 1 - window)\n"
                "        e, n = sum(errors[start:minute + 1]), sum(requests[start:minute + 1])\n"
                "        return (e / n if n else 0.0) / (1 - slo)\n"
                "    return burn(5) > 14.4",
                says="16 minutes into the incident", why="the short window alone pages on every burst"),
    WrongAnswer("burn_answer", "test_burn_page",
                "def should_page(errors, requests, slo, minute):\n"
                "    def burn(window):\n        start = max(0, minute + 1 - window)\n"
                "        e, n = sum(errors[start:minute + 1]), sum(requests[start:minute + 1])\n"
                "        return (e / n if n else 0.0)\n"
                "    return burn(60) > 14.4 and burn(5) > 14.4",
                says="50 minutes into a 3 % incident", why="compares the error ratio, not the ratio over the budget"),
]
