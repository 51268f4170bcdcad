#!/usr/bin/env python3
"""A real SMTP server on loopback for Aviso's tests (aiosmtpd).

Writes each message it receives to DIR/<n>.eml and prints "PORT <n>" once it
listens. Modes: STARTTLS required with AUTH (default), implicit TLS, or no
STARTTLS at all (to prove Aviso refuses to send in plain text). It stops by
itself after --lifetime seconds.
"""
import argparse
import asyncio
import pathlib
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, directory, reject):
        self.directory = pathlib.Path(directory)
        self.count = 0
        self.reject = reject

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address.startswith(self.reject):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        (self.directory / f"{self.count}.eml").write_bytes(envelope.original_content or envelope.content)
        (self.directory / f"{self.count}.envelope").write_text(f"{envelope.mail_from}\n{','.join(envelope.rcpt_tos)}\n{session.authenticated}\n")
        return "250 Message accepted for delivery"


def authenticator(expected_user, expected_password):
    def check(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == expected_user and auth_data.password.decode() == expected_password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--mode", choices=["starttls", "implicit", "plain"], default="starttls")
    parser.add_argument("--user", default="aviso")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--reject", default="")
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    # The parent may have left SIGTERM ignored; a test must be able to stop this server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    handler = Saver(args.dir, args.reject)
    common = dict(hostname="127.0.0.1", port=port, authenticator=authenticator(args.user, args.password))
    if args.mode == "starttls":
        controller = Controller(handler, tls_context=context, require_starttls=True, auth_required=True, auth_require_tls=True, **common)
    elif args.mode == "implicit":
        controller = Controller(handler, ssl_context=context, auth_required=True, auth_require_tls=False, **common)
    else:
        controller = Controller(handler, auth_required=False, auth_require_tls=False, **common)
    controller.start()
    print(f"PORT {port}", flush=True)
    deadline = time.time() + args.lifetime
    try:
        while time.time() < deadline:
            time.sleep(0.1)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
