#!/usr/bin/env bash
# What `make mutation` runs: mutmut over the pure rule modules ([tool.mutmut] in pyproject.toml)
# against tests/unit only (no services), from scratch, on at most MUTATION_CHILDREN processes (2).
# Prints the score and every mutant not killed; fails when one of them is not listed as accepted
# in docs/mutation.md. Minutes long, so not part of `make test`: run it before resolving.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=.venv/bin

rm -rf mutants
mkdir -p mutants
echo "== mutmut run (log: mutants/run.log)"
if ! "$BIN/mutmut" run --max-children "${MUTATION_CHILDREN:-2}" >mutants/run.log 2>&1; then
  tail -n 40 mutants/run.log | tr '\r' '\n' | tail -n 40
  exit 1
fi
"$BIN/mutmut" export-cicd-stats >/dev/null
"$BIN/mutmut" results >mutants/not-killed.txt 2>/dev/null

"$BIN/python" - <<'PYTHON'
import json
import re
import sys
from pathlib import Path

stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
killed = stats["killed"] + stats["timeout"]
total = stats["total"]
print(f"== score: {killed} of {total} mutants killed ({100 * killed / total:.1f}%)")
print("   " + ", ".join(f"{key} {value}" for key, value in stats.items() if value))

found = {}
for line in Path("mutants/not-killed.txt").read_text().splitlines():
    name, _, status = line.strip().rpartition(": ")
    if name:
        found[name] = status
accepted = set(re.findall(r"`([\w.ǁ]+__mutmut_\d+)`", Path("docs/mutation.md").read_text()))
unaccepted = sorted(set(found) - accepted)
stale = sorted(accepted - set(found))
print(f"== {len(found)} not killed, {len(found) - len(unaccepted)} of them accepted in docs/mutation.md")
for name in stale:
    print(f"   listed as accepted but killed or gone now (drop it from docs/mutation.md): {name}")
for name in unaccepted:
    print(f"   NOT ACCEPTED ({found[name]}): {name}   (see: .venv/bin/mutmut show {name})")
sys.exit(1 if unaccepted else 0)
PYTHON
