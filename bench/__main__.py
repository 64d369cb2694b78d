"""Run every benchmark module of this package (or those named) and print its figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(names: list[str]) -> int:
    found = sorted(
        info.name for info in pkgutil.iter_modules(bench.__path__) if not info.name.startswith("_")
    )
    unknown = sorted(set(names) - set(found))
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)} (there are: {', '.join(found)})")
        return 2
    for name in names or found:
        module = importlib.import_module(f"bench.{name}")
        print(f"[{name}]", flush=True)
        for figure in module.run():
            print(f"  {figure.line()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
