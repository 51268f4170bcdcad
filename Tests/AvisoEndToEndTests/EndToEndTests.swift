import Foundation
import GRDB
import Glibc
import Testing

extension EndToEnd {
    /// Starts avisod for real, drives it with aviso as a captain would, and reads the spool.
    @Suite struct EndToEndTests {
        @Test func aCaptainsUpdateReachesEachVictimInTheirLanguage() throws {
            let daemon = try DaemonProcess()
            try daemon.createCaptain()
            try daemon.start()
            defer { daemon.stop() }
            try daemon.registerCase()
            #expect(
                daemon.wait(seconds: 15) { daemon.spooled("sms").count == 2 && daemon.spooled("email").count == 2 },
                "welcomes: \(daemon.log(tail: 10))")

            let preview = try daemon.aviso([
                "update", "preview", "KC-2025-004512", "charges_filed", "--charge", "armed_robbery=2", "--charge", "armed_criminal_action=2",
            ])
            #expect(preview.status == 0)
            #expect(preview.stdout.contains("4 messages would be sent"))
            #expect(preview.stdout.contains("2 cargos de robo a mano armada"))
            #expect(preview.stdout.contains("2 counts of armed robbery"))
            #expect(preview.stdout.contains("segments (UCS-2)"))

            let queued = try daemon.aviso([
                "update", "queue", "KC-2025-004512", "charges_filed", "--charge", "armed_robbery=2", "--charge", "armed_criminal_action=2", "--json",
            ])
            #expect(queued.status == 0, "\(queued.stderr)")
            let update = try JSONSerialization.jsonObject(with: Data(queued.stdout.utf8)) as? [String: Any]
            #expect((update?["messages"] as? [Any])?.count == 4)
            #expect(daemon.wait(seconds: 15) { daemon.spooled("sms").count == 4 && daemon.spooled("email").count == 4 }, "\(daemon.log(tail: 10))")

            let sms = try daemon.spooled("sms").map { try String(contentsOf: daemon.spool.appendingPathComponent("sms/\($0)"), encoding: .utf8) }
            #expect(sms.filter { $0.contains("2 cargos de acción criminal armada") }.count == 2)
            #expect(sms.allSatisfy { $0.contains("\"language\" : \"es\"") })
            let emails = try daemon.spooled("email").map {
                try String(contentsOf: daemon.spool.appendingPathComponent("email/\($0)"), encoding: .utf8)
            }
            #expect(emails.allSatisfy { $0.contains("\r\nMIME-Version: 1.0\r\n") && $0.contains("Content-Transfer-Encoding: quoted-printable") })
            #expect(emails.contains { $0.contains("To: <robert@example.org>") && $0.contains("Subject: Charges filed in your case KC-2025-004512") })
            #expect(emails.contains { $0.contains("To: <luis@example.org>") && $0.contains("Subject: =?UTF-8?B?") })

            let messages = try daemon.aviso(["messages", "--case", "KC-2025-004512", "--state", "sent", "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(messages.stdout.utf8)) as? [String: Any]
            #expect((list?["messages"] as? [Any])?.count == 8)

            let bad = try daemon.aviso(["victim", "add", "KC-2025-004512", "--name", "X", "--language", "es", "--phone", "816-555-0199"])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("country code"))
            let missing = try daemon.aviso(["update", "queue", "KC-2025-004512", "custom", "--text", "en=Only English"])
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("'es'"))
        }

        @Test func anAcceptedUpdateSurvivesSIGKILLAndIsDeliveredExactlyOnce() async throws {
            let daemon = try DaemonProcess()
            try daemon.createCaptain()
            try daemon.start()
            try daemon.registerCase()
            #expect(daemon.wait(seconds: 15) { daemon.spooled("sms").count + daemon.spooled("email").count == 4 })

            // Accepted now, due in a few seconds: the daemon dies before dispatching it.
            let sendAt = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3))
            let queued = try daemon.aviso(["update", "queue", "KC-2025-004512", "arrest", "--send-at", sendAt])
            #expect(queued.status == 0, "\(queued.stderr)")
            daemon.kill(signal: SIGKILL)
            #expect(daemon.spooled("sms").count + daemon.spooled("email").count == 4)

            try daemon.start()
            defer { daemon.stop() }
            #expect(daemon.wait(seconds: 20) { daemon.spooled("sms").count + daemon.spooled("email").count == 8 }, "\(daemon.log(tail: 10))")
            let db = try DatabaseQueue(path: daemon.databasePath)
            // The spool file is written before the store records `sent`: wait for the record, not a fixed time.
            #expect(
                daemon.wait(seconds: 20) {
                    (try? db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM messages WHERE state = 'sent'") }) == 8
                })
            try await db.read { db in
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") == 8)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE state = 'sent'") == 8)
                let sentTwice = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM (SELECT message_id FROM contact_log WHERE kind = 'sent' GROUP BY message_id HAVING count(*) > 1)")
                #expect(sentTwice == 0)
            }
            #expect(daemon.spooled("sms").count + daemon.spooled("email").count == 8)

            let avisod = try DaemonProcess.binary("avisod")
            let intact = try daemon.run(avisod, ["audit", "verify", "-c", daemon.configPath])
            #expect(intact.status == 0 && intact.stdout.contains("intact"), "\(intact.stderr)")
            try await DatabaseQueue(path: daemon.databasePath).write { db in
                try db.execute(sql: "DROP TRIGGER contact_log_no_update")
                try db.execute(sql: "UPDATE contact_log SET detail = 'nothing happened' WHERE id = 5")
            }
            let broken = try daemon.run(avisod, ["audit", "verify", "-c", daemon.configPath])
            #expect(broken.status == 1)
            #expect(broken.stdout.contains("contact_log row 5"))
        }

        @Test func SIGTERMStopsGracefullyWithExitZero() throws {
            let daemon = try DaemonProcess()
            try daemon.createCaptain()
            try daemon.start()
            daemon.stop()
            #expect(daemon.process?.terminationStatus == 0)
            #expect(daemon.log(tail: 5).contains("dispatcher stopped"))
        }

        @Test func aBrokenConfigurationStopsTheDaemonWithFileAndLine() throws {
            let daemon = try DaemonProcess()
            let config = daemon.directory.appendingPathComponent("broken.conf")
            try "log.level = info\ndispatch.batch_size = lots\n".write(to: config, atomically: true, encoding: .utf8)
            let result = try daemon.run(DaemonProcess.binary("avisod"), ["check", "-c", config.path])
            #expect(result.status == 1)
            #expect(result.stderr.contains("broken.conf:2"))
            let check = try daemon.run(DaemonProcess.binary("avisod"), ["check", "-c", daemon.configPath])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains("charges_filed"))
        }
    }

    /// SPEC §5 flow 7: a supervisor exports a case's whole history as JSON and CSV.
    @Suite struct ExportEndToEndTests {
        @Test func aSupervisorExportsTheCaseAsJSONAndCSV() throws {
            let daemon = try DaemonProcess()
            try daemon.createCaptain()
            let captain = daemon.token
            try daemon.start()
            defer { daemon.stop() }
            for step in [
                ["case", "open", "KC-2025-004512", "--offense", "armed_robbery", "--unit", "Robbery Unit"],
                [
                    "victim", "add", "KC-2025-004512", "--name", "José Pérez", "--language", "es", "--phone", "+18165550142", "--email",
                    "jose@example.org", "--consent", "verbal", "--wording-version", "2026-01",
                ],
                ["update", "queue", "KC-2025-004512", "arrest"],
                // Still queued when the case is exported: the CSV must hold it too.
                [
                    "update", "queue", "KC-2025-004512", "plea", "--send-at",
                    ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86400)),
                ],
            ] {
                let result = try daemon.aviso(step)
                #expect(result.status == 0, "\(result.stderr)")
            }
            #expect(daemon.wait(seconds: 15) { daemon.spooled("sms").count == 2 && daemon.spooled("email").count == 2 })
            // A captain may not export; a supervisor may.
            #expect(try daemon.aviso(["export", "--case", "KC-2025-004512"]).status == 1)
            let supervisor = try daemon.run(
                DaemonProcess.binary("avisod"), ["token", "create", "-c", daemon.configPath, "--role", "supervisor", "--name", "Sgt. Elena Díaz"])
            daemon.token = supervisor.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let json = try daemon.aviso(["export", "--case", "KC-2025-004512"])
            #expect(json.status == 0, "\(json.stderr)")
            let export = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(export["chains_intact"] as? Bool == true)
            let messages = try #require(export["messages"] as? [[String: Any]])
            #expect(messages.count == 6)
            #expect(messages.filter { ($0["message"] as? [String: Any])?["state"] as? String == "queued" }.count == 2)
            let kinds = messages.flatMap { ($0["history"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String } }
            #expect(kinds.filter { $0 == "attempt" }.count == 4 && kinds.filter { $0 == "sent" }.count == 4)
            let csvPath = daemon.directory.appendingPathComponent("case.csv").path
            let csv = try daemon.aviso(["export", "--case", "KC-2025-004512", "--format", "csv", "--output", csvPath])
            #expect(csv.status == 0, "\(csv.stderr)")
            let lines = try String(contentsOfFile: csvPath, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first?.hasPrefix("time,record,case,victim_id") == true)
            #expect(lines.filter { $0.contains(",consent,") }.count == 2)
            #expect(lines.filter { $0.contains(",message,") }.count == 6)
            #expect(lines.filter { $0.contains(",message_event,") }.count == kinds.count)
            #expect(lines.filter { $0.contains(",queued,") }.count == 2)
            let victim = try daemon.aviso(["export", "--victim", "1", "--json"])
            #expect(victim.status == 0 && victim.stdout.contains("\"scope\" : \"victim 1\""))
            daemon.token = captain
        }
    }
}
