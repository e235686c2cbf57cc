"""Runs inside the sandboxed kernel: answers the grader's requests for a name's value or a call's result.

The grader sends ``rpc(request)`` as a user expression; the reply is JSON text made by ``scalelab._codec.dump``.
Nothing here decides a grade: whatever this code returns is data the grader checks against what only it knows.
"""
import json
import traceback

from . import _codec


def _namespace():
    from IPython import get_ipython

    return get_ipython().user_ns


def _value(data, namespace):
    if type(data) is dict and data.get("t") == "ref":
        return namespace[data["name"]]
    if type(data) is dict and data.get("t") in ("list", "tuple"):
        items = [_value(x, namespace) for x in data["v"]]
        return items if data["t"] == "list" else tuple(items)
    return _codec.load(data)


def _describe(value, name):
    if callable(value) and not isinstance(value, type):
        return _codec.dump(_codec.Callable(name))
    if type(value).__name__ == "module":
        return {"t": "opaque", "type": "module"}
    return _codec.dump(value)


def rpc(request_text):
    """Answer one request: {"op": "get", "name": n} or {"op": "call", "name": n, "args": [...], "kwargs": {...}}."""
    try:
        request = json.loads(request_text)
        namespace = _namespace()
        name = request["name"]
        if name not in namespace:
            return json.dumps({"missing": True})
        if request["op"] == "get":
            return json.dumps({"value": _describe(namespace[name], name)})
        args = [_value(a, namespace) for a in request.get("args", [])]
        kwargs = {k: _value(a, namespace) for k, a in request.get("kwargs", {}).items()}
        result = namespace[name](*args, **kwargs)
        return json.dumps({"value": _codec.dump(result)})
    except BaseException as exc:  # the student's code raised: report which error, as data
        last = traceback.extract_tb(exc.__traceback__)[-1:] or [None]
        return json.dumps({"error": type(exc).__name__[:80], "message": str(exc)[:500],
                           "line": last[0].lineno if last[0] else None})
