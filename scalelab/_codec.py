"""Plain data between a sandboxed kernel and the grader: JSON with strict types, nothing that can run code.

``dump(value)`` turns a value into JSON-able data; ``load(data)`` builds it back. Only exact types cross: ``None``,
``bool``, ``int``, ``float``, ``str``, ``list``, ``tuple``, ``dict``, ``set``, numpy arrays and scalars of numeric,
boolean, text and date dtypes, pandas Series and DataFrames, and dataclass instances (as read-only records). A
subclass (a ``float`` whose ``__float__`` lies, an object equal to everything) crosses as an :class:`Opaque` marker
naming its type, which no check accepts. The grader side only ever calls ``load``: it builds these types and nothing
else, whatever the data says.
"""
import dataclasses
import math

MAX_DEPTH = 40
MAX_ITEMS = 2_000_000
DTYPE_KINDS = "biufUSMm"


class Opaque:
    """A value that could not cross as plain data (its type is kept, for the message)."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:120]

    def __repr__(self):
        return f"<{self.type_name}: not plain data, so it cannot be graded>"


class Record:
    """A dataclass instance from the student's kernel: its fields, read-only, by attribute or by name."""

    def __init__(self, type_name, fields):
        object.__setattr__(self, "_type_name", str(type_name)[:120])
        object.__setattr__(self, "_fields", dict(fields))

    def __getattr__(self, name):
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{self._type_name} has no field {name!r}") from None

    def __setattr__(self, name, value):
        raise AttributeError("a record from the student's kernel is read-only")

    def __eq__(self, other):
        return isinstance(other, Record) and self._fields == other._fields

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"{self._type_name}({inner})"


class Callable:
    """Marks a callable by name; the grader turns it into a call that runs in the sandbox."""

    def __init__(self, name):
        self.name = name


def _np():
    import numpy
    return numpy


def dump(value, depth=0, counter=None):
    """JSON-able data for ``value`` (exact types only; anything else becomes an opaque marker)."""
    counter = counter if counter is not None else [0]
    counter[0] += 1
    if counter[0] > MAX_ITEMS or depth > MAX_DEPTH:
        return {"t": "opaque", "type": "too large or too deeply nested"}
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"t": "bigint", "v": str(value)[:4000]}
    if kind is float:
        return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
    if kind in (list, tuple, set, frozenset):
        items = sorted(value, key=repr) if kind in (set, frozenset) else value
        return {"t": kind.__name__, "v": [dump(x, depth + 1, counter) for x in items]}
    if kind is dict:
        return {"t": "dict", "v": [[dump(k, depth + 1, counter), dump(x, depth + 1, counter)] for k, x in value.items()]}
    if isinstance(value, Callable):
        return {"t": "callable", "name": value.name}
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy"):
        return _dump_numpy(value, depth, counter)
    if module.startswith("pandas"):
        return _dump_pandas(value, depth, counter)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: dump(getattr(value, f.name), depth + 1, counter) for f in dataclasses.fields(value)}
        return {"t": "record", "type": kind.__name__, "v": fields}
    return {"t": "opaque", "type": kind.__name__}


def _dump_numpy(value, depth, counter):
    np = _np()
    if type(value) is np.ndarray:
        if value.dtype.kind in DTYPE_KINDS:
            counter[0] += value.size
            if counter[0] > MAX_ITEMS:
                return {"t": "opaque", "type": "too large"}
            data = value.astype(str).tolist() if value.dtype.kind in "Mm" else value.tolist()
            return {"t": "ndarray", "dtype": value.dtype.str, "v": _clean_floats(data)}
        if value.dtype.kind == "O":
            return {"t": "ndarray", "dtype": "O", "shape": list(value.shape),
                    "v": [dump(x, depth + 1, counter) for x in value.ravel().tolist()]}
        return {"t": "opaque", "type": f"ndarray of {value.dtype}"}
    if isinstance(value, np.generic) and type(value) in set(np.sctypeDict.values()) and value.dtype.kind in DTYPE_KINDS:
        text = str(value) if value.dtype.kind in "Mm" else _clean_floats(value.item())
        return {"t": "npscalar", "dtype": value.dtype.str, "v": text}
    return {"t": "opaque", "type": type(value).__name__}


def _clean_floats(data):
    """Non-finite floats as text (JSON has no NaN), in nested lists."""
    if isinstance(data, list):
        return [_clean_floats(x) for x in data]
    if type(data) is float and not math.isfinite(data):
        return {"t": "float", "v": repr(data)}
    return data


def _dump_pandas(value, depth, counter):
    import pandas as pd

    if type(value) is pd.DataFrame:
        return {"t": "DataFrame", "columns": dump(list(value.columns), depth + 1, counter),
                "index": _dump_column(value.index, depth, counter), "attrs": dump(dict(value.attrs), depth + 1, counter),
                "v": [_dump_column(value.iloc[:, i], depth, counter) for i in range(value.shape[1])]}
    if type(value) is pd.Series:
        return {"t": "Series", "name": dump(value.name, depth + 1, counter), "attrs": dump(dict(value.attrs), depth + 1, counter),
                "index": _dump_column(value.index, depth, counter), "v": _dump_column(value, depth, counter)}
    if isinstance(value, pd.Index) and type(value) in (pd.Index, pd.RangeIndex, pd.DatetimeIndex):
        return {"t": "Index", "name": dump(value.name, depth + 1, counter), "v": _dump_column(value, depth, counter)}
    return {"t": "opaque", "type": type(value).__name__}


def _dump_column(column, depth, counter):
    np = _np()
    values = column.to_numpy()
    if values.dtype.kind not in DTYPE_KINDS + "O":
        values = values.astype(object)
    return _dump_numpy(np.asarray(values), depth + 1, counter)


def load(data, depth=0, call=None):
    """The value ``data`` describes, built from plain types only. ``call(name)`` makes a remote callable."""
    if depth > MAX_DEPTH + 5:
        return Opaque("too deeply nested")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:  # only inside ndarray payloads
        return [load(x, depth + 1, call) for x in data]
    if type(data) is not dict:
        return Opaque(type(data).__name__)
    tag = data.get("t")
    try:
        if tag in ("list", "tuple", "set", "frozenset"):
            items = [load(x, depth + 1, call) for x in _items(data)]
            return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
        if tag == "dict":
            return {load(k, depth + 1, call): load(x, depth + 1, call) for k, x in _items(data)}
        if tag == "bigint":
            return int(str(data["v"]))
        if tag == "float":
            return float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[str(data["v"])])
        if tag == "ndarray":
            return _load_array(data, depth, call)
        if tag == "npscalar":
            np = _np()
            dtype = _dtype(data["dtype"])
            return np.array([load(data["v"], depth + 1, call)], dtype=dtype)[0]
        if tag in ("DataFrame", "Series", "Index"):
            return _load_pandas(data, depth, call)
        if tag == "record":
            return Record(data.get("type", "record"), {str(k): load(x, depth + 1, call) for k, x in dict(data["v"]).items()})
        if tag == "callable" and call is not None:
            return call(str(data["name"]))
        if tag == "opaque":
            return Opaque(data.get("type", "object"))
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError, IndexError):
        return Opaque(f"malformed {tag}")
    return Opaque(f"unknown {str(tag)[:40]}")


def _items(data):
    items = data["v"]
    if type(items) is not list:
        raise TypeError("items must be a list")
    return items


def _dtype(text):
    np = _np()
    dtype = np.dtype(str(text)[:40])
    if dtype.kind not in DTYPE_KINDS + "O":
        raise ValueError(f"dtype {dtype} not allowed")
    return dtype


def _load_array(data, depth, call):
    np = _np()
    dtype = _dtype(data["dtype"])
    if dtype.kind == "O":
        flat = [load(x, depth + 1, call) for x in _items(data)]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape([int(n) for n in data["shape"]])
    return np.array(_floats_back(data["v"]), dtype=dtype)


def _floats_back(data):
    if type(data) is list:
        return [_floats_back(x) for x in data]
    if type(data) is dict:
        return load(data)
    if data is None or type(data) in (bool, int, float, str):
        return data
    raise TypeError("bad array item")


def _attrs(data, depth, call):
    attrs = load(data.get("attrs"), depth + 1, call) if "attrs" in data else {}
    return attrs if type(attrs) is dict else {}


def _load_pandas(data, depth, call):
    import pandas as pd

    tag = data["t"]
    index = pd.Index(_load_array(data["index"], depth, call)) if "index" in data else None
    if tag == "DataFrame":
        columns = load(data["columns"], depth + 1, call)
        values = [_load_array(c, depth, call) for c in _items(data)]
        if type(columns) is not list or len(columns) != len(values):
            raise ValueError("columns and values differ")
        frame = pd.DataFrame(dict(zip(range(len(values)), values)), index=index)
        frame.columns = columns
        frame.attrs = _attrs(data, depth, call)
        return frame
    if tag == "Series":
        series = pd.Series(_load_array(data["v"], depth, call), index=index, name=load(data["name"], depth + 1, call))
        series.attrs = _attrs(data, depth, call)
        return series
    return pd.Index(_load_array(data["v"], depth, call), name=load(data["name"], depth + 1, call))
