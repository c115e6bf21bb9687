-- Replays request paths from the file in VP_PATHS, cycling, and counts
-- statuses per thread; done() prints one JSON line for the benchmark. wrk
-- counts every non-2xx as an error: 400 and 404 are expected here, so
-- errors below are connection errors only and statuses are counted apart.
local paths = {}
for line in io.lines(os.getenv("VP_PATHS")) do paths[#paths + 1] = line end
local threads = {}
-- Threads start far apart in the paths (steps of the golden ratio of the
-- file: two threads are 38% of it apart), so that no thread replays what
-- another asked a moment ago from the answer cache. At 7,919 apart they
-- did: 34% of requests hit at scale 100, where uniform keys should miss.
function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", math.floor(#threads * 0.6180339887 * #paths))
end
function init(args)
  position = offset % #paths
  c200, c304, c400, c404, cother = 0, 0, 0, 0, 0
end
-- With VP_PACE_MS set, each connection waits 0 to 2 x that many ms (at
-- random) before its next request: a load below saturation, where latency
-- is the server's own and not the queue of a saturated one. Without it no
-- delay() is defined: wrk then sends each next request at once.
local pace = tonumber(os.getenv("VP_PACE_MS") or "0")
if pace > 0 then
  function delay() return math.random(0, 2 * pace) end
end
function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
function response(status, headers, body)
  if status == 200 then c200 = c200 + 1
  elseif status == 400 then c400 = c400 + 1
  elseif status == 404 then c404 = c404 + 1
  else cother = cother + 1 end
end
function done(summary, latency, requests)
  local s = { c200 = 0, c400 = 0, c404 = 0, cother = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(s) do s[name] = s[name] + thread:get(name) end
  end
  io.write(string.format('{"requests":%d,"seconds":%f,"rps":%f,"p50_ms":%f,"p99_ms":%f,"errors":%d,"timeouts":%d,"statuses":{"200":%d,"400":%d,"404":%d,"other":%d}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    s.c200, s.c400, s.c404, s.cother))
end
