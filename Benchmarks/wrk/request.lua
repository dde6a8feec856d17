-- wrk script: sends the request described by environment variables and
-- prints one machine-readable line at the end.
--   WRK_METHOD   GET or POST (default GET)
--   WRK_BODY     path of a file whose content is the request body
--   WRK_HEADERS  headers, one "Name: value" per line
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body_path = os.getenv("WRK_BODY")
if body_path and body_path ~= "" then
  local file = assert(io.open(body_path, "rb"))
  wrk.body = file:read("*a")
  file:close()
end
for line in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
