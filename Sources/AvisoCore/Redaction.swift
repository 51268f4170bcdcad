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
