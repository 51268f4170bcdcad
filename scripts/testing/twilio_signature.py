#!/usr/bin/env python3
"""Signs a webhook as Twilio does, with the twilio package's RequestValidator.
Usage: twilio_signature.py AUTH_TOKEN URL [name=value ...]"""
import sys
from twilio.request_validator import RequestValidator

token, url, *pairs = sys.argv[1:]
params = dict(pair.split("=", 1) for pair in pairs)
print(RequestValidator(token).compute_signature(url, params))
