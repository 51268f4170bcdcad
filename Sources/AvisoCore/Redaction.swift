/// What logs may show of personal data (G8): never a full phone number,
/// email address, name or message body.
public enum Redact {
    /// `+18165550142` → `…42`.
    public static func phone(_ e164: String) -> String {
        "…" + String(e164.suffix(2))
    }

    /// `maria@example.org` → `…@example.org`.
    public static func email(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "…" }
        return "…" + address[at...]
    }

    /// The redacted form of an address on a channel.
    public static func address(_ value: String, channel: Channel) -> String {
        switch channel {
        case .sms: phone(value)
        case .email: email(value)
        }
    }

    /// Masks E.164 numbers (`+` and 8 to 15 digits, spaces allowed between
    /// groups) and email addresses anywhere in `text`.
    ///
    /// The last line of defence, applied to every log line: Aviso's own code
    /// logs only ids and redacted addresses, but a provider's error text
    /// often echoes the number or address it refused
    /// ("The 'To' number +18165550142 is not valid").
    ///
    ///     Redact.scrub("refused +1 816 555 0142 and ana@example.org")
    ///     // "refused …42 and …@example.org"
    public static func scrub(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "@") }) else { return text }
        var bytes = Array(text.utf8)
        bytes = maskPhoneNumbers(bytes)
        bytes = maskEmailLocalParts(bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func maskPhoneNumbers(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "+"), index + 1 < bytes.count, isDigit(bytes[index + 1]) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            // Digits, with single spaces, dots or hyphens between groups, as people write numbers.
            var end = index + 1
            var digits: [UInt8] = []
            var lastDigitEnd = end
            while end < bytes.count {
                if isDigit(bytes[end]) {
                    digits.append(bytes[end])
                    end += 1
                    lastDigitEnd = end
                } else if [UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: ".")].contains(bytes[end]), end + 1 < bytes.count,
                    isDigit(bytes[end + 1])
                {
                    end += 1
                } else {
                    break
                }
            }
            if (8...15).contains(digits.count) {
                output += Array("…".utf8) + digits.suffix(2)
            } else {
                output += bytes[index..<lastDigitEnd]
            }
            index = lastDigitEnd
        }
        return output
    }

    static func isLocalPartByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "'"): true
        default: byte >= 0x80  // internationalized local parts
        }
    }

    static func maskEmailLocalParts(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "@"), index + 1 < bytes.count, isLocalPartByte(bytes[index + 1]) || bytes[index + 1] == UInt8(ascii: "[") {
                var start = output.count
                while start > 0, isLocalPartByte(output[start - 1]) { start -= 1 }
                if start < output.count {
                    output.removeSubrange(start...)
                    output += Array("…".utf8)
                }
            }
            output.append(byte)
        }
        return output
    }
}
