-- bench/track/paths.lua - the wrk script of bench/track/run.sh: each request is the next
-- path (and query) of a file with one path a line (the tracked URLs of the sent messages), so
-- that every request carries another recipient's token, as real traffic does. Each thread
-- starts at its own offset. The same script drives overture and nginx, so that wrk spends the
-- same work per request on both. Requests carry the User-Agent of a mail client or browser,
-- in turns (a mix of what tracking logs show: Apple Mail, Gmail's image proxy, Outlook,
-- Chrome and Safari on phones and desktops), as real opens and clicks do.
--
--   wrk -t2 -c256 -d10s -s bench/track/paths.lua http://127.0.0.1:PORT -- PATHS_FILE
--
-- done() prints one line for run.sh:
--   TBENCH requests=N seconds=S status_errors=N connect=N read=N write=N timeout=N p50_us=N p99_us=N
-- `requests` counts the complete responses; `status_errors` those with a status above 399
-- (wrk's "Non-2xx or 3xx responses"), so requests - status_errors got a 2xx or 3xx answer.

local agents = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36",
}

local threads = 0
local requests = {}
local next_index = 0

function setup(thread)
    thread:set("thread_index", threads)
    threads = threads + 1
end

function init(args)
    local file = args[1]
    if file == nil then
        error("bench/track/paths.lua: give the paths file after --")
    end
    for line in io.lines(file) do
        if #line > 0 then
            local agent = agents[#requests % #agents + 1]
            requests[#requests + 1] = wrk.format("GET", line, { ["User-Agent"] = agent })
        end
    end
    if #requests == 0 then
        error("bench/track/paths.lua: no path in " .. file)
    end
    -- thread_index is set by setup(); spread the threads over the file.
    next_index = ((thread_index or 0) * 7919) % #requests
end

function request()
    next_index = next_index % #requests + 1
    return requests[next_index]
end

function done(summary, latency, _)
    local e = summary.errors
    io.write(string.format(
        "TBENCH requests=%d seconds=%.3f status_errors=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
        summary.requests, summary.duration / 1e6, e.status, e.connect, e.read, e.write, e.timeout,
        latency:percentile(50), latency:percentile(99)))
end
