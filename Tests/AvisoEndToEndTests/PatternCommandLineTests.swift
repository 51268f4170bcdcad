import Foundation
import Testing

extension EndToEnd {
    /// Patterns and the reach through `aviso`, against a real avisod.
    @Suite struct PatternCommandLineTests {
        @Test func aPatternUpdateReachesEachVictimOnceAndTheCaptainSeesWhoWasNotTold() throws {
            let daemon = try DaemonProcess()
            try daemon.createCaptain()
            try daemon.start()
            defer { daemon.stop() }
            try daemon.registerCase()
            let second = "KC-2025-004519"
            #expect(try daemon.aviso(["case", "open", second, "--offense", "armed_robbery", "--unit", "Robbery Unit"]).status == 0)
            // José (victim 1) and Robert (victim 3) were robbed twice; Ana has not consented yet; Pedro gave no number.
            for victim in ["1", "3"] { #expect(try daemon.aviso(["victim", "link", second, "--victim", victim]).status == 0) }
            #expect(try daemon.aviso(["victim", "add", second, "--name", "Ana López", "--language", "es", "--phone", "+18165550144"]).status == 0)
            #expect(try daemon.aviso(["victim", "add", second, "--name", "Pedro Díaz", "--language", "es"]).status == 0)

            let preview = try daemon.aviso(["update", "preview", second, "arrest"])
            #expect(preview.status == 0, "\(preview.stderr)")
            #expect(preview.stdout.contains("Reach: 4 victims: 2 told, 1 has not consented, 1 has no contact point"), "\(preview.stdout)")
            #expect(preview.stdout.contains("not told: Ana López"))
            #expect(preview.stdout.contains("not told: Pedro Díaz"))

            let created = try daemon.aviso([
                "pattern", "create", "24th & Quincy robberies", "--case", DaemonProcess.caseNumber, "--case", second, "--json",
            ])
            #expect(created.status == 0, "\(created.stderr)")
            let pattern = try #require((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])?["id"] as? Int)
            let shown = try daemon.aviso(["pattern", "show", String(pattern)])
            #expect(shown.stdout.contains("5 victims:") && shown.stdout.components(separatedBy: "José Pérez").count == 2, "\(shown.stdout)")

            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 4 }, "welcomes: \(daemon.log(tail: 10))")
            let queued = try daemon.aviso(["pattern", "queue", String(pattern), "arrest", "--json"])
            #expect(queued.status == 0, "\(queued.stderr)")
            let update = try #require(try JSONSerialization.jsonObject(with: Data(queued.stdout.utf8)) as? [String: Any])
            // One message per contact point: José's SMS once although he is on both cases.
            #expect(update["message_count"] as? Int == 4 && update["target"] as? String == "pattern")
            let id = try #require(update["id"] as? Int)
            #expect(daemon.wait(seconds: 15) { daemon.spooledCount == 8 }, "\(daemon.log(tail: 10))")
            let sms = try daemon.spooled("sms").map { try String(contentsOf: daemon.spool.appendingPathComponent("sms/\($0)"), encoding: .utf8) }
            #expect(sms.filter { $0.contains("Hubo un arresto en su caso KC-2025-004512") }.count == 2)

            // The update shows what happened to its messages, not "queued".
            var show = try daemon.aviso(["update", "show", String(id)])
            #expect(
                daemon.wait(seconds: 15) {
                    show = (try? daemon.aviso(["update", "show", String(id)])) ?? show
                    return show.stdout.contains(": done, 4 messages")
                }, "\(show.stdout)")
            #expect(show.stdout.contains("Messages: 4 messages: 4 sent (no report yet)"), "\(show.stdout)")
            #expect(show.stdout.contains("not told: Ana López") && show.stdout.contains("has not consented"))

            let list = try daemon.aviso(["update", "list", second])
            #expect(list.status == 0 && list.stdout.contains("#\(id) ") && list.stdout.contains("pattern \(pattern)"), "\(list.stdout)")
            let caseShow = try daemon.aviso(["case", "show", second])
            #expect(caseShow.stdout.contains("Never reached (2):") && caseShow.stdout.contains("Pedro Díaz"), "\(caseShow.stdout)")
            let json = try daemon.aviso(["update", "list", "--pattern", String(pattern), "--json"])
            #expect(((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["updates"] as? [Any])?.count == 1)
            let usage = try daemon.aviso(["update", "list", second, "--pattern", String(pattern)])
            #expect(usage.status == 64)
            let missing = try daemon.aviso(["pattern", "show", "999"])
            #expect(missing.status == 1 && missing.stderr.contains("No pattern '999'"))
        }
    }
}
