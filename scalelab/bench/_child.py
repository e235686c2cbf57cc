"""Entry point of a server process: ``python -m scalelab.bench._child module:function '{"kwarg": ...}'``.

Imports the server function, prints ``PORT <n>`` once it listens, then serves until terminated.
"""
import importlib
import json
import sys


def main(spec, kwargs_json):
    module_name, function_name = spec.split(":")
    target = getattr(importlib.import_module(module_name), function_name)

    def ready(port):
        print(f"PORT {port}", flush=True)

    target(ready, **json.loads(kwargs_json))


if __name__ == "__main__":
    main(*sys.argv[1:3])
