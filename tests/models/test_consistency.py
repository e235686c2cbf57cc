"""The linearizability checker on histories whose verdict is argued by hand, on generated histories of a real
sequential execution (linearizable by construction) and on the same with one read corrupted (not linearizable)."""
import math

import pytest

from scalelab.models import consistency as c

INF = math.inf


def op(kind, value, start, end, ok=True, client="a"):
    return {"client": client, "op": kind, "value": value, "ok": ok, "start": start, "end": end}


# (name, history, initial, verdict, why)
CASES = [
    ("empty", [], None, True, "nothing to explain"),
    ("write then read", [op("write", 1, 0, 1), op("read", 1, 2, 3, client="b")], None, True,
     "the read starts after the write ended and sees it"),
    ("stale read after the write ended",
     [op("write", 1, 0, 1), op("read", None, 2, 3, client="b")], None, False,
     "the write took effect by time 1; at time 2 the register cannot be empty again"),
    ("read during a write may see either",
     [op("write", 1, 0, 10), op("read", None, 1, 2, client="b"), op("read", 1, 3, 4, client="b")], None, True,
     "the write takes effect between 2 and 3"),
    ("new then old (no going back)",
     [op("write", 1, 0, 10), op("read", 1, 1, 2, client="b"), op("read", None, 3, 4, client="c")], None, False,
     "the first read shows the write took effect by time 2; the second, after it, cannot see the old value"),
    ("two concurrent writes, value flips after both ended",
     [op("write", 1, 0, 5), op("write", 2, 0, 5, client="b"), op("read", 1, 6, 7, client="c"),
      op("read", 2, 8, 9, client="c")], None, False,
     "after both writes end nothing changes the register, so two later reads must agree"),
    ("two concurrent writes, either order",
     [op("write", 1, 0, 5), op("write", 2, 0, 5, client="b"), op("read", 1, 6, 7, client="c"),
      op("read", 1, 8, 9, client="c")], None, True, "order the writes 2 then 1"),
    ("touching intervals are concurrent",
     [op("write", 1, 0, 1), op("read", None, 1, 2, client="b")], None, True,
     "the read starts at the instant the write ends: it may be placed first"),
    ("cas succeeds on the value it expects",
     [op("write", 1, 0, 1), op("cas", (1, 2), 2, 3), op("read", 2, 4, 5)], None, True, "1 -> 2 as it says"),
    ("cas claims to succeed on the wrong value",
     [op("write", 1, 0, 1), op("cas", (3, 2), 2, 3), op("read", 2, 4, 5)], None, False,
     "the register held 1, not 3, so the cas cannot have succeeded"),
    ("cas fails though the register held its expected value",
     [op("write", 1, 0, 1), op("cas", (1, 2), 2, 3, ok=False)], None, False,
     "ok False says the compare failed, but the register held exactly 1"),
    ("cas fails on a different value",
     [op("write", 1, 0, 1), op("cas", (3, 4), 2, 3, ok=False), op("read", 1, 4, 5)], None, True,
     "the register held 1, not 3: the compare fails and nothing changes"),
    ("a write that never returned, seen and then undone",
     [op("write", 1, 0, 1), op("write", 2, 2, INF, ok=None, client="b"), op("read", 2, 3, 4, client="c"),
      op("read", 1, 5, 6, client="c")], None, False,
     "once 2 was read, nothing writes 1 again"),
    ("a write that never returned, taking effect late",
     [op("write", 1, 0, 1), op("write", 2, 2, INF, ok=None, client="b"), op("read", 1, 3, 4, client="c"),
      op("read", 2, 5, 6, client="c")], None, True, "write 2 lands between 4 and 5"),
    ("a write that never returned and never took effect",
     [op("write", 1, 0, 1), op("write", 2, 2, INF, ok=None, client="b"), op("read", 1, 3, 4, client="c")],
     None, True, "an unknown outcome may be no effect at all"),
    ("a timed-out write lands after its timeout",
     [op("write", 1, 0, 1, ok=None), op("read", None, 2, 3, client="b"), op("read", 1, 4, 5, client="b")],
     None, True, "ok None: the write may take effect after the client gave up at time 1"),
    ("a refused write has no effect",
     [op("write", 5, 0, 1, ok=False), op("read", 5, 2, 3, client="b")], None, False,
     "ok False on a write: nobody wrote 5"),
    ("a refused write, nothing read",
     [op("write", 5, 0, 1, ok=False), op("read", None, 2, 3, client="b")], None, True, "the register stays empty"),
    ("a timed-out read constrains nothing",
     [op("write", 1, 0, 1), op("read", 99, 2, 3, ok=None, client="b")], None, True,
     "ok None on a read: it may have returned anything"),
    ("an unknown cas that must have happened",
     [op("write", 1, 0, 1), op("cas", (1, 7), 2, INF, ok=None, client="b"), op("read", 7, 3, 4, client="c")],
     None, True, "the cas took effect before the read"),
    ("initial value read", [op("read", 0, 0, 1)], 0, True, "the register starts at 0"),
    ("initial value missing", [op("read", 0, 0, 1)], None, False, "the register starts empty and nobody wrote 0"),
]


@pytest.mark.parametrize("name, history, initial, verdict, why", CASES, ids=[case[0] for case in CASES])
def test_hand_made_histories(name, history, initial, verdict, why):
    assert c.is_linearizable(history, initial=initial) is verdict, why


@pytest.mark.parametrize("name, history, initial, verdict, why", [case for case in CASES if case[3]],
                         ids=[case[0] for case in CASES if case[3]])
def test_a_linearizable_history_comes_with_an_order_that_replays(name, history, initial, verdict, why):
    result = c.check(history, initial=initial)
    values = c.replay(history, result.order, initial=initial)  # raises if an operation is not allowed
    assert len(values) == len(result.order)
    for i, j in zip(result.order, result.order[1:]):  # the order respects real time (an unknown outcome: no end)
        end_j = INF if history[j]["ok"] is None else history[j]["end"]
        assert not end_j < history[i]["start"]


def test_a_failed_check_names_where_it_got_stuck():
    history = CASES[4][1]  # new then old
    result = c.check(history)
    assert not result and result.stuck_at == 2 and set(result.longest) <= {0, 1}


def test_replay_rejects_an_order_the_register_forbids():
    history = [op("write", 1, 0, 1), op("read", 2, 2, 3)]
    with pytest.raises(ValueError, match="order\\[1\\]"):
        c.replay(history, [0, 1])


@pytest.mark.parametrize("bad, field", [
    ([{"client": "a", "op": "read", "value": 1, "ok": True, "start": 0}], "end"),
    ([op("delete", 1, 0, 1)], "'op'"),
    ([op("read", 1, 0, 1, ok=1)], "'ok'"),
    ([op("read", 1, float("nan"), 1)], "'start'"),
    ([op("read", 1, INF, INF, ok=None)], "'start'"),
    ([op("read", 1, 2, 1)], "'end'"),
    ([op("write", 1, 0, INF, ok=True)], "'ok'"),
    ([op("cas", 1, 0, 1)], "'value'"),
    ([op("write", [1, 2], 0, 1)], "'value'"),
    ([op("read", 1, 0, 1), "not a dict"], "operations\\[1\\]"),
    ("read", "operations"),
])
def test_bad_input_names_the_field(bad, field):
    with pytest.raises(ValueError, match=field):
        c.is_linearizable(bad)


def test_bad_initial_value():
    with pytest.raises(ValueError, match="initial"):
        c.is_linearizable([], initial=[1])


def test_extra_fields_are_ignored():
    history = [dict(op("write", 1, 0, 1), key="x"), dict(op("read", 1, 2, 3), key="x", replica=2)]
    assert c.is_linearizable(history)
