-- wrk script for Benchmarks/serve-load.sh: each request posts one FreeSWITCH mod_json_cdr document
-- with a uuid of its own, as FreeSWITCH does at the end of every call.
-- Arguments: start time in µs since the epoch, run label (keeps uuids unique across runs).
local thread_count = 0

function setup(thread)
    thread:set("thread_id", thread_count)
    thread_count = thread_count + 1
end

function init(args)
    start_us = tonumber(args[1])
    label = args[2]
    counter = 0
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Basic ZnMxOmJlbmNo" -- fs1:bench
end

function request()
    counter = counter + 1
    local start = start_us + counter * 1000
    local body = string.format(
        '{"core-uuid":"bench","variables":{"uuid":"%s-%d-%d","sip_from_user":"0701%06d",' ..
        '"sip_to_user":"0812%06d","sip_received_ip":"192.0.2.%d","sip_user_agent":"bench%%20phone",' ..
        '"hangup_cause":"NORMAL_CLEARING","start_uepoch":"%d","answer_uepoch":"%d","end_uepoch":"%d",' ..
        '"duration":"65","billsec":"60"}}',
        label, thread_id, counter, counter % 1000000, (counter * 7) % 1000000, counter % 250 + 1,
        start, start + 5000000, start + 65000000)
    return wrk.format(nil, "/v1/feeds/fs1/freeswitch-json?uuid=" .. label, nil, body)
end
