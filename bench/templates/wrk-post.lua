-- wrk script for bench/run: POST a body of BENCH_PAYLOAD bytes (the echo answers with the same bytes).
local size = tonumber(os.getenv("BENCH_PAYLOAD") or "1024")
wrk.method = "POST"
wrk.body = string.rep("a", size)
wrk.headers["Content-Type"] = "application/octet-stream"
