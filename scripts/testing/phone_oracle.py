#!/usr/bin/env python3
"""libphonenumber (the pinned `phonenumbers` package) as the oracle for
Aviso's numbering plans (Sources/AvisoCore/NumberingPlan.swift).

    phone_oracle.py examples   prints an example E.164 number of every region and number type
    phone_oracle.py verdicts   reads E.164 numbers, one a line, and prints 1 (valid) or 0 for each

A verdict is `is_valid_number` on the number as its digits say: country code,
then the national number exactly as written (leading zeros kept, as Italy's
are). The parser's habit of dropping a national prefix written after the
country code is left out on purpose: Aviso refuses such a number.
"""

import sys

import phonenumbers
from phonenumbers import PhoneNumberType

TYPES = [
    PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP, PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER,
    PhoneNumberType.UAN, PhoneNumberType.VOICEMAIL,
]


def number(e164):
    digits = e164.lstrip("+")
    for length in (1, 2, 3):
        code = int(digits[:length])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[length:]
            break
    else:
        return None
    if not national or not national.isdigit():
        return None
    parsed = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    zeros = len(national) - len(national.lstrip("0"))
    if zeros:
        parsed.italian_leading_zero = True
        parsed.number_of_leading_zeros = zeros
    return parsed


def main():
    if sys.argv[1:] == ["examples"]:
        for region in sorted(phonenumbers.SUPPORTED_REGIONS):
            for kind in TYPES:
                example = phonenumbers.example_number_for_type(region, kind)
                if example is not None:
                    print(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
        for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
            example = phonenumbers.example_number_for_non_geo_entity(code)
            if example is not None:
                print(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    elif sys.argv[1:] == ["verdicts"]:
        out = []
        for line in sys.stdin:
            parsed = number(line.strip())
            out.append("1" if parsed is not None and phonenumbers.is_valid_number(parsed) else "0")
        print("\n".join(out))
    else:
        sys.exit("usage: phone_oracle.py examples | verdicts")


if __name__ == "__main__":
    main()
