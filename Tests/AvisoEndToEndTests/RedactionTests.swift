import AvisoTesting
import Foundation
import Glibc
import Testing

extension EndToEnd {
    /// G8: no full phone number, email address, victim name, token or message
    /// body reaches a log line, even at trace level.
    @Suite struct RedactionTests {
        @Test func G8_aWholeFlowAtTraceLevelLogsNoPersonalData() throws {
            let daemon = try DaemonProcess()
            // INVOCATION_ID makes avisod log as it does under systemd, with journal priorities.
            daemon.extraEnvironment = [
                "AVISO_LOG_LEVEL": "trace", "INVOCATION_ID": "0123456789abcdef0123456789abcdef",
                "AVISO_TWILIO_AUTH_TOKEN": "e2e-twilio-token", "AVISO_HTTP_PUBLIC_URL": "http://127.0.0.1:\(daemon.port)",
            ]
            try daemon.createCaptain()
            try daemon.start()
            let contactPoints = try daemon.registerCase()
            let jose = try #require(contactPoints["+18165550142"])
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 4 }, "welcomes: \(daemon.log(tail: 10))")

            let charges = ["--charge", "armed_robbery=2", "--charge", "armed_criminal_action=2"]
            #expect(try daemon.aviso(["update", "preview", DaemonProcess.caseNumber, "charges_filed"] + charges).status == 0)
            #expect(try daemon.aviso(["update", "queue", DaemonProcess.caseNumber, "charges_filed"] + charges).status == 0)
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 8 }, "\(daemon.log(tail: 10))")

            let optOut = try daemon.aviso([
                "consent", "record", "\(jose)", "--state", "opted_out", "--method", "verbal", "--wording-version", "2026-01",
            ])
            #expect(optOut.status == 0, "\(optOut.stderr)")
            #expect(try daemon.aviso(["update", "queue", DaemonProcess.caseNumber, "arrest"]).status == 0)
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 11 }, "\(daemon.log(tail: 10))")

            // Luis replies: a question for staff (acknowledged), then ALTO (opted out, one confirmation).
            let reply = "¿Cuándo es la corte? Mi vecino Ramiro Fuentes vio todo"
            for (sid, body) in [("SMreply1", reply), ("SMreply2", "ALTO")] {
                let status = try runTool(
                    testPython,
                    [
                        testingScript("post_webhook.py"), "http://127.0.0.1:\(daemon.port)/webhooks/twilio/inbound", "e2e-twilio-token",
                        "MessageSid=\(sid)", "From=+18165550143", "To=+18165550100", "Body=\(body)",
                    ])
                #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "200")
            }
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 13 }, "\(daemon.log(tail: 10))")
            let inbox = try daemon.aviso(["inbox", "--all"])
            #expect(inbox.status == 0 && inbox.stdout.contains("Ramiro Fuentes"))

            let refused = try daemon.aviso([
                "victim", "add", DaemonProcess.caseNumber, "--name", "María Sánchez", "--language", "es", "--phone", "816-555-0199",
            ])
            #expect(refused.status != 0)
            for read in [
                ["messages", "--case", DaemonProcess.caseNumber], ["victim", "show", "1"], ["case", "show", DaemonProcess.caseNumber], ["status"],
            ] {
                #expect(try daemon.aviso(read).status == 0)
            }
            let messages = try daemon.aviso(["messages", "--case", DaemonProcess.caseNumber, "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(messages.stdout.utf8)) as? [String: Any]
            let texts = (list?["messages"] as? [[String: Any]] ?? []).flatMap { [$0["body"] as? String, $0["subject"] as? String].compactMap { $0 } }
            #expect(texts.count >= 11)
            daemon.signal(SIGHUP)
            #expect(daemon.wait(seconds: 20) { daemon.logText.contains("configuration and templates reloaded") }, "\(daemon.log(tail: 5))")
            daemon.stop()

            let secrets =
                [
                    "+18165550142", "8165550142", "5550142", "555 0142", "555-0142", "+18165550143", "8165550143", "5550143", "5550199", "555-0199",
                    "luis@example.org", "robert@example.org", "luis@", "robert@", "José Pérez", "Pérez", "Luis Gómez", "Gómez", "Robert Hill", "Hill",
                    "María Sánchez", "Sánchez", daemon.token, "Ramiro", "Fuentes", "e2e-twilio-token",
                ] + (texts + [reply]).flatMap(Self.fragments)
            let lines = daemon.logText.split(separator: "\n").map(String.init)
            #expect(lines.count > 50, "a trace-level flow should say a lot: \(lines.count) lines")
            for line in lines {
                #expect(
                    line.first == "<" && line.dropFirst().first.map { "01234567".contains($0) } == true && line.dropFirst(2).first == ">",
                    "not a journal line: \(line)")
                for secret in secrets where line.contains(secret) {
                    Issue.record("personal data '\(secret)' in the log: \(line)")
                }
            }
            let handOffs = lines.filter { $0.contains("handed off") }
            #expect(handOffs.count == 13)
            for line in handOffs {
                #expect(
                    line.contains("message=") && line.contains("case=\(DaemonProcess.caseNumber)") && line.contains("channel=")
                        && line.contains("state=sent"))
                #expect(line.contains("to=…4") || line.contains("to=…@example.org"), "\(line)")
            }
        }

        /// The pieces of a body someone could recognize: each line and sentence of 16 characters or more.
        static func fragments(_ text: String) -> [String] {
            let pieces = text.split(whereSeparator: { $0.isNewline || $0 == "." || $0 == "?" || $0 == "!" })
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return pieces.filter { $0.count >= 16 }
        }
    }
}
