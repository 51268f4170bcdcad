#!/usr/bin/env python3
"""Posts a webhook to avisod on loopback, signed as Twilio signs it (the
twilio package's RequestValidator). Prints the HTTP status.
Usage: post_webhook.py URL AUTH_TOKEN [name=value ...]"""
import sys
import urllib.error
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator

url, token, *pairs = sys.argv[1:]
params = dict(pair.split("=", 1) for pair in pairs)
signature = RequestValidator(token).compute_signature(url, params)
request = urllib.request.Request(
    url, data=urllib.parse.urlencode(params).encode(), method="POST",
    headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
try:
    with urllib.request.urlopen(request, timeout=10) as response:
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.code)
