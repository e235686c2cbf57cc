"""Is a recorded history linearizable? A checker for the histories of a compare-and-set register.

A history is a list of operations, each a dict::

    {"client": "a", "op": "write", "value": 3, "ok": True, "start": 0.10, "end": 0.12}

- ``op``: ``"read"``, ``"write"`` or ``"cas"``; ``start`` and ``end``: when the client sent the request and got the
  reply (seconds, any origin; ``end = math.inf`` if it never got one);
- ``value``: for a read, what it read (None: nothing written yet); for a write, what it wrote; for a cas, the pair
  ``(expected, new)``;
- ``ok``: True when the operation completed. For a cas, False means the compare failed (the register did not hold
  ``expected``, nothing changed); for a read or a write, False means it was refused and had no effect. None means the
  outcome is unknown: a timed-out read may have returned anything, and a write or cas that timed out or never
  returned (``end = math.inf``) may or may not have taken effect, at any time after its start.

The history is **linearizable** when every operation can be given one instant between its start and its end such
that, replayed in the order of those instants, each does what a single register would do (Herlihy & Wing, 1990).
Operations whose intervals touch (one ends exactly when the other starts) count as concurrent.

The search is Wing & Gong's (1993) with Lowe's (2017) memoisation, as in Porcupine: walk the start and end events in
time order; linearize a started operation if the register allows it, backtrack when an operation's end is reached
before it was linearized; never visit the same (set of linearized operations, register value) twice. The set is a
bitset (a Python int). An operation with an unknown outcome ends at math.inf, so it may also be placed after
everything else, where it changes nothing anyone sees: that is the same as never having happened.

Pure: no I/O, no clock, no randomness.
"""
import math
import numbers
from dataclasses import dataclass, field

import numpy as np

OPS = ("read", "write", "cas")
FIELDS = ("client", "op", "value", "ok", "start", "end")
_CALL, _RETURN = 0, 1


@dataclass(frozen=True)
class Linearizability:
    """Verdict of the checker.

    ok: True when the history is linearizable; order: when ok, the indices (into the operations given) of a valid
    linearization, else []; longest: the indices of the longest sequence the search could linearize (ops it had to
    drop: refused ones and reads of unknown outcome are never in it); stuck_at: when not ok, the index of the
    operation that ended before the search could place it after ``longest`` (None when ok); explored: number of
    (set, value) configurations the search visited (its cost); checked: number of operations the search had to place.
    """

    ok: bool
    order: list = field(default_factory=list)
    longest: list = field(default_factory=list)
    stuck_at: int = None
    explored: int = 0
    checked: int = 0

    def __bool__(self):
        return self.ok


@dataclass(frozen=True)
class _Op:
    index: int      # position in the caller's list
    kind: str
    value: object   # read: the value read; write: the value written; cas: (expected, new)
    ok: object      # True, False or None
    start: float
    end: float


def _is_time(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and not math.isnan(x)


def _hashable(name, value):
    try:
        hash(value)
    except TypeError:
        raise ValueError(f"{name} must be hashable (a number, a string, None or a tuple), got {value!r}") from None
    return value


def _validate(operations):
    """The operations as _Op records, or ValueError naming the operation and the field."""
    if isinstance(operations, (str, bytes, dict)) or not hasattr(operations, "__iter__"):
        raise ValueError(f"operations must be a list of dicts with the fields {FIELDS}, "
                         f"got {type(operations).__name__}")
    ops = []
    for i, op in enumerate(operations):
        where = f"operations[{i}]"
        if not isinstance(op, dict):
            raise ValueError(f"{where} must be a dict with the fields {FIELDS}, got {type(op).__name__}")
        missing = [f for f in FIELDS if f not in op]
        if missing:
            raise ValueError(f"{where} is missing the field(s) {missing} (each operation needs {FIELDS})")
        _hashable(f"{where}['client']", op["client"])
        kind = op["op"]
        if kind not in OPS:
            raise ValueError(f"{where}['op'] must be one of {OPS}, got {kind!r}")
        ok = op["ok"]
        if isinstance(ok, np.bool_):
            ok = bool(ok)
        if not (ok is None or isinstance(ok, bool)):
            raise ValueError(f"{where}['ok'] must be True, False or None (unknown outcome), got {ok!r}")
        start, end = op["start"], op["end"]
        if not _is_time(start) or math.isinf(start):
            raise ValueError(f"{where}['start'] must be a finite number of seconds, got {start!r}")
        if not _is_time(end) or end < start:
            raise ValueError(f"{where}['end'] must be a number >= start ({start!r}) or math.inf, got {end!r}")
        if math.isinf(end) and ok is not None:
            raise ValueError(f"{where}['ok'] must be None when 'end' is math.inf: an operation that never returned "
                             f"has an unknown outcome, got ok={ok!r}")
        value = op["value"]
        if kind == "cas":
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ValueError(f"{where}['value'] of a cas must be a pair (expected, new), got {value!r}")
            value = (_hashable(f"{where}['value'][0]", value[0]), _hashable(f"{where}['value'][1]", value[1]))
        else:
            _hashable(f"{where}['value']", value)
        ops.append(_Op(i, kind, value, ok, float(start), float(end)))
    return ops


def _to_check(ops):
    """The operations the search must place. Refused reads and writes had no effect and reads of unknown outcome
    constrain nothing: both are left out. A write or cas of unknown outcome may take effect any time after its start:
    its end becomes math.inf."""
    kept = []
    for op in ops:
        if op.kind in ("read", "write") and op.ok is False:
            continue
        if op.kind == "read" and op.ok is None:
            continue
        if op.ok is None and not math.isinf(op.end):
            op = _Op(op.index, op.kind, op.value, op.ok, op.start, math.inf)
        kept.append(op)
    return kept


def _apply(op, state):
    """(legal, new state) of one operation on a register holding ``state``: the sequential specification."""
    if op.kind == "read":
        return op.value == state, state
    if op.kind == "write":
        return True, op.value
    expected, new = op.value
    if op.ok is True:
        return state == expected, new
    if op.ok is False:
        return state != expected, state
    return True, (new if state == expected else state)  # unknown outcome: a cas does what the register says


def check(operations, initial=None):
    """Decide whether a history of a compare-and-set register is linearizable; returns a ``Linearizability``.

    operations: a list of dicts {"client", "op", "value", "ok", "start", "end"} (see the module's docstring);
    initial: the register's value before the first operation (None: nothing written yet).
    """
    _hashable("initial", initial)
    ops = _to_check(_validate(operations))
    n = len(ops)
    events = sorted([(op.start, _CALL, i) for i, op in enumerate(ops)]
                    + [(op.end, _RETURN, i) for i, op in enumerate(ops)],
                    key=lambda e: (e[0], e[1]))
    # a doubly linked list of the events: node 0 is the head, nodes 1..2n the events, node 2n + 1 the tail
    tail = 2 * n + 1
    nxt = list(range(1, tail + 1)) + [tail]
    prv = [0] + list(range(0, tail))
    kind = [None] + [e[1] for e in events] + [None]
    opid = [None] + [e[2] for e in events] + [None]
    partner = [0] * (tail + 1)  # the call node's return node
    call_node = {}
    for node in range(1, tail):
        if kind[node] == _CALL:
            call_node[opid[node]] = node
        else:
            partner[call_node[opid[node]]] = node

    def lift(c):
        for node in (c, partner[c]):
            nxt[prv[node]] = nxt[node]
            prv[nxt[node]] = prv[node]

    def unlift(c):
        for node in (partner[c], c):
            nxt[prv[node]] = node
            prv[nxt[node]] = node

    seen = set()
    stack = []            # (call node, register value before it)
    linearized, state = 0, initial
    longest, stuck_at = [], None
    node = nxt[0]
    while nxt[0] != tail:
        if kind[node] == _CALL:
            i = opid[node]
            legal, after = _apply(ops[i], state)
            if legal:
                key = (linearized | (1 << i), after)
                if key not in seen:
                    seen.add(key)
                    stack.append((node, state))
                    linearized, state = key
                    lift(node)
                    node = nxt[0]
                    continue
            node = nxt[node]
        else:  # an operation ended before it could be linearized: undo the last choice
            if len(stack) >= len(longest):
                longest, stuck_at = [ops[opid[c]].index for c, _ in stack], ops[opid[node]].index
            if not stack:
                return Linearizability(False, [], longest, stuck_at, len(seen), n)
            node, state = stack.pop()
            linearized &= ~(1 << opid[node])
            unlift(node)
            node = nxt[node]
    order = [ops[opid[c]].index for c, _ in stack]
    return Linearizability(True, order, order, None, len(seen), n)


def is_linearizable(operations, initial=None):
    """True when the history of a compare-and-set register is linearizable, else False.

    operations: a list of dicts {"client", "op": "read" | "write" | "cas", "value", "ok", "start", "end"}: a read's
    value is what it read (None: nothing yet), a write's what it wrote, a cas's the pair (expected, new); ok True
    (done), False (a cas whose compare failed; a read or write refused, no effect) or None (unknown outcome);
    start and end in seconds (end = math.inf: never returned). initial: the register's value before them (None).
    Raises ValueError naming the operation and field that is malformed.
    """
    return check(operations, initial).ok


def replay(operations, order, initial=None):
    """The register's values after each operation of ``order`` (indices into operations), replayed one by one;
    raises ValueError at the first one the register would not allow (to show why a linearization works)."""
    ops = _validate(operations)
    state, values = _hashable("initial", initial), []
    for position, i in enumerate(order):
        if not isinstance(i, numbers.Integral) or not 0 <= i < len(ops):
            raise ValueError(f"order[{position}] must be an index into operations (0..{len(ops) - 1}), got {i!r}")
        legal, state = _apply(ops[i], state)
        if not legal:
            raise ValueError(f"order[{position}] = operation {i} ({ops[i].kind} {ops[i].value!r}) is not allowed on a "
                             f"register holding {values[-1] if values else initial!r}")
        values.append(state)
    return values
