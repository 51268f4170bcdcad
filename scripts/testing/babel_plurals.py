"""Babel's CLDR plural category for numbers, as an oracle for Aviso's own rules.

Usage: babel_plurals.py LANGUAGE < numbers (one per line, as CLDR writes samples)
Prints the Babel and CLDR versions on the first line, then one category per number.
Numbers keep their visible fraction digits (1.0 is not 1): they are read as Decimal.
"""
import decimal
import sys

import babel
from babel import Locale
from babel.core import get_cldr_version


def main() -> None:
    rule = Locale.parse(sys.argv[1]).plural_form
    print(f"babel {babel.__version__} cldr {get_cldr_version()}")
    for line in sys.stdin:
        text = line.strip()
        if text:
            print(rule(decimal.Decimal(text)))


if __name__ == "__main__":
    main()
