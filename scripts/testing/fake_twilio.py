#!/usr/bin/env python3
"""A Twilio-compatible Messaging API on loopback for Aviso's end-to-end tests.

Accepts POST /2010-04-01/Accounts/<sid>/Messages.json, appends each request's
form fields as one JSON line to FILE, answers 201 with a message sid
(SM000…1, SM000…2, …), and prints "PORT <n>" once it listens. A message
To a number given with --opted-out is refused as Twilio refuses a recipient
who replied STOP to the carrier (400, error 21610). It stops by itself after
--lifetime seconds.
Usage: fake_twilio.py --record FILE [--opted-out NUMBER ...] [--lifetime SECONDS]"""
import argparse
import http.server
import json
import sys
import threading
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--record", required=True)
parser.add_argument("--opted-out", action="append", default=[])
parser.add_argument("--lifetime", type=float, default=300)
arguments = parser.parse_args()
lock = threading.Lock()
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        fields = {k: v[0] for k, v in form.items()}
        if fields.get("To") in arguments.opted_out:
            status, answer = 400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}
        else:
            with lock:
                count += 1
                sid = "SM%032d" % count
                with open(arguments.record, "a") as record:
                    record.write(json.dumps({"path": self.path, "form": fields, "sid": sid}) + "\n")
            status, answer = 201, {"sid": sid, "status": "queued"}
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Timer(arguments.lifetime, server.shutdown).start()
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
