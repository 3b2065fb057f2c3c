-- wrk script: each request a Telegram update from a new citizen (distinct update, message and chat ids).
-- Arguments after `--`: BASE TEXT SECRET. Prints one line `WRKJSON {...}` with the run's figures.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  base = tonumber(args[1])
  text = args[2]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = args[3]
end

function request()
  counter = counter + 1
  local n = base + tid * 10000000 + counter
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":%d,' ..
    '"chat":{"id":%d,"type":"private","first_name":"Citizen"},' ..
    '"from":{"id":%d,"is_bot":false,"first_name":"Citizen","language_code":"ca"},"text":"%s"}}',
    n, n, os.time(), n, n, text)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"non2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
