import AvisoTesting
import Foundation
import Testing

extension EndToEnd {
    /// avisod configured for SMTP through its environment, against a real SMTP
    /// server: the welcome and the update arrive, and the link in the email unsubscribes.
    @Suite struct GatewayEndToEndTests {
        @Test func emailGoesThroughSMTPAndItsUnsubscribeLinkWorks() throws {
            let smtp = try SMTPServer(mode: "starttls")
            let daemon = try DaemonProcess()
            daemon.extraEnvironment = [
                "AVISO_GATEWAY_EMAIL": "smtp", "AVISO_SMTP_HOST": "127.0.0.1", "AVISO_SMTP_PORT": "\(smtp.port)", "AVISO_SMTP_SECURITY": "starttls",
                "AVISO_SMTP_USERNAME": "aviso", "AVISO_SMTP_PASSWORD": "secret", "AVISO_SMTP_CA_FILE": smtp.certificate,
                "AVISO_HTTP_PUBLIC_URL": "http://127.0.0.1:\(daemon.port)",
            ]
            try daemon.createCaptain()
            try daemon.start()
            defer { daemon.stop() }
            let contactPoints = try daemon.registerCase()
            #expect(daemon.wait(seconds: 20) { smtp.received.count == 2 && daemon.spooled("sms").count == 2 }, "\(daemon.log(tail: 10))")
            #expect(daemon.spooled("email").isEmpty, "email goes through SMTP, not the spool")
            #expect(try daemon.aviso(["update", "queue", DaemonProcess.caseNumber, "arrest"]).status == 0)
            #expect(daemon.wait(seconds: 20) { smtp.received.count == 4 }, "\(daemon.log(tail: 10))")

            let parsed = try smtp.received.map { try smtp.parsed($0) }
            let spanish = try #require(
                parsed.first { ($0["to"] as? String) == "luis@example.org" && ($0["subject"] as? String)?.lowercased().contains("arresto") == true })
            let body = try #require((spanish["parts"] as? [[String: Any]])?.first?["content"] as? String)
            #expect(body.contains("KC-2025-004512") && body.contains("Departamento de Policía de Kansas City"))
            let link = try #require(spanish["list_unsubscribe"] as? String)
            let url = try #require(link.split(separator: ",").first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " <>")) })
            #expect(url.hasPrefix("http://127.0.0.1:\(daemon.port)/unsubscribe/"))

            let status = try runTool(
                testPython,
                [
                    "-c",
                    "import urllib.request as u; print(u.urlopen(u.Request('\(url)', data=b'List-Unsubscribe=One-Click', method='POST'), timeout=10).status)",
                ])
            #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "200")
            let victim = try daemon.aviso(["victim", "show", "2", "--json"])
            let view = try JSONSerialization.jsonObject(with: Data(victim.stdout.utf8)) as? [String: Any]
            let email = (view?["contact_points"] as? [[String: Any]])?.first { $0["id"] as? Int == Int(contactPoints["luis@example.org"] ?? 0) }
            #expect(email?["consent_state"] as? String == "opted_out")
        }
    }
}
