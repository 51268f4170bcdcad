import AvisoCore
import AvisoDaemon
import AvisoTesting
import Foundation
import Testing

/// Issue 14 §3: every email's body carries the unsubscribe link it promises,
/// in the text and the HTML part, with the URL of its `List-Unsubscribe`
/// header: read back with Python's MIME parser from what the daemon's own
/// gateway wrote.
@Suite struct UnsubscribeLinkTests {
    @Test func everyEmailShowsTheHeadersUnsubscribeLinkInTextAndHTMLInItsLanguage() async throws {
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = try temporaryDirectory().path
        configuration.templatesDirectory = repositoryRoot.appendingPathComponent("Templates").path
        // Behind a proxy with a path prefix: the link keeps it.
        configuration.publicURL = "https://kcpd.example/aviso/"
        let daemon = try Daemon(configuration: configuration, logger: .init(label: "test"))
        let email = try #require(try daemon.gateways(environment: [:])[.email])
        let token = String(repeating: "3f", count: 32)
        #expect(daemon.catalog.languages.count == 8)
        for (index, language) in daemon.catalog.languages.enumerated() {
            let id = Int64(100 + index)
            let body = "Línea uno.\n\nLínea dos: \(language)."
            let outcome = await email.send(
                OutboundMessage(
                    messageId: id, channel: .email, to: "victima@example.org", language: language, subject: "Aviso", body: body, attempt: 1,
                    unsubscribeToken: token))
            #expect(outcome == .sent(providerId: "spool-\(id)"))
            let file = URL(fileURLWithPath: configuration.resolvedSpoolDirectory).appendingPathComponent("email/\(id).eml")
            let json = try runTool(testPython, [testingScript("parse_email.py"), file.path])
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let url = "https://kcpd.example/aviso/unsubscribe/\(token)"
            #expect(parsed["list_unsubscribe"] as? String == "<\(url)>")
            #expect((parsed["defects"] as? [Any])?.isEmpty == true)
            let parts = try #require(parsed["parts"] as? [[String: Any]])
            #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"], "\(language)")
            let label = try daemon.catalog.term("unsubscribe.link", for: try LanguageTag(language))
            let text = try #require(parts.first?["content"] as? String).replacingOccurrences(of: "\r\n", with: "\n")
            #expect(text.trimmingCharacters(in: .newlines) == body + "\n\n" + label + "\n" + url, "\(language)")
            let html = try #require(parts.last?["content"] as? String)
            #expect(html.contains("<a href=\"\(url)\" dir=\"ltr\">\(url)</a>"), "\(language)")
            #expect(html.contains(label.replacingOccurrences(of: "&", with: "&amp;")), "\(language)")
            #expect(html.contains("dir=\"\(language == "ar" ? "rtl" : "ltr")\""), "\(language)")
            // The sentence is safe for a discreet victim: it names no department (G11).
            #expect(!label.contains(try daemon.catalog.term("department", for: try LanguageTag(language))))
        }
    }
}
