import AvisoTesting
import Foundation
import GRDB
import Glibc
import Testing

extension EndToEnd {
    /// avisod as systemd runs it: the notification socket, the watchdog,
    /// `systemctl reload` (SIGHUP) and `systemctl stop` (SIGTERM).
    @Suite struct ServiceTests {
        /// Sends SIGHUP and returns the READY=1 that ends the reload, after checking it followed a RELOADING=1.
        func reload(_ daemon: DaemonProcess, _ systemd: NotifyCollector) throws -> NotifyCollector.Notification {
            let mark = systemd.all.count
            daemon.signal(SIGHUP)
            let answered = systemd.wait(seconds: 10) { list in
                let after = list.dropFirst(mark)
                guard let reloading = after.firstIndex(where: { $0.has("RELOADING=1") }) else { return false }
                return after[reloading...].contains { $0.has("READY=1") }
            }
            guard answered else { throw TestFailure("no RELOADING=1 then READY=1 after SIGHUP:\n\(systemd.transcript)\n\(daemon.log(tail: 10))") }
            let after = systemd.all.dropFirst(mark)
            let reloading = after.firstIndex { $0.has("RELOADING=1") }!
            #expect(after[reloading].text.contains("MONOTONIC_USEC="))
            return after[reloading...].first { $0.has("READY=1") }!
        }

        @Test func systemdSeesReadyAfterTheBindTheWatchdogAReloadAndStoppingAndNothingIsLostOrSentTwice() throws {
            let daemon = try DaemonProcess()
            let systemd = try NotifyCollector(directory: daemon.directory, port: daemon.port)
            defer { systemd.stop() }
            daemon.extraEnvironment = ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "1000000"]
            try daemon.createCaptain()
            try daemon.start()

            #expect(systemd.wait(seconds: 10) { $0.contains { $0.has("READY=1") } }, "\(systemd.transcript)")
            #expect(systemd.all.first { $0.has("READY=1") }?.portAccepted == true, "READY=1 came before the port accepted connections")

            // WATCHDOG_USEC of 1 s: a ping at least every 500 ms, never a gap that lets the watchdog fire.
            #expect(systemd.wait(seconds: 5) { $0.filter { $0.has("WATCHDOG=1") }.count >= 5 }, "\(systemd.transcript)")
            let pings = systemd.all.filter { $0.has("WATCHDOG=1") }.map(\.at)
            let longestGap = zip(pings, pings.dropFirst()).map { $1 - $0 }.max() ?? .zero
            #expect(longestGap < .seconds(1), "a gap of \(longestGap) between pings would have let systemd's watchdog fire")
            #expect(
                systemd.wait(seconds: 5) { $0.contains { $0.text.contains("STATUS=") && $0.text.contains(" due") && $0.text.contains("scheduled") } },
                "\(systemd.transcript)")

            let ready = try reload(daemon, systemd)
            #expect(ready.text.contains("STATUS=reloaded"))
            #expect(daemon.logText.contains("configuration and templates reloaded"))

            // Stop while updates are being handed off.
            try daemon.registerCase()
            for _ in 0..<5 {
                let queued = try daemon.aviso(["update", "queue", DaemonProcess.caseNumber, "arrest"])
                #expect(queued.status == 0, "\(queued.stderr)")
            }
            daemon.stop()
            #expect(daemon.process?.terminationStatus == 0, "\(daemon.log(tail: 10))")
            #expect(systemd.wait(seconds: 2) { $0.contains { $0.has("STOPPING=1") } }, "\(systemd.transcript)")
            let afterStop = try DatabaseQueue(path: daemon.databasePath).read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE state = 'sending'")
            }
            #expect(afterStop == 0, "a message was left in flight")

            daemon.extraEnvironment = [:]
            try daemon.start()
            defer { daemon.stop() }
            #expect(daemon.wait(seconds: 20) { daemon.spooledCount == 24 }, "\(daemon.spooledCount) spooled; \(daemon.log(tail: 10))")
            try DatabaseQueue(path: daemon.databasePath).read { db in
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") == 24)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE state = 'sent'") == 24)
                let sentTwice = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM (SELECT message_id FROM contact_log WHERE kind = 'sent' GROUP BY message_id HAVING count(*) > 1)")
                #expect(sentTwice == 0)
            }
        }

        @Test func aBrokenTemplateSetIsRejectedOnSIGHUPAndTheDaemonKeepsSendingWithTheOldOne() throws {
            let daemon = try DaemonProcess()
            let templates = daemon.directory.appendingPathComponent("Templates")
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Templates"), to: templates)
            let spanishArrest = templates.appendingPathComponent("es/arrest.sms.mustache")
            let systemd = try NotifyCollector(directory: daemon.directory, port: daemon.port)
            defer { systemd.stop() }
            daemon.extraEnvironment = ["NOTIFY_SOCKET": systemd.path, "AVISO_TEMPLATES_DIRECTORY": templates.path]
            try daemon.createCaptain()
            try daemon.start()
            defer { daemon.stop() }
            try daemon.registerCase()
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 4 }, "welcomes: \(daemon.log(tail: 10))")

            try "KCPD: {{#charges}} sin cerrar, {{case_number}}".write(to: spanishArrest, atomically: true, encoding: .utf8)
            let rejected = try reload(daemon, systemd)
            #expect(rejected.text.contains("reload rejected"))
            let line = daemon.logText.split(separator: "\n").first { $0.contains("reload rejected") }
            #expect(line?.contains("es/arrest.sms.mustache") == true, "the log must say which file is wrong: \(daemon.log(tail: 5))")

            #expect(try daemon.aviso(["update", "queue", DaemonProcess.caseNumber, "arrest"]).status == 0)
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 8 }, "\(daemon.log(tail: 10))")
            #expect(try spanishSMS(daemon).filter { $0.contains("Hubo un arresto en su caso") }.count == 2, "the old templates stay in force")

            try
                "KCPD: Nuevo aviso de arresto en su caso {{case_number}} ({{offense}}). Llame al {{contact_phone}}. Responda ALTO para no recibir más."
                .write(to: spanishArrest, atomically: true, encoding: .utf8)
            #expect(try reload(daemon, systemd).text.contains("STATUS=reloaded"))
            #expect(try daemon.aviso(["update", "queue", DaemonProcess.caseNumber, "arrest"]).status == 0)
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 12 }, "\(daemon.log(tail: 10))")
            #expect(try spanishSMS(daemon).filter { $0.contains("Nuevo aviso de arresto") }.count == 2)
        }

        func spanishSMS(_ daemon: DaemonProcess) throws -> [String] {
            try daemon.spooled("sms").map { try String(contentsOf: daemon.spool.appendingPathComponent("sms/\($0)"), encoding: .utf8) }
        }
    }
}
