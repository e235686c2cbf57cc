"""The plain-data codec of grading, and the agent that answers the grader from inside a learner's kernel.

Grading runs a learner's cells in a sandboxed kernel and the tests in the grader's own process. The grader asks the
kernel for the names a test reads (``serve`` below, run inside the kernel); every answer crosses as JSON built by
``encode``: numbers, text, lists, dicts, numpy arrays and pandas tables as plain data, anything else as a handle the
grader can call or read attributes of, one request at a time. ``decode`` on the grader's side builds only real
built-in, numpy and pandas objects from it, so no object of the learner's ever reaches the grader's interpreter.

This file is also sent as source text to the kernel; it imports only the standard library at the top.
"""
import base64
import json
import socket
import struct

MAX_MESSAGE_BYTES = 16 * 2**20
MAX_ITEMS = 1_000_000
_HEADER = struct.Struct("!I")
_EXACT = (bool, int, float, str)
_ARRAY_KINDS = "biufc"
_TIME_KINDS = "Mm"


def send(sock, message):
    """Send one JSON message, length-prefixed."""
    data = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError(f"a message of {len(data):,} bytes is over the {MAX_MESSAGE_BYTES:,}-byte limit")
    sock.sendall(_HEADER.pack(len(data)) + data)


def receive(sock):
    """One JSON message, or None when the other side has closed."""
    header = _exactly(sock, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(f"a message of {size:,} bytes is over the {MAX_MESSAGE_BYTES:,}-byte limit")
    data = _exactly(sock, size)
    if data is None:
        raise ConnectionError("the connection closed in the middle of a message")
    return json.loads(data)


def _exactly(sock, size):
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 2**20))
        if not chunk:
            return None if left == size else b""
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def encode(value, other, depth=0):
    """``value`` as JSON-ready plain data; ``other(value)`` encodes what is not plain data (a handle or an error)."""
    if depth > 50:
        raise ValueError("the value is nested more than 50 levels deep")
    kind = type(value)
    if value is None or kind in _EXACT:
        return value
    if kind is list:
        return [encode(item, other, depth + 1) for item in _capped(value)]
    if kind is tuple:
        return {"t": "tuple", "v": [encode(item, other, depth + 1) for item in _capped(value)]}
    if kind is dict:
        return {"t": "dict", "v": [[encode(k, other, depth + 1), encode(v, other, depth + 1)]
                                   for k, v in _capped(list(value.items()))]}
    if kind in (set, frozenset):
        return {"t": kind.__name__, "v": [encode(item, other, depth + 1) for item in _capped(list(value))]}
    if kind is bytes:
        return {"t": "bytes", "v": base64.b64encode(value).decode()}
    if kind is complex:
        return {"t": "complex", "v": [value.real, value.imag]}
    if kind is range:
        return {"t": "range", "v": [value.start, value.stop, value.step]}
    numpy_or_pandas = _numpy_or_pandas(value, other, depth)
    if numpy_or_pandas is not None:
        return numpy_or_pandas
    return other(value)


def _capped(items):
    if len(items) > MAX_ITEMS:
        raise ValueError(f"a collection of {len(items):,} items is over the {MAX_ITEMS:,}-item limit")
    return items


def _numpy_or_pandas(value, other, depth):
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        import numpy as np

        if type(value) is np.ndarray:
            return _array(value, other, depth)
        if isinstance(value, np.generic) and type(value) in np.sctypeDict.values() and value.dtype.kind in _ARRAY_KINDS:
            return {"t": "np", "dtype": value.dtype.str, "v": _plain(value.item())}
    if module == "pandas":
        import pandas as pd

        if type(value) is pd.DataFrame:
            return {"t": "frame", "index": encode(value.index, other, depth + 1),
                    "columns": [encode(c, other, depth + 1) for c in value.columns],
                    "data": [_series(value.iloc[:, i], other, depth) for i in range(value.shape[1])]}
        if type(value) is pd.Series:
            return {**_series(value, other, depth), "index": encode(value.index, other, depth + 1)}
        if type(value) is pd.RangeIndex:
            return {"t": "rangeindex", "v": [value.start, value.stop, value.step], "name": encode(value.name, other)}
        if type(value) in (pd.Index, pd.DatetimeIndex, pd.TimedeltaIndex):
            return {"t": "index", "v": _series(pd.Series(value), other, depth), "name": encode(value.name, other)}
    return None


def _plain(item):
    return [item.real, item.imag] if isinstance(item, complex) else item


def _array(array, other, depth):
    kind = array.dtype.kind
    if kind in _ARRAY_KINDS:
        flat = [_plain(x) for x in _capped(array.ravel().tolist())]
        return {"t": "ndarray", "dtype": array.dtype.str, "shape": list(array.shape), "v": flat}
    if kind in _TIME_KINDS:
        return {"t": "ndarray", "dtype": array.dtype.str, "shape": list(array.shape),
                "v": _capped(array.view("i8").ravel().tolist())}
    if kind in "OU":
        return {"t": "objects", "shape": list(array.shape),
                "v": [encode(x, other, depth + 1) for x in _capped(array.ravel().tolist())]}
    return other(array)


def _series(series, other, depth):
    dtype = str(series.dtype)
    values = series.to_numpy()
    return {"t": "series", "dtype": dtype, "v": _array(values, other, depth), "name": encode(series.name, other)}


def decode(data, on_handle):
    """Plain data back into real objects; ``on_handle(info)`` turns a handle into whatever stands for it."""
    if data is None or type(data) in _EXACT:
        return data
    if type(data) is list:
        return [decode(item, on_handle) for item in data]
    if type(data) is not dict or not isinstance(data.get("t"), str):
        raise ValueError("malformed message")
    tag, v = data["t"], data.get("v")
    if tag == "tuple":
        return tuple(decode(item, on_handle) for item in v)
    if tag == "dict":
        return {decode(k, on_handle): decode(x, on_handle) for k, x in v}
    if tag in ("set", "frozenset"):
        return (set if tag == "set" else frozenset)(decode(item, on_handle) for item in v)
    if tag == "bytes":
        return base64.b64decode(v)
    if tag == "complex":
        return complex(float(v[0]), float(v[1]))
    if tag == "range":
        return range(int(v[0]), int(v[1]), int(v[2]))
    if tag in ("handle", "ref"):
        return on_handle(data)
    return _decode_numpy_or_pandas(tag, data, on_handle)


def _decode_numpy_or_pandas(tag, data, on_handle):
    import numpy as np

    v = data.get("v")
    if tag == "np":
        dtype = _safe_dtype(data["dtype"])
        return dtype.type(complex(*v) if dtype.kind == "c" else v)
    if tag == "ndarray":
        dtype = _safe_dtype(data["dtype"])
        if dtype.kind in _TIME_KINDS:
            return np.array(v, dtype="i8").view(dtype).reshape(data["shape"])
        values = [complex(*x) for x in v] if dtype.kind == "c" else v
        return np.array(values, dtype=dtype).reshape(data["shape"])
    if tag == "objects":
        array = np.empty(len(v), dtype=object)
        array[:] = [decode(x, on_handle) for x in v]
        return array.reshape(data["shape"])
    import pandas as pd

    if tag == "series":
        values = _decode_numpy_or_pandas(data["v"]["t"], data["v"], on_handle)
        index = decode(data["index"], on_handle) if "index" in data else None
        return pd.Series(values, index=index, name=decode(data.get("name"), on_handle), dtype=_safe_pandas_dtype(
            data["dtype"]), copy=False)
    if tag == "frame":
        index = decode(data["index"], on_handle)
        series = [decode({**s, "index": None}, on_handle) for s in data["data"]]
        frame = pd.DataFrame(dict(enumerate(series))) if series else pd.DataFrame(index=range(len(index)))
        frame.columns = [decode(c, on_handle) for c in data["columns"]]
        frame.index = index
        return frame
    if tag == "rangeindex":
        return pd.RangeIndex(int(v[0]), int(v[1]), int(v[2]), name=decode(data.get("name"), on_handle))
    if tag == "index":
        series = decode({**v, "index": None}, on_handle)
        return pd.Index(series, name=decode(data.get("name"), on_handle))
    raise ValueError(f"malformed message: unknown tag {tag!r}")


def _safe_dtype(text):
    import numpy as np

    dtype = np.dtype(str(text))
    if dtype.kind not in _ARRAY_KINDS + _TIME_KINDS or dtype.fields is not None:
        raise ValueError(f"unexpected dtype {text!r}")
    return dtype


def _safe_pandas_dtype(text):
    import pandas as pd

    try:
        dtype = pd.api.types.pandas_dtype(str(text))
    except (TypeError, ValueError):
        return None
    return None if getattr(dtype, "fields", None) else dtype


def serve(path, namespace):
    """Answer the grader's requests on the Unix socket at ``path`` until it says stop (runs in the learner's kernel)."""
    handles = {}

    def as_handle(value):
        handles[len(handles) + 1] = value
        kind = type(value)
        return {"t": "handle", "id": len(handles), "type": f"{kind.__module__}.{kind.__qualname__}",
                "module": value.__name__ if kind.__name__ == "module" else None,
                "callable": callable(value)}

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    try:
        while True:
            request = receive(sock)
            if request is None or request.get("op") == "stop":
                break
            try:
                reply = {"ok": encode(_answer(request, namespace, handles), as_handle)}
                data = json.dumps(reply, allow_nan=True)
                if len(data) > MAX_MESSAGE_BYTES:
                    raise ValueError(f"the answer is {len(data):,} bytes, over the {MAX_MESSAGE_BYTES:,}-byte limit")
            except BaseException as exc:  # the learner's code may raise anything, even SystemExit
                reply = {"error": {"mro": [k.__name__ for k in type(exc).__mro__], "message": str(exc)[:2000]}}
            send(sock, reply)
    finally:
        sock.close()


def _answer(request, namespace, handles):
    def resolve(info):
        if info.get("t") != "ref" or info.get("id") not in handles:
            raise ValueError("unknown handle")
        return handles[info["id"]]

    op = request["op"]
    if op == "name":
        name = request["name"]
        if name not in namespace:
            raise NameError(f"name '{name}' is not defined")
        return namespace[name]
    target = resolve({"t": "ref", "id": request["h"]})
    if op == "getattr":
        return getattr(target, request["name"])
    if op == "call":
        args = decode(request["args"], resolve)
        kwargs = decode(request["kwargs"], resolve)
        return target(*args, **kwargs)
    if op == "getitem":
        return target[decode(request["key"], resolve)]
    if op == "contains":
        return bool(decode(request["item"], resolve) in target)
    if op == "iter":
        out = []
        for item in target:
            out.append(item)
            if len(out) > MAX_ITEMS:
                raise ValueError(f"more than {MAX_ITEMS:,} items")
        return out
    conversions = {"len": len, "bool": bool, "float": float, "int": int, "index": lambda x: x.__index__(), "str": str,
                   "repr": repr}
    if op in conversions:
        return conversions[op](target)
    raise ValueError(f"unknown request {op!r}")
