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
            #expect(daemon.wait(seconds: 15) { daemon.spooled("sms").count == 2 && daemon.spooled("email").count == 2 }, "welcomes: \(daemon.log(tail: 10))")

            let preview = try daemon.aviso(["update", "preview", "KC-2025-004512", "charges_filed", "--charge", "armed_robbery=2", "--charge", "armed_criminal_action=2"])
            #expect(preview.status == 0)
            #expect(preview.stdout.contains("4 messages would be sent"))
            #expect(preview.stdout.contains("2 cargos de robo a mano armada"))
            #expect(preview.stdout.contains("2 counts of armed robbery"))
            #expect(preview.stdout.contains("segments (UCS-2)"))

            let queued = try daemon.aviso(["update", "queue", "KC-2025-004512", "charges_filed", "--charge", "armed_robbery=2", "--charge", "armed_criminal_action=2", "--json"])
            #expect(queued.status == 0, "\(queued.stderr)")
            let update = try JSONSerialization.jsonObject(with: Data(queued.stdout.utf8)) as? [String: Any]
            #expect((update?["messages"] as? [Any])?.count == 4)
            #expect(daemon.wait(seconds: 15) { daemon.spooled("sms").count == 4 && daemon.spooled("email").count == 4 }, "\(daemon.log(tail: 10))")

            let sms = try daemon.spooled("sms").map { try String(contentsOf: daemon.spool.appendingPathComponent("sms/\($0)"), encoding: .utf8) }
            #expect(sms.filter { $0.contains("2 cargos de acción criminal armada") }.count == 2)
            #expect(sms.allSatisfy { $0.contains("\"language\" : \"es\"") })
            let emails = try daemon.spooled("email").map { try String(contentsOf: daemon.spool.appendingPathComponent("email/\($0)"), encoding: .utf8) }
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

        @Test func anAcceptedUpdateSurvivesSIGKILLAndIsDeliveredExactlyOnce() throws {
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
            usleep(500_000)
            let db = try DatabaseQueue(path: daemon.databasePath)
            try db.read { db in
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") == 8)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE state = 'sent'") == 8)
                let sentTwice = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM (SELECT message_id FROM contact_log WHERE kind = 'sent' GROUP BY message_id HAVING count(*) > 1)")
                #expect(sentTwice == 0)
            }
            #expect(daemon.spooled("sms").count + daemon.spooled("email").count == 8)
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
}
