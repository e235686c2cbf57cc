"""Versions of a replicated value: version vectors that detect concurrent writes, and last-writer-wins that hides them.

A version is a dict ``{"value": ..., "ts": [time, writer], "vv": {replica: counter}}``:

- ``vv``, the version vector: how many writes coordinated by each replica this version has seen. Version a
  *descends from* b when every counter of a is >= b's; when neither descends from the other they are *concurrent*:
  written without knowing about each other (on the two sides of a partition, say).
- ``ts``, a timestamp [time, writer name] that orders every pair of versions, so last-writer-wins (LWW) can always
  pick one, even between concurrent versions, and silently drop the other.

A replica keeps *siblings*: the versions no other version it holds descends from (``add_version``). Pure: no I/O,
no clock, no randomness.
"""
ORDERS = ("equal", "before", "after", "concurrent")


def _check_vv(name, vv):
    if not isinstance(vv, dict) or any(not isinstance(c, int) or isinstance(c, bool) or c < 0 for c in vv.values()):
        raise ValueError(f"{name} must be a dict replica -> counter (an int >= 0), got {vv!r}")
    return vv


def _check_version(name, version):
    if not isinstance(version, dict) or not {"value", "ts", "vv"} <= set(version):
        raise ValueError(f"{name} must be a dict with the keys 'value', 'ts' and 'vv', got {version!r}")
    _check_vv(f"{name}['vv']", version["vv"])
    ts = version["ts"]
    if not isinstance(ts, (list, tuple)) or len(ts) != 2:
        raise ValueError(f"{name}['ts'] must be a pair [time, writer], got {ts!r}")
    return version


def descends(a, b):
    """True when version vector a has seen everything b has (every counter of a >= b's)."""
    _check_vv("a", a)
    _check_vv("b", b)
    return all(a.get(k, 0) >= c for k, c in b.items())


def compare(a, b):
    """How version vector a relates to b: "equal", "before" (b descends from a), "after" or "concurrent"."""
    ab, ba = descends(a, b), descends(b, a)
    if ab and ba:
        return "equal"
    if ab:
        return "after"
    if ba:
        return "before"
    return "concurrent"


def merge_clocks(*vvs):
    """The pointwise maximum of version vectors: a clock that descends from each of them."""
    merged = {}
    for i, vv in enumerate(vvs):
        for k, c in _check_vv(f"vvs[{i}]", vv).items():
            merged[k] = max(merged.get(k, 0), c)
    return merged


def next_clock(context, replica, held=()):
    """The version vector of a new write coordinated by ``replica``: the context the writer read, with the
    replica's counter one above anything it has issued (``held``: the vectors of the versions it holds)."""
    _check_vv("context", context)
    top = max([context.get(replica, 0)] + [_check_vv("held vv", vv).get(replica, 0) for vv in held])
    return {**context, replica: top + 1}


def add_version(siblings, version):
    """The siblings after ``version`` arrives: it is dropped if a sibling descends from it (already seen), else it
    replaces the siblings it descends from and joins the rest. Returns (new sibling list, True if it was added)."""
    _check_version("version", version)
    for i, s in enumerate(siblings):
        _check_version(f"siblings[{i}]", s)
    return _add_version(siblings, version)


def reconcile(versions):
    """The siblings left from any collection of versions (each replica's, merged): none descends from another."""
    versions = list(versions)
    for i, s in enumerate(versions):
        _check_version(f"versions[{i}]", s)
    return _reconcile(versions)


def lww(versions):
    """Last-writer-wins: the version with the largest timestamp [time, writer] (None for no versions)."""
    versions = list(versions)
    for i, s in enumerate(versions):
        _check_version(f"versions[{i}]", s)
    return _lww(versions)


# the same without input checks, for the store's own hot paths (replicas and the simulator build valid versions)
def _descends(a, b):
    return all(a.get(k, 0) >= c for k, c in b.items())


def _add_version(siblings, version):
    clock = version["vv"]
    for s in siblings:
        if _descends(s["vv"], clock):
            return list(siblings), False
    return [s for s in siblings if not _descends(clock, s["vv"])] + [version], True


def _reconcile(versions):
    siblings = []
    for version in versions:
        siblings, _ = _add_version(siblings, version)
    return siblings


def _merge_clocks(vvs):
    merged = {}
    for vv in vvs:
        for k, c in vv.items():
            if c > merged.get(k, 0):
                merged[k] = c
    return merged


def _next_clock(context, replica, held=()):
    return {**context, replica: max([context.get(replica, 0)] + [vv.get(replica, 0) for vv in held]) + 1}


def _lww(versions):
    return max(versions, key=lambda s: (s["ts"][0], str(s["ts"][1])), default=None)


def lost_writes(acknowledged, survivors):
    """How many acknowledged versions no survivor descends from: writes a client was told succeeded whose effect
    is gone. acknowledged, survivors: lists of versions (or version vectors)."""
    def vv(x):
        return x["vv"] if isinstance(x, dict) and "vv" in x else x
    kept = [_check_vv("survivor vv", vv(s)) for s in survivors]
    return sum(1 for a in acknowledged if not any(descends(s, _check_vv("acknowledged vv", vv(a))) for s in kept))
