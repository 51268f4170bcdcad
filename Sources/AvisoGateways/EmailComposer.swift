import AvisoCore
public import Foundation

/// Builds an RFC 5322 message with UTF-8 text and HTML parts in
/// quoted-printable, CRLF line endings and lines within 76 characters, so it
/// survives any relay and Spanish, Arabic or Vietnamese text arrives exactly
/// as written.
public struct EmailComposer: Sendable {
    /// The sender's address (`avisos@kcpd.example`).
    public var fromAddress: String
    /// The sender's display name (`Kansas City Police Department`).
    public var fromName: String
    /// The domain used in Message-ID.
    public var messageIdDomain: String
    /// Where a victim's reply goes (`Reply-To`), when the department names a
    /// mailbox staff read: Aviso has no inbound mail path.
    public var replyTo: String?

    public init(fromAddress: String, fromName: String) {
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.messageIdDomain = fromAddress.split(separator: "@").last.map(String.init) ?? "aviso.invalid"
    }

    /// The message as bytes ready for SMTP DATA or a `.eml` file: a
    /// `multipart/alternative` of a text part and an HTML part, the HTML laid
    /// out right to left for a right-to-left language (`dir="rtl"`). With a
    /// `footer`, both parts end with the visible unsubscribe link, the same
    /// URL as the `List-Unsubscribe` header, since many mail clients hide
    /// the header and the body promises a link.
    public func compose(
        messageId: Int64, to: String, subject: String, body: String, date: Date, language: String = "en", extraHeaders: [(String, String)] = [],
        footer: UnsubscribeFooter? = nil, discreet: Bool = false
    ) -> String {
        var headers: [(String, String)] = [
            ("Date", Self.rfc5322Date(date)),
            ("Message-ID", messageID(for: messageId, date: date)),
            // A victim in discreet mode: no sender name, which would name the department (SPEC §2.6).
            ("From", discreet ? "<\(fromAddress)>" : "\(Self.encodeWord(fromName)) <\(fromAddress)>"),
            ("To", "<\(to)>"),
        ]
        if let replyTo { headers.append(("Reply-To", "<\(replyTo)>")) }
        headers += [
            ("Subject", Self.encodeWord(subject.precomposedStringWithCanonicalMapping)),
            ("MIME-Version", "1.0"),
        ]
        let tag = (try? LanguageTag(language)) ?? (try! LanguageTag("en"))
        let body = body.precomposedStringWithCanonicalMapping
        let text = body + (footer.map { "\n\n" + ($0.label.isEmpty ? "" : "\($0.label)\n") + $0.url } ?? "")
        let boundary = "aviso-\(messageId)-\(Int(date.timeIntervalSince1970))"
        headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
        let content =
            "--\(boundary)\r\n" + Self.textPart(text) + "\r\n--\(boundary)\r\n" + Self.htmlPart(body, language: tag, footer: footer)
            + "\r\n--\(boundary)--"
        headers.append(("Auto-Submitted", "auto-generated"))
        headers += extraHeaders
        var message = headers.map { Self.fold("\($0.0): \($0.1)") }.joined(separator: "\r\n")
        message += "\r\n\r\n"
        message += content
        message += "\r\n"
        return message
    }

    static func textPart(_ body: String) -> String {
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + quotedPrintable(body)
    }

    /// The body as HTML, paragraph by paragraph, in the language's direction,
    /// ending with the unsubscribe link when there is one.
    static func htmlPart(_ body: String, language: LanguageTag, footer: UnsubscribeFooter? = nil) -> String {
        var paragraphs = body.components(separatedBy: "\n\n").map { paragraph in
            "<p>" + paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { escapeHTML(String($0)) }.joined(separator: "<br>")
                + "</p>"
        }
        if let footer {
            let url = escapeHTML(footer.url).replacingOccurrences(of: "\"", with: "&quot;")
            paragraphs.append(
                "<p>" + (footer.label.isEmpty ? "" : "\(escapeHTML(footer.label))<br>")
                    + "<a href=\"\(url)\" dir=\"ltr\">\(escapeHTML(footer.url))</a></p>")
        }
        let direction = language.isRightToLeft ? "rtl" : "ltr"
        let align = language.isRightToLeft ? "right" : "left"
        let html = """
            <!DOCTYPE html>
            <html lang="\(language.value)" dir="\(direction)">
            <head><meta charset="utf-8"></head>
            <body dir="\(direction)" style="direction: \(direction); text-align: \(align); font-family: Tahoma, Arial, sans-serif;">
            \(paragraphs.joined(separator: "\n"))
            </body>
            </html>
            """
        return "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + quotedPrintable(html)
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Folds a header line longer than 78 characters at its spaces (RFC 5322 §2.2.3).
    static func fold(_ line: String) -> String {
        guard line.count > 78, !line.contains("\r\n") else { return line }
        var output = ""
        var current = ""
        for (index, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            // Never fold between the field name and the first word of its value.
            if index > 1 && current.count + 1 + word.count > 76 {
                output += current + "\r\n"
                current = " " + word
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        return output + current
    }

    /// The Message-ID header of a message sent at `date`.
    public func messageID(for messageId: Int64, date: Date) -> String {
        "<aviso.\(messageId).\(Int(date.timeIntervalSince1970))@\(messageIdDomain)>"
    }

    /// RFC 2047 encoded-words (base64) when the text is not plain ASCII,
    /// split so no encoded-word exceeds 75 characters.
    public static func encodeWord(_ text: String) -> String {
        let printable = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 32 && $0.value < 127 }
        if printable && !text.contains("=?") { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            let candidate = chunk + String(character)
            // 45 bytes of UTF-8 become 60 base64 characters: 12 + 60 < 75.
            if candidate.utf8.count > 45 {
                words.append(chunk)
                chunk = String(character)
            } else {
                chunk = candidate
            }
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045) of UTF-8 text with CRLF line breaks and soft
    /// breaks so no line exceeds 76 characters. A character's escapes are
    /// never split across a soft break.
    public static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var output: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            var encodedLine = ""
            var lineLength = 0
            let scalars = Array(line.unicodeScalars)
            for (index, scalar) in scalars.enumerated() {
                let isLast = index == scalars.count - 1
                let token: String
                if (scalar.value >= 33 && scalar.value <= 126 && scalar != "=") || ((scalar == " " || scalar == "\t") && !isLast) {
                    token = String(scalar)
                } else {
                    token = String(scalar).utf8.map { String(format: "=%02X", $0) }.joined()
                }
                if lineLength + token.count > 75 {
                    encodedLine += "=\r\n"
                    lineLength = 0
                }
                encodedLine += token
                lineLength += token.count
            }
            output.append(encodedLine)
        }
        return output.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// The visible unsubscribe link at the end of an email: a sentence in the
/// recipient's language and the URL of the `List-Unsubscribe` header.
public struct UnsubscribeFooter: Sendable, Equatable {
    public var label: String
    public var url: String

    public init(label: String, url: String) {
        self.label = label
        self.url = url
    }
}
