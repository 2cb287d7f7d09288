#!/usr/bin/env python3
r"""Writes the nginx configs for scripts/bench: a canned Gemini upstream and a plain reverse proxy in front of it.

usage: nginx_conf.py WORKDIR UPSTREAM_PORT PROXY_PORT RECORDED_DIR [USER]

Produces WORKDIR/upstream.conf, WORKDIR/proxy.conf and WORKDIR/www/models.json. Answers are the recorded Gemini
bodies from RECORDED_DIR: generateContent -> the unary JSON, streamGenerateContent -> the recorded SSE events
(`data: {...}\r\n\r\n` x N, text/event-stream), GET /v1beta/models -> the models list (its nextPageToken removed so
a client that pages stops after one page). POST bodies go to `return 200 "..."` (nginx's static module refuses
POST), so they are escaped for an nginx double-quoted string and must stay under nginx's 4 KiB token limit.
"""
import json
import os
import sys


def nginx_quote(text: str) -> str:
    if "$" in text:
        raise SystemExit("nginx_conf.py: a recorded body contains '$', which nginx would read as a variable")
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
    if len(out) > 4000:
        raise SystemExit("nginx_conf.py: a recorded body is over nginx's 4 KiB parameter limit (%d)" % len(out))
    return '"' + out + '"'


def common(work: str, name: str, user: str) -> str:
    user_line = "user %s;\n" % user if user else ""
    return f"""{user_line}daemon off;
master_process on;
worker_processes 2;
worker_rlimit_nofile 20000;
pid {work}/{name}.pid;
error_log {work}/{name}-error.log warn;
events {{ worker_connections 16384; multi_accept on; }}
"""


def http_common(work: str, name: str) -> str:
    return f"""    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_temp_path {work}/{name}-tmp/body;
    proxy_temp_path {work}/{name}-tmp/proxy;
    fastcgi_temp_path {work}/{name}-tmp/fastcgi;
    uwsgi_temp_path {work}/{name}-tmp/uwsgi;
    scgi_temp_path {work}/{name}-tmp/scgi;
    client_max_body_size 20m;
    client_body_buffer_size 64k;
"""


def main() -> None:
    if len(sys.argv) not in (5, 6):
        raise SystemExit(__doc__)
    work, up_port, proxy_port, recorded = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    user = sys.argv[5] if len(sys.argv) == 6 else ""
    with open(os.path.join(recorded, "unary-success-basic-reply-short.json"), encoding="utf-8") as f:
        unary = f.read()
    json.loads(unary)
    with open(os.path.join(recorded, "streaming-success-basic-reply-short.txt"), encoding="utf-8", newline="") as f:
        sse = f.read()
    if not sse.startswith("data: ") or not sse.endswith("\r\n\r\n"):
        raise SystemExit("nginx_conf.py: the recorded SSE body should be data: events ending in CRLF CRLF")
    with open(os.path.join(recorded, "models-list-v1beta-page1-real.json"), encoding="utf-8") as f:
        models = json.load(f)
    models.pop("nextPageToken", None)
    os.makedirs(os.path.join(work, "www"), exist_ok=True)
    with open(os.path.join(work, "www", "models.json"), "w", encoding="utf-8") as f:
        json.dump(models, f, indent=2)
    for name in ("upstream", "proxy"):
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(work, name + "-tmp", d), exist_ok=True)

    upstream = common(work, "upstream", user) + f"""http {{
{http_common(work, "upstream")}
    server {{
        listen 127.0.0.1:{up_port} backlog=4096 reuseport;
        location = /v1beta/models {{
            default_type application/json;
            alias {work}/www/models.json;
        }}
        location ~ ^/v1beta/models/[^/]+:generateContent$ {{
            default_type application/json;
            return 200 {nginx_quote(unary)};
        }}
        location ~ ^/v1beta/models/[^/]+:streamGenerateContent$ {{
            default_type text/event-stream;
            return 200 {nginx_quote(sse)};
        }}
        location = /health {{
            default_type text/plain;
            return 200 "ok\\n";
        }}
        location / {{
            default_type application/json;
            return 404 "{{\\"error\\":{{\\"code\\":404,\\"message\\":\\"not in the bench upstream\\",\\"status\\":\\"NOT_FOUND\\"}}}}";
        }}
    }}
}}
"""
    proxy = common(work, "proxy", user) + f"""http {{
{http_common(work, "proxy")}
    upstream gemini {{
        server 127.0.0.1:{up_port};
        keepalive 128;
        keepalive_requests 1000000;
    }}
    server {{
        listen 127.0.0.1:{proxy_port} backlog=4096 reuseport;
        location / {{
            proxy_pass http://gemini;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_request_buffering off;
        }}
    }}
}}
"""
    with open(os.path.join(work, "upstream.conf"), "w", encoding="utf-8") as f:
        f.write(upstream)
    with open(os.path.join(work, "proxy.conf"), "w", encoding="utf-8") as f:
        f.write(proxy)


if __name__ == "__main__":
    main()
