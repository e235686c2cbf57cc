"""Plausible wrong answers to lab 06 that its tests must reject."""
from wrong_answers import WrongAnswer

_GEO_TAIL = ("\n\ndef mean_rtt_ms(requests, home):\n"
             "    return float(np.mean([RTT_MS[(region, home[user])] for user, region in requests]))\n\n"
             "homes = home_regions(geo_requests)\n"
             "one_region_ms = mean_rtt_ms(geo_requests, {user: 'us' for user, _ in geo_requests})\n"
             "geo_ms = mean_rtt_ms(geo_requests, homes)\n"
             "eu_data_outside_eu = sum(homes[user] != 'eu' for user in EU_USERS)")
_HOMES = ("def home_regions(requests):\n"
          "    counts = {}\n"
          "    for user, region in requests:\n"
          "        counts.setdefault(user, {r: 0 for r in REGIONS})[region] += 1\n"
          "    return {user: max(REGIONS, key=lambda r: (c[r], -REGIONS.index(r))) for user, c in counts.items()}")

CASES = [
    WrongAnswer("router_answer", "test_stable_router",
                "def key_hash(key):\n    return hash(str(key)) % 2**64\n\n"
                "def shard_for(key, n_shards):\n    return key_hash(key) % n_shards",
                says="salted per process", why="Python's hash(): text keys move after a restart"),
    WrongAnswer("router_answer", "test_stable_router",
                "def key_hash(key):\n"
                "    data = key.to_bytes(8, 'big') if isinstance(key, int) else str(key).encode()\n"
                "    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), 'big')\n\n"
                "def shard_for(key, n_shards):\n    return key_hash(key) % n_shards",
                says="hash the key's text", why="hashes an int's bytes and a string's text differently"),
    WrongAnswer("router_answer", "test_stable_router",
                "def key_hash(key):\n    return sum(str(key).encode())\n\n"
                "def shard_for(key, n_shards):\n    return key_hash(key) % n_shards",
                says="spread", why="a byte sum: stable, but similar keys crowd a few shards"),
    WrongAnswer("range_answer", "test_range_router",
                "def range_shard(key, boundaries):\n    return bisect.bisect_left(boundaries, key)",
                says="bisect_right", why="a key equal to a boundary stays in the range before it"),
    WrongAnswer("moved_answer", "test_moved_keys",
                "keys = range(10_000)\n"
                "moved_modulo = float(np.mean([shard_for(k, 4) != shard_for(k, 5) for k in keys]))\n"
                "moved_jump = float(np.mean([sl.partition.jump_hash(k, 4) != sl.partition.jump_hash(k, 5) for k in keys]))",
                says="jump_hash(key_hash(key), n)", why="jump hash on the raw key, not its hash"),
    WrongAnswer("moved_answer", "test_moved_keys",
                "keys = range(10_000)\n"
                "moved_modulo = float(np.mean([shard_for(k, 4) == shard_for(k, 5) for k in keys]))\n"
                "moved_jump = float(np.mean([sl.partition.jump_hash(key_hash(k), 4) != sl.partition.jump_hash(key_hash(k), 5)"
                " for k in keys]))",
                says="remainder is the same mod 4 and mod 5", why="counts the keys that stay, not those that move"),
    WrongAnswer("hotspot_answer", "test_hotspot",
                "n_shards = 8\n"
                "loads_before = np.bincount([shard_for(k, n_shards) for k in request_log], minlength=n_shards)\n"
                "hot_shard = int(np.argmax(loads_before))\n"
                "hot_key = int(np.bincount(request_log).argmax())\n"
                "imbalance_before = float(loads_before.max() / loads_before.min())\n"
                "loads_after = loads_before\nimbalance_after = imbalance_before - 0.5",
                says="not max / min", why="max/min instead of max/mean, and nothing salted"),
    WrongAnswer("hotspot_answer", "test_hotspot",
                "n_shards = 8\n"
                "loads_before = np.bincount([shard_for(k, n_shards) for k in request_log], minlength=n_shards)\n"
                "hot_shard = int(np.argmax(loads_before))\n"
                "hot_key = int(np.bincount(request_log).argmax())\n"
                "imbalance_before = float(loads_before.max() / loads_before.mean())\n"
                "salted = [f'{k}#{i % n_shards}' if k == hot_key else k for i, k in enumerate(request_log)]\n"
                "loads_after = np.bincount([shard_for(k, n_shards) for k in salted], minlength=n_shards)\n"
                "imbalance_after = float(loads_after.max() / loads_after.mean())",
                says="salting spreads one key", why="salts with the position in the whole log, not the hot key's count"),
    WrongAnswer("own_shards_answer", "test_own_shards",
                "data = shard_bench.make_dataset(n_users=2000, orders_per_user=10, rng=6)\n"
                "with sl.bench.temporary_directory() as folder, shard_bench.ShardSet(folder, 4, data) as shards:\n"
                "    start = time.perf_counter()\n"
                "    for user in range(0, 2000, 10):\n        shards.point_lookup(user)\n"
                "    lookup_s = time.perf_counter() - start\n"
                "    start = time.perf_counter()\n"
                "    for day in range(0, 300, 20):\n        shards.revenue_between(day, day + 29)\n"
                "    scatter_s = (time.perf_counter() - start) / 15\n"
                "scatter_per_lookup = lookup_s / scatter_s",
                says="scatter_per_lookup = scatter_s / lookup_s", why="the ratio upside down (and a loop total for lookups)"),
    WrongAnswer("geo_answer", "test_geo",
                "def home_regions(requests):\n"
                "    return {user: region for user, region in requests}" + _GEO_TAIL,
                says="geographic partitioning", why="the last request's region, not the most frequent"),
    WrongAnswer("geo_answer", "test_geo",
                _HOMES + _GEO_TAIL.replace("eu_data_outside_eu = sum(homes[user] != 'eu' for user in EU_USERS)",
                                           "eu_data_outside_eu = 0"),
                says="residency rules come before latency", why="assumes latency homing keeps EU data in the EU"),
    WrongAnswer("geo_answer", "test_geo",
                _HOMES + "\n\ndef mean_rtt_ms(requests, home):\n"
                "    return float(np.mean([RTT_MS[(home[user], home[user])] for user, region in requests]))\n\n"
                "homes = home_regions(geo_requests)\n"
                "one_region_ms = mean_rtt_ms(geo_requests, {user: 'us' for user, _ in geo_requests})\n"
                "geo_ms = mean_rtt_ms(geo_requests, homes)\n"
                "eu_data_outside_eu = sum(homes[user] != 'eu' for user in EU_USERS)",
                says="client's region", why="ignores where the request comes from"),
    WrongAnswer("vertical_answer", "test_vertical",
                "def bytes_per_read(columns, wanted, groups):\n"
                "    return sum(columns[c] for c in wanted)\n\n"
                "login_before = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], [list(USER_COLUMNS)])\n"
                "login_after = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], SPLIT)\n"
                "kind = {'A': 'horizontal', 'B': 'functional', 'C': 'vertical', 'D': 'geographic', 'E': 'directory'}\n"
                "chat_key = 'chat_id'\ntool = {'postgres': 'Citus', 'mysql_resharding': 'Vitess', 'mysql_proxy': 'ProxySQL'}",
                says="every column of each group", why="a row store taken to read only the wanted columns"),
    WrongAnswer("vertical_answer", "test_vertical",
                "def bytes_per_read(columns, wanted, groups):\n"
                "    touched = [g for g in groups if any(c in g for c in wanted)]\n"
                "    return sum(columns[c] for g in touched for c in g)\n\n"
                "login_before = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], [list(USER_COLUMNS)])\n"
                "login_after = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], SPLIT)\n"
                "kind = {'A': 'horizontal', 'B': 'vertical', 'C': 'functional', 'D': 'geographic', 'E': 'directory'}\n"
                "chat_key = 'chat_id'\ntool = {'postgres': 'Citus', 'mysql_resharding': 'Vitess', 'mysql_proxy': 'ProxySQL'}",
                says="columns; functional: tables by feature", why="vertical and functional swapped"),
    WrongAnswer("vertical_answer", "test_vertical",
                "def bytes_per_read(columns, wanted, groups):\n"
                "    touched = [g for g in groups if any(c in g for c in wanted)]\n"
                "    return sum(columns[c] for g in touched for c in g)\n\n"
                "login_before = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], [list(USER_COLUMNS)])\n"
                "login_after = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], SPLIT)\n"
                "kind = {'A': 'horizontal', 'B': 'functional', 'C': 'vertical', 'D': 'geographic', 'E': 'directory'}\n"
                "chat_key = 'sent_at'\ntool = {'postgres': 'Citus', 'mysql_resharding': 'Vitess', 'mysql_proxy': 'ProxySQL'}",
                says="the key follows the questions", why="shards messages by time: every conversation spans shards"),
    WrongAnswer("vertical_answer", "test_vertical",
                "def bytes_per_read(columns, wanted, groups):\n"
                "    touched = [g for g in groups if any(c in g for c in wanted)]\n"
                "    return sum(columns[c] for g in touched for c in g)\n\n"
                "login_before = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], [list(USER_COLUMNS)])\n"
                "login_after = bytes_per_read(USER_COLUMNS, ['email', 'password_hash'], SPLIT)\n"
                "kind = {'A': 'horizontal', 'B': 'functional', 'C': 'vertical', 'D': 'geographic', 'E': 'horizontal'}\n"
                "chat_key = 'chat_id'\ntool = {'postgres': 'Citus', 'mysql_resharding': 'Vitess', 'mysql_proxy': 'ProxySQL'}",
                says="directory: a lookup table per key", why="a per-tenant lookup table taken for plain sharding"),
    WrongAnswer("directory_answer", "test_directory",
                "def directory_shard(key, directory, n_shards):\n    return shard_for(key, n_shards)\n"
                "hot_directory = {hot_key: 8}\n"
                "loads_directory = np.bincount([directory_shard(k, hot_directory, n_shards) for k in request_log], minlength=9)\n"
                "moved_keys = 0\nimbalance_directory = float(loads_directory.max() / loads_directory.mean())\n",
                says="directory_shard(5, {5: 3}, 4)", why="the directory never consulted: every key hashed"),
    WrongAnswer("directory_answer", "test_directory",
                "def directory_shard(key, directory, n_shards):\n"
                "    return directory[key] if key in directory else shard_for(key, n_shards)\n"
                "hot_directory = {hot_key: 8}\n"
                "loads_directory = np.bincount([directory_shard(k, hot_directory, 9) for k in request_log], minlength=9)\n"
                "moved_keys = sum(directory_shard(k, hot_directory, 9) != shard_for(k, n_shards) for k in set(request_log))\n"
                "imbalance_directory = float(loads_directory.max() / loads_directory.mean())\n",
                says="moved_keys", why="the other keys rehashed over 9 shards instead of keeping their shard"),
]
