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
}

extension Redact {
    /// Free text from a provider or a server, with every phone number and
    /// email address in it redacted (G8): `The 'To' number +18165550142 is
    /// not valid` → `The 'To' number …42 is not valid`.
    public static func text(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            // A run of digits (with a leading + and separators) of 7 or more digits is a phone number.
            if character == "+" || character.isASCIIDigit {
                var end = index
                var lastDigitEnd = index
                var digits = ""
                while end < text.endIndex, text[end] == "+" || text[end].isASCIIDigit || ((text[end] == " " || text[end] == "-") && digits.count > 0) {
                    if text[end].isASCIIDigit {
                        digits.append(text[end])
                        lastDigitEnd = text.index(after: end)
                    }
                    end = text.index(after: end)
                }
                end = lastDigitEnd
                if digits.count >= 7 {
                    output += phone(digits)
                    index = end
                    continue
                }
            }
            output.append(character)
            index = text.index(after: index)
        }
        return redactEmails(output)
    }

    static func redactEmails(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { word in
            guard let at = word.firstIndex(of: "@"), at != word.startIndex else { return String(word) }
            let local = word[..<at]
            let leading = local.prefix { !($0.isLetter || $0.isNumber) }
            return leading + "…" + word[at...]
        }.joined(separator: " ")
    }
}
