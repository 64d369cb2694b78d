"""HTTP load from wrk (Debian's package), a C load generator, so that the generator does not take
the cores the servers under test need.

Each wrk thread drives exactly one connection (`-t N -c N`), so each connection runs in a Lua
state of its own and sends only its own requests: the requests of connection i are
`requests[i]`, sent in turn and again from the first when all have been sent (a provider's own
token and body, say). Latency percentiles come from wrk's histogram; the answers are counted by
status code in every connection and summed when wrk is done. wrk counts a status of 400 or more
as an error; `WrkResult.statuses` says which.

    result = run_wrk("http://127.0.0.1:8000", [[Request("PUT", path, headers, body)], ...],
                     seconds=5.0)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# The script every run uses. Each thread reads its own file of requests (one per line: method,
# path, headers as JSON-free "name: value" pairs joined by \x1f, body; separated by \x1e), counts
# statuses, and `done` prints one JSON line with the summary, the latency percentiles (in
# microseconds) and the statuses of every thread.
LUA = r"""
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function split(text, separator)
  local parts, start = {}, 1
  while true do
    local at = string.find(text, separator, start, true)
    if not at then
      table.insert(parts, string.sub(text, start))
      return parts
    end
    table.insert(parts, string.sub(text, start, at - 1))
    start = at + 1
  end
end

function init(args)
  statuses = {}
  requests = {}
  position = 0
  sent = 0
  succeeded = 0
  local folder = args[1]
  for line in io.lines(folder .. "/" .. id .. ".txt") do
    local fields = split(line, "\30")
    local headers = {}
    if fields[3] ~= "" then
      for _, pair in ipairs(split(fields[3], "\31")) do
        local at = string.find(pair, ": ", 1, true)
        headers[string.sub(pair, 1, at - 1)] = string.sub(pair, at + 2)
      end
    end
    local body = fields[4]
    if body == "" then body = nil end
    table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
  end
end

function request()
  position = position % #requests + 1
  sent = sent + 1
  return requests[position]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status >= 200 and status < 300 then succeeded = succeeded + 1 end
end

function done(summary, latency, requests)
  local totals = {}
  local sents, successes = {}, {}
  for _, thread in ipairs(threads) do
    table.insert(sents, tostring(thread:get("sent")))
    table.insert(successes, tostring(thread:get("succeeded")))
    local counted = thread:get("statuses")
    for status, count in pairs(counted) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d, ' ..
    '"statuses": {%s}, "sent": [%s], "succeeded": [%s]}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, table.concat(parts, ", "),
    table.concat(sents, ", "), table.concat(successes, ", ")))
end
"""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""

    def line(self) -> str:
        for part in (self.method, self.path, self.body, *self.headers, *self.headers.values()):
            if any(mark in part for mark in ("\n", "\x1e", "\x1f")):
                raise ValueError(f"a request's parts cannot hold a line break: {part!r}")
        headers = "\x1f".join(f"{name}: {value}" for name, value in self.headers.items())
        return "\x1e".join((self.method, self.path, headers, self.body))


@dataclass(frozen=True)
class WrkResult:
    connections: int
    seconds: float
    requests: int  # answers received (any status)
    statuses: dict[int, int]
    socket_errors: int  # connect, read, write errors and timeouts
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    # Per connection, in the order given: the requests sent (an answer may not have come before
    # wrk stopped: the server may still have acted on it) and the 2xx answers received.
    sent: tuple[int, ...] = ()
    succeeded: tuple[int, ...] = ()

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def answered(self, *statuses: int) -> int:
        return sum(self.statuses.get(status, 0) for status in statuses)

    @property
    def successes(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        """Answers outside 2xx and failed or timed-out requests."""
        return self.requests - self.successes + self.socket_errors


def wrk_path() -> str:
    """The wrk command; installs Debian's package when running as root and it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: install Debian's package `wrk` (apt-get install wrk)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    # Debian's package manager, as the services script does (infra/services.sh).
    if subprocess.run(install, env=environment, capture_output=True).returncode != 0:  # noqa: S603
        update = ["apt-get", "update", "-qq"]
        subprocess.run(update, check=True, capture_output=True)  # noqa: S603
        subprocess.run(install, env=environment, check=True, capture_output=True)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing after installing it")
    return found


def run_wrk(
    base_url: str,
    connections: Sequence[Sequence[Request]],
    *,
    seconds: float,
    timeout_s: float = 10.0,
) -> WrkResult:
    """Load `base_url` for `seconds` with one connection per entry of `connections`, each
    sending its own requests in turn."""
    if not connections or any(not requests for requests in connections):
        raise ValueError("every connection needs at least one request")
    with tempfile.TemporaryDirectory(prefix="wrk-") as folder:
        script = Path(folder) / "load.lua"
        script.write_text(LUA)
        for index, requests in enumerate(connections):
            text = "\n".join(request.line() for request in requests)
            (Path(folder) / f"{index}.txt").write_text(text + "\n")
        count = len(connections)
        command = [
            wrk_path(),
            f"-t{count}",
            f"-c{count}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={max(1, round(timeout_s))}s",
            "-s",
            str(script),
            base_url,
            "--",
            folder,
        ]
        finished = subprocess.run(  # noqa: S603 (wrk, with arguments of our own)
            command, capture_output=True, text=True, check=False
        )
    marker = "WRK-RESULT "
    lines = [line for line in finished.stdout.splitlines() if line.startswith(marker)]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(
            f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}"
        )
    data = json.loads(lines[-1][len(marker) :])
    return WrkResult(
        connections=count,
        seconds=data["duration_us"] / 1e6,
        requests=data["requests"],
        statuses={int(status): number for status, number in data["statuses"].items()},
        socket_errors=sum(data[kind] for kind in ("connect", "read", "write", "timeout")),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        p999_ms=data["p999_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        sent=tuple(data["sent"]),
        succeeded=tuple(data["succeeded"]),
    )
