import AvisoCore
import AvisoGateways
import AvisoTesting
import Foundation
import Testing

/// The SMTP gateway against a real SMTP server (aiosmtpd) on loopback, read back with Python's MIME parser.
@Suite struct SMTPGatewayTests {
    let composer = EmailComposer(fromAddress: "avisos@kcpd.example", fromName: "Departamento de Policía de Kansas City")
    let links = UnsubscribeLinks(publicURL: "https://aviso.kcpd.example/", mailto: "baja@kcpd.example")
    let token = String(repeating: "ab", count: 32)

    /// The body as the text part carries it: with the visible unsubscribe link, the header's URL.
    func withLink(_ body: String) -> String {
        body + "\n\n" + UnsubscribeLinks.englishLabel + "\nhttps://aviso.kcpd.example/unsubscribe/\(token)"
    }

    func gateway(_ server: SMTPServer, security: SMTPSecurity, password: String = "secret") -> SMTPGateway {
        SMTPGateway(
            settings: SMTPSettings(
                host: "127.0.0.1", port: server.port, security: security, username: "aviso", password: password, caFile: server.certificate,
                connectTimeout: 5, timeout: 10),
            composer: composer, unsubscribe: links)
    }

    func message(_ id: Int64 = 7, to: String = "maria@example.org", subject: String, body: String, language: String = "es") -> OutboundMessage {
        OutboundMessage(messageId: id, channel: .email, to: to, language: language, subject: subject, body: body, attempt: 1, unsubscribeToken: token)
    }

    @Test func spanishEmailArrivesExactlyAsWrittenOverSTARTTLSWithAuth() async throws {
        let server = try SMTPServer(mode: "starttls")
        let body = """
            Hola, María José:

            La fiscalía presentó 2 cargos de robo a mano armada. ¿Preguntas? Llame al +1 816 234 5000.
            Una línea muy larga que pasa de setenta y seis caracteres para comprobar que el cuerpo se parte sin perder ni una letra ñ á é í ó ú ü.
            — Departamento de Policía de Kansas City
            """
        let subject = "Cargos presentados en su caso KC-2025-004512: acción criminal armada"
        let outcome = await gateway(server, security: .starttls).send(message(subject: subject, body: body))
        guard case .sent(let messageID) = outcome else { Issue.record("not sent: \(outcome)"); return }
        #expect(messageID.hasPrefix("<aviso.7."))
        let file = try #require(server.received.first)
        let parsed = try server.parsed(file)
        #expect(parsed["subject"] as? String == subject)
        #expect(parsed["to"] as? String == "maria@example.org")
        #expect((parsed["from"] as? String)?.contains("Departamento de Policía de Kansas City") == true)
        #expect(parsed["message_id"] as? String == messageID)
        #expect(parsed["mime_version"] as? String == "1.0")
        #expect((parsed["date"] as? String)?.isEmpty == false)
        #expect(
            parsed["list_unsubscribe"] as? String
                == "<https://aviso.kcpd.example/unsubscribe/\(token)>, <mailto:baja@kcpd.example?subject=unsubscribe%20\(token)>")
        #expect(parsed["list_unsubscribe_post"] as? String == "List-Unsubscribe=One-Click")
        #expect((parsed["defects"] as? [Any])?.isEmpty == true)
        #expect((parsed["max_body_line_length"] as? Int ?? 999) <= 76)
        #expect((parsed["max_header_line_length"] as? Int ?? 999) <= 998)
        #expect(parsed["bare_lf"] as? Bool == false)
        let part = try #require((parsed["parts"] as? [[String: Any]])?.first)
        #expect(part["type"] as? String == "text/plain")
        #expect(part["charset"] as? String == "utf-8")
        #expect((part["content"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines) == withLink(body))
        let html = try #require((parsed["parts"] as? [[String: Any]])?.last?["content"] as? String)
        #expect(html.contains("<a href=\"https://aviso.kcpd.example/unsubscribe/\(token)\" dir=\"ltr\">"))
        let envelope = try String(contentsOf: file.deletingPathExtension().appendingPathExtension("envelope"), encoding: .utf8)
        #expect(envelope.hasPrefix("avisos@kcpd.example\nmaria@example.org\n"))
        #expect(envelope.contains("True"))
    }

    @Test func arabicEmailArrivesExactlyWithARightToLeftPart() async throws {
        let server = try SMTPServer(mode: "starttls")
        let body =
            "مرحبًا،\n\nتم تحديد موعد جلسة المحكمة في قضيتك \u{2068}KC-2025-004512\u{2069}.\nللتحدث مع شخص، اتصل على \u{2068}+1 816 234 5000\u{2069}.\n\n— قسم شرطة مدينة كانساس سيتي"
        let subject = "موعد جلسة المحكمة في قضيتك KC-2025-004512"
        let outcome = await gateway(server, security: .starttls).send(message(subject: subject, body: body, language: "ar"))
        #expect({ if case .sent = outcome { true } else { false } }(), "\(outcome)")
        let parsed = try server.parsed(try #require(server.received.first))
        #expect(parsed["subject"] as? String == subject)
        #expect((parsed["defects"] as? [Any])?.isEmpty == true)
        let parts = try #require(parsed["parts"] as? [[String: Any]])
        #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"])
        #expect((parts[0]["content"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines) == withLink(body))
        let html = try #require(parts[1]["content"] as? String)
        #expect(html.contains("dir=\"rtl\"") && html.contains("lang=\"ar\""))
        #expect(html.contains("تم تحديد موعد جلسة المحكمة في قضيتك"))
        #expect((parsed["max_body_line_length"] as? Int ?? 999) <= 76)
    }

    @Test func arabicAndVietnameseArriveExactlyOverImplicitTLS() async throws {
        let server = try SMTPServer(mode: "implicit")
        let body = "مرحبا، قضيتك KC-2025-004512 لها موعد في المحكمة.\nXin chào, vụ án của bạn có ngày ra tòa: thứ Ba, 3 tháng 3."
        let subject = "موعد المحكمة — Ngày ra tòa"
        let outcome = await gateway(server, security: .implicitTLS).send(message(subject: subject, body: body))
        #expect({ if case .sent = outcome { true } else { false } }(), "\(outcome)")
        let parsed = try server.parsed(try #require(server.received.first))
        #expect(parsed["subject"] as? String == subject)
        let content = (parsed["parts"] as? [[String: Any]])?.first?["content"] as? String
        #expect(content?.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines) == withLink(body))
    }

    @Test func aServerWithoutSTARTTLSMakesTheSendFailRatherThanGoPlain() async throws {
        let server = try SMTPServer(mode: "plain")
        let outcome = await gateway(server, security: .starttls).send(message(subject: "x", body: "y"))
        guard case .transient(let reason) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
        #expect(reason.contains("STARTTLS"))
        #expect(server.received.isEmpty)
    }

    @Test func repliesAreClassified() async throws {
        let server = try SMTPServer(mode: "starttls", reject: "nobody@")
        let rejected = await gateway(server, security: .starttls).send(message(to: "nobody@example.org", subject: "x", body: "y"))
        guard case .permanent(let reason) = rejected else { Issue.record("expected permanent, got \(rejected)"); return }
        #expect(reason.contains("550"))
        #expect(!reason.contains("nobody@example.org"))
        let badPassword = await gateway(server, security: .starttls, password: "wrong").send(message(subject: "x", body: "y"))
        #expect(
            { if case .permanent = badPassword { false } else { true } }(), "a rejected password is not a reason to drop the message: \(badPassword)")
        let refused = SMTPGateway(
            settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .starttls, connectTimeout: 2, timeout: 2), composer: composer,
            unsubscribe: nil)
        let down = await refused.send(message(subject: "x", body: "y"))
        #expect({ if case .transient = down { true } else { false } }(), "\(down)")
        #expect(server.received.isEmpty)
    }
}

@Suite struct EmailComposerTests {
    @Test func quotedPrintableKeepsLinesShortAndCharactersWhole() {
        let line = String(repeating: "ñ", count: 60)
        let encoded = EmailComposer.quotedPrintable(line + "\n" + "end ")
        for physical in encoded.components(separatedBy: "\r\n") { #expect(physical.count <= 76) }
        #expect(encoded.hasSuffix("end=20"))
        #expect(!encoded.contains("\n\n"))
    }

    @Test func encodedWordsSplitLongSubjects() {
        let encoded = EmailComposer.encodeWord(String(repeating: "á", count: 40))
        for word in encoded.components(separatedBy: "\r\n ") { #expect(word.count <= 75) }
        #expect(EmailComposer.encodeWord("Plain ASCII subject") == "Plain ASCII subject")
    }
}
