#!/usr/bin/env python3
"""Small measuring clients for scripts/bench (standard library only, loopback only).

  tools.py health PORT T0_NS TIMEOUT_S
      Polls GET /health on 127.0.0.1:PORT every 10 ms until it answers 200; prints the ms since T0_NS (a
      time.time_ns()/`date +%s%N` stamp taken just before the server was started). Exit 1 on timeout.

  tools.py ttfc PORT FORMAT AUTH RUNS
      Time to the first SSE `data:` line that carries text, for RUNS sequential streams (one connection each).
      FORMAT gemini: POST /v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse with x-goog-api-key;
      FORMAT openai: POST /v1/chat/completions {"stream":true} with Authorization: Bearer. Prints JSON:
      {"ttfc_ms":[...],"total_ms":[...],"median_ttfc_ms":..,"median_total_ms":..,"errors":[...]}

  tools.py held PORT AUTH N TIMEOUT_S
      Opens N connections at once, each sending ONE streamed chat completion (unique prompt), and reads each to
      the end (data: [DONE] or close). Prints JSON with completed, errors (by kind), how many were open at the same
      time, and completion-time percentiles.
"""
import asyncio
import json
import re
import socket
import statistics
import sys
import time

HOST = "127.0.0.1"
CONTENT = re.compile(rb'"(?:text|content)"\s*:\s*"[^"]')


def request_bytes(fmt: str, auth: str, prompt: str, port: int) -> bytes:
    if fmt == "gemini":
        path = "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
        body = json.dumps({"contents": [{"role": "user", "parts": [{"text": prompt}]}]})
        cred = "x-goog-api-key: " + auth
    else:
        path = "/v1/chat/completions"
        body = json.dumps({"model": "gemini-2.0-flash", "stream": True,
                           "messages": [{"role": "user", "content": prompt}]})
        cred = "Authorization: Bearer " + auth
    b = body.encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n{cred}\r\n"
            f"Accept: text/event-stream\r\nConnection: close\r\nContent-Length: {len(b)}\r\n\r\n")
    return head.encode() + b


def cmd_health(port: int, t0_ns: int, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    req = f"GET /health HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=2) as s:
                s.sendall(req)
                data = s.recv(64)
                if data.startswith(b"HTTP/1.1 200"):
                    print("%.0f" % ((time.time_ns() - t0_ns) / 1e6))
                    return 0
        except OSError:
            pass
        time.sleep(0.01)
    print("timeout", file=sys.stderr)
    return 1


def cmd_ttfc(port: int, fmt: str, auth: str, runs: int) -> int:
    ttfc, total, errors = [], [], []
    for i in range(runs):
        req = request_bytes(fmt, auth, f"ttfc run {i} {time.time_ns()}: tell me a story", port)
        t0 = time.perf_counter()
        first = None
        buf = b""
        try:
            with socket.create_connection((HOST, port), timeout=30) as s:
                s.sendall(req)
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                    if first is None:
                        # look only at whole data: lines after the headers
                        body = buf.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in buf else b""
                        for line in body.split(b"\n"):
                            if line.startswith(b"data:") and CONTENT.search(line):
                                first = time.perf_counter()
                                break
                    if b"data: [DONE]" in buf[-200:]:
                        break
            end = time.perf_counter()
            if not buf.startswith(b"HTTP/1.1 200"):
                errors.append(buf[:120].decode("latin-1"))
            elif first is None:
                errors.append("no content line")
            else:
                ttfc.append((first - t0) * 1000)
                total.append((end - t0) * 1000)
        except OSError as e:
            errors.append(repr(e))
    out = {"ttfc_ms": [round(x, 2) for x in ttfc], "total_ms": [round(x, 1) for x in total],
           "median_ttfc_ms": round(statistics.median(ttfc), 2) if ttfc else None,
           "median_total_ms": round(statistics.median(total), 1) if total else None, "errors": errors}
    print(json.dumps(out))
    return 0 if not errors else 1


async def held_one(i: int, port: int, auth: str, timeout_s: float, st: dict) -> None:
    req = request_bytes("openai", auth, f"held stream {i}: think hard about the capital of Wyoming", port)
    t0 = time.monotonic()
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 30)
        st["open"] += 1
        st["max_open"] = max(st["max_open"], st["open"])
        writer.write(req)
        await writer.drain()
        tail = b""
        got_status = None
        content = False
        events = 0
        comments = 0
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), timeout_s)
            if not chunk:
                break
            if got_status is None:
                got_status = chunk[:12]
                st["ttfb"].append(time.monotonic() - t0)
            events += chunk.count(b"data:")
            comments += chunk.count(b"\n:") + (1 if chunk.startswith(b":") else 0)
            if not content and re.search(rb'"content"\s*:\s*"[^"]', chunk):
                content = True
            tail = (tail + chunk)[-256:]
            if b"data: [DONE]" in tail:
                break
        elapsed = time.monotonic() - t0
        if got_status is None:
            kind = "closed before any byte"
        elif got_status != b"HTTP/1.1 200":
            kind = "status " + got_status.decode("latin-1")
        elif b"data: [DONE]" not in tail:
            kind = "closed before [DONE]"
        elif not content:
            kind = "no content"
        else:
            kind = None
        if kind:
            st["errors"][kind] = st["errors"].get(kind, 0) + 1
        else:
            st["completed"] += 1
            st["times"].append(elapsed)
            st["events"].append(events)
            st["comments"].append(comments)
    except asyncio.TimeoutError:
        st["errors"]["timeout"] = st["errors"].get("timeout", 0) + 1
    except OSError as e:
        k = type(e).__name__ + (" " + e.strerror if getattr(e, "strerror", None) else "")
        st["errors"][k] = st["errors"].get(k, 0) + 1
    finally:
        if writer is not None:
            st["open"] -= 1
            writer.close()


async def held(port: int, auth: str, n: int, timeout_s: float) -> dict:
    st = {"open": 0, "max_open": 0, "completed": 0, "errors": {}, "times": [], "events": [], "comments": [],
          "ttfb": []}
    t0 = time.monotonic()
    tasks = [asyncio.create_task(held_one(i, port, auth, timeout_s, st)) for i in range(n)]
    await asyncio.wait(tasks, timeout=timeout_s + 60)
    for t in tasks:
        t.cancel()
    times = sorted(st["times"])

    def pct(p):
        return round(times[min(len(times) - 1, int(p / 100 * len(times)))], 2) if times else None

    return {"n": n, "completed": st["completed"], "errors": sum(st["errors"].values()), "error_kinds": st["errors"],
            "max_open_at_once": st["max_open"], "secs_p50": pct(50), "secs_p99": pct(99),
            "secs_max": round(times[-1], 2) if times else None,
            "first_byte_secs_p50": round(statistics.median(st["ttfb"]), 3) if st["ttfb"] else None,
            "first_byte_secs_max": round(max(st["ttfb"]), 3) if st["ttfb"] else None,
            "data_events_per_stream_median": statistics.median(st["events"]) if st["events"] else None,
            "keepalive_comments_per_stream_median": statistics.median(st["comments"]) if st["comments"] else None,
            "wall_secs": round(time.monotonic() - t0, 1)}


def main() -> int:
    a = sys.argv[1:]
    if a and a[0] == "health" and len(a) == 4:
        return cmd_health(int(a[1]), int(a[2]), float(a[3]))
    if a and a[0] == "ttfc" and len(a) == 5:
        return cmd_ttfc(int(a[1]), a[2], a[3], int(a[4]))
    if a and a[0] == "held" and len(a) == 5:
        print(json.dumps(asyncio.run(held(int(a[1]), a[2], int(a[3]), float(a[4])))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
