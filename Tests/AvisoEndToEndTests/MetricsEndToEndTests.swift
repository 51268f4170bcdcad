import AvisoTesting
import Foundation
import Testing

extension EndToEnd {
    /// `/metrics` counts every reply and every opt-out, whichever way it
    /// came: a keyword, the unsubscribe link, the carrier, staff.
    @Suite struct MetricsEndToEndTests {
        @Test func everyPathOfAReplyAndAnOptOutIsCountedByLanguageAndMethod() throws {
            // José's carrier has him opted out: the first SMS to him comes back as error 21610.
            let twilio = try FakeTwilioProcess(optedOut: ["+18165550142"])
            let daemon = try DaemonProcess()
            daemon.extraEnvironment = twilio.environment(publicURL: "http://127.0.0.1:\(daemon.port)")
            try daemon.createCaptain()
            try daemon.start()
            defer { daemon.stop() }
            let contactPoints = try daemon.registerCase()
            // Welcomes: Luis's SMS accepted, José's refused by the carrier, both emails spooled.
            #expect(daemon.wait(seconds: 20) { twilio.requests.count == 1 && daemon.spooled("email").count == 2 }, "\(daemon.log(tail: 10))")
            #expect(daemon.wait(seconds: 10) { (try? daemon.aviso(["messages", "--state", "failed", "--json"]).stdout.contains("21610")) == true })

            // Luis (es-MX) asks a question, then replies ALTO (which the provider posts twice, a webhook retry);
            // a number Aviso does not know writes too.
            for (sid, from, body) in [
                ("SMin1", "+18165550143", "¿Cuándo es la corte?"), ("SMin2", "+18165550143", "ALTO"), ("SMin2", "+18165550143", "ALTO"),
                ("SMin3", "+18165550199", "hola"),
            ] {
                let status = try runTool(
                    testPython,
                    [
                        testingScript("post_webhook.py"), "http://127.0.0.1:\(daemon.port)/webhooks/twilio/inbound", "e2e-twilio-token",
                        "MessageSid=\(sid)", "From=\(from)", "To=+18165550100", "Body=\(body)",
                    ])
                #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "200")
            }

            // Robert (en) unsubscribes with the link of his welcome email (RFC 8058 one-click).
            let robertsEmail = try #require(
                daemon.spooled("email").map { daemon.spool.appendingPathComponent("email/\($0)") }
                    .compactMap { try? String(contentsOf: $0, encoding: .utf8) }.first { $0.contains("To: <robert@example.org>") })
            let link = try #require(robertsEmail.firstMatch(of: /List-Unsubscribe: <(http[^>]+)>/)?.1)
            let clicked = try runTool(
                testPython,
                [
                    "-c",
                    "import urllib.request as u; print(u.urlopen(u.Request('\(link)', data=b'List-Unsubscribe=One-Click', method='POST'), timeout=10).status)",
                ])
            #expect(clicked.trimmingCharacters(in: .whitespacesAndNewlines) == "200")
            // A second click changes nothing and counts nothing.
            _ = try runTool(
                testPython,
                ["-c", "import urllib.request as u; u.urlopen(u.Request('\(link)', data=b'List-Unsubscribe=One-Click', method='POST'), timeout=10)"])

            // Staff record that Luis asked, by phone, for no more email.
            let luisEmail = try #require(contactPoints["luis@example.org"])
            let staff = try daemon.aviso([
                "consent", "record", "\(luisEmail)", "--state", "opted_out", "--method", "verbal", "--wording-version", "2026-01",
            ])
            #expect(staff.status == 0, "\(staff.stderr)")

            let metrics = try runTool(
                testPython,
                ["-c", "import urllib.request as u; print(u.urlopen('http://127.0.0.1:\(daemon.port)/metrics', timeout=10).read().decode())"])
            for line in [
                #"aviso_opt_outs_total{language="es",method="carrier"} 1"#,
                #"aviso_opt_outs_total{language="es-MX",method="keyword"} 1"#,
                #"aviso_opt_outs_total{language="en",method="link"} 1"#,
                #"aviso_opt_outs_total{language="es-MX",method="verbal"} 1"#,
                #"aviso_opt_outs_total{language="en",method="keyword"} 0"#,
                #"aviso_inbound_messages_total{language="es-MX",intent="free_text"} 1"#,
                #"aviso_inbound_messages_total{language="es-MX",intent="opt_out"} 1"#,
                #"aviso_inbound_messages_total{language="und",intent="free_text"} 1"#,
                #"aviso_inbound_messages_total{language="vi",intent="help"} 0"#,
            ] {
                #expect(metrics.contains(line + "\n"), "\(line)")
            }
            // The dashboard and the alert rules read only metrics avisod exposes.
            let exposed = Set(
                metrics.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.firstMatch(of: /^aviso_[a-z_]+/)?.0 }.map(String.init))
            for file in ["docs/monitoring/aviso-dashboard.json", "docs/monitoring/aviso-alerts.yml"] {
                let text = try String(contentsOf: repositoryRoot.appendingPathComponent(file), encoding: .utf8)
                let used = Set(text.matches(of: /aviso_[a-z_]+/).map { String($0.0) })
                #expect(!used.isEmpty && used.isSubset(of: exposed), "\(file) reads \(used.subtracting(exposed).sorted())")
            }
            // Each opt-out was counted once, whatever its path.
            let total = metrics.split(separator: "\n").filter { $0.hasPrefix("aviso_opt_outs_total{") }.compactMap {
                Double($0.split(separator: " ").last ?? "")
            }
            .reduce(0, +)
            #expect(total == 4)
        }
    }
}
