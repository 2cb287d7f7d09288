-- wrk script for scripts/bench: every request carries a unique prompt (thread id + per-thread counter), so no
-- cache anywhere can answer it. Arguments (after --): PATH FORMAT STREAM AUTH
--   FORMAT  gemini | openai      (body shape: Gemini generateContent or OpenAI chat/completions)
--   STREAM  stream | unary       (openai: adds "stream":true; gemini: the PATH already says which method)
--   AUTH    the value for the credential header: gemini -> x-goog-api-key, openai -> Authorization: Bearer
-- done() prints one machine-readable line: BENCH rps=... p50_us=... p99_us=... requests=... errors=...
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

local counter = 0
local path, format, stream, headers

function init(args)
  path = args[1] or "/"
  format = args[2] or "gemini"
  stream = (args[3] == "stream")
  headers = { ["Content-Type"] = "application/json" }
  if format == "openai" then
    headers["Authorization"] = "Bearer " .. (args[4] or "")
  else
    headers["x-goog-api-key"] = args[4] or ""
  end
end

function request()
  counter = counter + 1
  local prompt = string.format("bench t%d n%d: what is the capital of Wyoming?", tid or 0, counter)
  local body
  if format == "openai" then
    body = string.format('{"model":"gemini-2.0-flash",%s"messages":[{"role":"user","content":"%s"}]}',
      stream and '"stream":true,' or '', prompt)
  else
    body = string.format('{"contents":[{"role":"user","parts":[{"text":"%s"}]}]}', prompt)
  end
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_us=%d p99_us=%d requests=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(99), summary.requests,
    e.connect, e.read, e.write, e.status, e.timeout))
end
