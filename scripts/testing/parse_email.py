#!/usr/bin/env python3
"""Parses an RFC 5322 message with Python's email package (a real MIME parser)
and prints what a mail client would show, as JSON."""
import email
import email.policy
import json
import sys

raw = open(sys.argv[1], "rb").read()
message = email.message_from_bytes(raw, policy=email.policy.default)
parts = []
for part in message.walk():
    if part.get_content_maintype() == "multipart":
        continue
    parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(), "content": part.get_content()})
print(json.dumps({
    "subject": str(message["Subject"]),
    "from": str(message["From"]),
    "to": str(message["To"]),
    "date": str(message["Date"]),
    "message_id": str(message["Message-ID"]),
    "mime_version": str(message["MIME-Version"]),
    "list_unsubscribe": str(message["List-Unsubscribe"]),
    "list_unsubscribe_post": str(message["List-Unsubscribe-Post"]),
    "defects": [str(d) for d in message.defects],
    "max_header_line_length": max(len(line) for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")),
    "max_body_line_length": max(len(line) for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n")),
    "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
    "parts": parts,
}, ensure_ascii=False))
