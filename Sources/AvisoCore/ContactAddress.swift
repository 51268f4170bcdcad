/// A phone number in E.164 form: `+` then the country code and subscriber
/// number, 8 to 15 digits in all, no leading zero.
///
/// ```swift
/// try PhoneNumber("+1 (816) 555-0100").e164  // "+18165550100"
/// ```
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    public let e164: String

    /// Accepts the common ways people write a number (spaces, dashes, dots,
    /// parentheses) but requires the country code.
    public init(_ raw: String) throws(AvisoError) {
        let trimmed = raw.trimmingWhitespace()
        var digits = ""
        var sawPlus = false
        for (index, ch) in trimmed.enumerated() {
            if ch == "+" && index == 0 {
                sawPlus = true
            } else if ch.isASCII, ch.isNumber {
                digits.append(ch)
            } else if " -.()".contains(ch) {
                continue
            } else {
                throw .invalid(
                    nil, "'\(raw)' is not a phone number: it contains '\(ch)'. Write it in E.164 form with the country code, like +18165550100.")
            }
        }
        guard sawPlus else {
            throw .invalid(
                nil,
                "'\(raw)' has no country code. Write the number in E.164 form starting with + and the country code, like +18165550100 for a US number."
            )
        }
        guard digits.count >= 8, digits.count <= 15, digits.first != "0" else {
            throw .invalid(
                nil, "'\(raw)' is not a valid E.164 phone number: it needs 8 to 15 digits after the +, and the country code cannot start with 0.")
        }
        self.e164 = "+" + digits
    }

    public var description: String { e164 }
}

/// An email address: a local part and a domain, checked the way a mail server
/// would accept them. The domain is stored in lowercase.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let address: String

    public init(_ raw: String) throws(AvisoError) {
        let trimmed = raw.trimmingWhitespace()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else {
            throw .invalid(nil, "'\(raw)' is not an email address: it needs exactly one @ with a name before it and a domain after it.")
        }
        guard local.count <= 64, trimmed.utf8.count <= 254 else {
            throw .invalid(nil, "'\(raw)' is too long to be an email address.")
        }
        let forbidden: Set<Character> = [" ", "\t", "\r", "\n", "<", ">", "(", ")", ",", ";", ":", "\\", "\"", "[", "]"]
        if let bad = local.first(where: { forbidden.contains($0) || $0.asciiValue.map { $0 < 32 } == true }) {
            throw .invalid(nil, "'\(raw)' is not an email address: '\(bad)' cannot appear before the @.")
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            throw .invalid(nil, "'\(raw)' is not an email address: the name before the @ cannot start or end with a dot or have two dots in a row.")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else {
            throw .invalid(nil, "'\(raw)' is not an email address: the domain '\(domain)' has no dot (like example.org).")
        }
        for label in labels {
            let valid =
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            guard valid else {
                throw .invalid(nil, "'\(raw)' is not an email address: the domain '\(domain)' is not a valid domain name.")
            }
        }
        self.address = String(local) + "@" + domain.lowercased()
    }

    /// The part after the @, which logs may show (G8).
    public var domain: String { String(address[address.index(after: address.firstIndex(of: "@")!)...]) }

    public var description: String { address }
}

/// A validated address on one channel.
public enum ContactAddress: Sendable, Hashable {
    case sms(PhoneNumber)
    case email(EmailAddress)

    public init(channel: Channel, address: String) throws(AvisoError) {
        switch channel {
        case .sms:
            // A contact point's number must exist in its country's plan (SPEC §3), not only look like E.164.
            let phone = try PhoneNumber(address)
            try NumberingPlan.check(phone, as: address.trimmingWhitespace())
            self = .sms(phone)
        case .email: self = .email(try EmailAddress(address))
        }
    }

    public var channel: Channel {
        switch self {
        case .sms: .sms
        case .email: .email
        }
    }

    /// What two addresses are compared by: an email address ignoring the case of its letters.
    public var key: String {
        switch self {
        case .sms(let phone): phone.e164
        case .email(let email): email.address.lowercased()
        }
    }

    public var value: String {
        switch self {
        case .sms(let phone): phone.e164
        case .email(let email): email.address
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
