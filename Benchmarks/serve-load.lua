-- wrk script for Benchmarks/serve-load.sh. Arguments: start time in µs since the epoch, a run label
-- (keeps record keys unique across runs), and the records per request: 1 posts one FreeSWITCH
-- mod_json_cdr document (as FreeSWITCH does at the end of every call) to the freeswitch-json
-- endpoint; N > 1 posts N cdr-jsonl lines to the records endpoint.
local thread_count = 0

function setup(thread)
    thread:set("thread_id", thread_count)
    thread_count = thread_count + 1
end

function init(args)
    start_us = tonumber(args[1])
    label = args[2]
    per_request = tonumber(args[3])
    counter = 0
    wrk.method = "POST"
    if per_request == 1 then
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Basic ZnMxOmJlbmNo" -- fs1:bench
    else
        wrk.headers["Content-Type"] = "application/x-ndjson"
        wrk.headers["Authorization"] = "Basic Z3c6YmVuY2g=" -- gw:bench
    end
end

local function iso(us)
    return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(us / 1000000))
end

local function freeswitch_document(n, start)
    return string.format(
        '{"core-uuid":"bench","variables":{"uuid":"%s-%d-%d","sip_from_user":"0701%06d",' ..
        '"sip_to_user":"0812%06d","sip_received_ip":"192.0.2.%d","sip_user_agent":"bench%%20phone",' ..
        '"hangup_cause":"NORMAL_CLEARING","start_uepoch":"%d","answer_uepoch":"%d","end_uepoch":"%d",' ..
        '"duration":"65","billsec":"60"}}',
        label, thread_id, n, n % 1000000, (n * 7) % 1000000, n % 250 + 1, start, start + 5000000, start + 65000000)
end

local function canonical_line(n, start)
    return string.format(
        '{"start_time":"%s","answer_time":"%s","end_time":"%s","source":"+46701%06d","destination":"+46812%06d",' ..
        '"source_ip":"192.0.2.%d","record_key":"%s-%d-%d"}\n',
        iso(start), iso(start + 5000000), iso(start + 65000000), n % 1000000, (n * 7) % 1000000, n % 250 + 1,
        label, thread_id, n)
end

function request()
    if per_request == 1 then
        counter = counter + 1
        local body = freeswitch_document(counter, start_us + counter * 1000)
        return wrk.format(nil, "/v1/feeds/fs1/freeswitch-json?uuid=" .. label, nil, body)
    end
    local lines = {}
    for i = 1, per_request do
        counter = counter + 1
        lines[i] = canonical_line(counter, start_us + counter * 1000)
    end
    return wrk.format(nil, "/v1/feeds/gw/records", nil, table.concat(lines))
end
