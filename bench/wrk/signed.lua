-- Replays signed Slack requests written by bench/http_ingest.py: one file per wrk thread, each
-- request complete (headers, signature, body) and separated by a NUL byte, so every request a
-- thread sends carries its own event id and no signing happens while the clock runs.
-- Usage: wrk -s bench/wrk/signed.lua ... -- DIRECTORY

local threads = {}
local count = 0

function setup(thread)
  thread:set("number", count)
  count = count + 1
  table.insert(threads, thread)
end

local requests = {}
local position = 0
wrapped = 0

function init(args)
  local file = assert(io.open(args[1] .. "/" .. number .. ".req", "rb"))
  local data = file:read("*a")
  file:close()
  local start = 1
  while true do
    local stop = string.find(data, "\0", start, true)
    if not stop then break end
    table.insert(requests, string.sub(data, start, stop - 1))
    start = stop + 1
  end
end

function request()
  position = position + 1
  if position > #requests then
    position = 1
    wrapped = wrapped + 1
  end
  return requests[position]
end

function done(summary, latency, requests_)
  local over = 0
  for i = 1, #latency do
    local value, n = latency(i)
    if value > 3000000 then over = over + n end
  end
  local laps = 0
  for _, thread in ipairs(threads) do laps = laps + (thread:get("wrapped") or 0) end
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"status_errors\": %d, " ..
    "\"connect_errors\": %d, \"read_errors\": %d, \"write_errors\": %d, \"timeouts\": %d, " ..
    "\"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"over_3s\": %d, \"wrapped\": %d}\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, over, laps))
end
