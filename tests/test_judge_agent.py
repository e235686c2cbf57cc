"""The plain-data codec between a learner's kernel and the grader: real objects out, nothing of the learner's in."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from scalelab import judge_agent as agent


def round_trip(value):
    handles = []

    def as_handle(obj):
        handles.append(obj)
        return {"t": "handle", "id": len(handles), "type": type(obj).__name__}

    text = json.dumps(agent.encode(value, as_handle))
    return agent.decode(json.loads(text), lambda info: ("handle", info["id"])), handles


@pytest.mark.parametrize("value", [None, True, 3, 2**80, 2.5, "text", [1, [2, "x"]], (1, 2), {"a": 1, 3: (4,)},
                                   {1, 2}, frozenset({3}), b"\x00\xff", 1 + 2j, range(2, 9, 3)])
def test_builtins_come_back_equal_and_of_the_same_type(value):
    got, handles = round_trip(value)
    assert got == value and type(got) is type(value) and not handles


def test_nan_and_infinity_survive():
    got, _ = round_trip([math.nan, math.inf])
    assert math.isnan(got[0]) and got[1] == math.inf


def test_numpy_scalars_and_arrays_keep_dtype_and_shape():
    for value in (np.float64(1.5), np.int32(7), np.bool_(True)):
        got, _ = round_trip(value)
        assert got == value and type(got) is type(value)
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    got, _ = round_trip(array)
    assert got.dtype == array.dtype and got.shape == (2, 3) and (got == array).all()
    times = np.array(["2026-01-01T00:00:01"], dtype="datetime64[ns]")
    assert (round_trip(times)[0] == times).all()


def test_frames_and_series_come_back_equal():
    frame = pd.DataFrame({"status": [200, 0, 503], "latency_ms": [1.5, math.nan, 3.0], "who": ["a", "b", "c"]},
                         index=[10, 11, 12])
    got, _ = round_trip(frame)
    pd.testing.assert_frame_equal(got, frame)
    series = pd.Series([1.0, 2.0], index=["x", "y"], name="p95_ms")
    pd.testing.assert_series_equal(round_trip(series)[0], series)
    assert round_trip(pd.DataFrame())[0].empty


def test_subclasses_and_other_objects_become_handles():
    class Lying(float):
        def __eq__(self, other):
            return True

    got, handles = round_trip([Lying(1.0), object()])
    assert got == [("handle", 1), ("handle", 2)] and isinstance(handles[0], Lying)


def test_malformed_messages_are_refused():
    for bad in ({"t": "nonsense"}, {"no": "tag"}, {"t": "ndarray", "dtype": "O", "shape": [1], "v": [1]},
                {"t": "np", "dtype": "V8", "v": 0}):
        with pytest.raises((ValueError, TypeError)):
            agent.decode(bad, lambda info: None)


def test_limits_on_size_and_depth():
    nested = []
    for _ in range(60):
        nested = [nested]
    with pytest.raises(ValueError, match="nested"):
        agent.encode(nested, lambda x: None)
    with pytest.raises(ValueError, match="limit"):
        agent.encode(list(range(agent.MAX_ITEMS + 1)), lambda x: None)
