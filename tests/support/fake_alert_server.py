#!/usr/bin/env python3
"""A loopback HTTP server that answers like Telegram's sendMessage (or a webhook receiver).

Prints the port it listens on as its first stdout line, appends every request as one JSON
line to --record, and answers with the --respond list in order (the last one repeats):
  200    {"ok":true,"result":{...}}
  400    Bad Request: can't parse entities
  401    Unauthorized
  429    Too Many Requests, retry_after 1 (--retry-after N to change)
  500    Internal Server Error
  hang   never answers (sleeps far beyond any budget)
With a token in $FAKE_ALERT_TOKEN, only POST /bot<token>/sendMessage is served; other
paths get 404.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    parser.add_argument("--respond", default="200", help="comma-separated: 200,400,401,429,500,hang")
    parser.add_argument("--retry-after", type=int, default=1)
    return parser.parse_args()


class Script:
    def __init__(self, responses):
        self.responses = responses
        self.lock = threading.Lock()
        self.next = 0

    def take(self):
        with self.lock:
            response = self.responses[min(self.next, len(self.responses) - 1)]
            self.next += 1
            return response


def answer_for(name, retry_after):
    if name == "200":
        return 200, {"ok": True, "result": {"message_id": 1, "date": int(time.time()), "chat": {"id": 1}}}
    if name == "400":
        return 400, {"ok": False, "error_code": 400,
                     "description": "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0"}
    if name == "401":
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
    if name == "429":
        return 429, {"ok": False, "error_code": 429,
                     "description": f"Too Many Requests: retry after {retry_after}",
                     "parameters": {"retry_after": retry_after}}
    if name == "500":
        return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    raise ValueError(f"unknown response {name!r}")


def make_handler(args, script, record_lock):
    token = os.environ.get("FAKE_ALERT_TOKEN", "")
    expected_path = f"/bot{token}/sendMessage" if token else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *log_args):
            pass

        def record(self, body):
            try:
                text = body.decode("utf-8")
                valid = True
            except UnicodeDecodeError:
                text = body.decode("utf-8", errors="replace")
                valid = False
            entry = {"time": time.time(), "method": self.command, "path": self.path,
                     "headers": [[k, v] for k, v in self.headers.items()],
                     "body": text, "body_valid_utf8": valid}
            with record_lock:
                with open(args.record, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")

        def reply(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            self.record(body)
            if expected_path is not None and self.path != expected_path:
                self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            name = script.take()
            if name == "hang":
                time.sleep(3600)
                return
            status, payload = answer_for(name, args.retry_after)
            self.reply(status, payload)

        def do_GET(self):
            self.record(b"")
            self.reply(405, {"ok": False, "error_code": 405, "description": "Method Not Allowed"})

    return Handler


def main():
    args = parse_args()
    responses = [r.strip() for r in args.respond.split(",") if r.strip()]
    for r in responses:
        if r != "hang":
            answer_for(r, args.retry_after)
    open(args.record, "a").close()
    server = ThreadingHTTPServer(("127.0.0.1", args.port),
                                 make_handler(args, Script(responses), threading.Lock()))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
