import AvisoCore
import AvisoTesting
import Foundation
import GRDB
import Testing

/// Issue 14 §3: a victim opens the unsubscribe link of her email on a phone,
/// in Spanish and in Arabic, behind a proxy that serves Aviso under a path
/// prefix. The real daemon, the link as the spooled email carries it, and
/// Debian's Chromium (headless, 390 CSS pixels wide) driven by Selenium.
///
/// `AVISO_UPDATE_SCREENSHOTS=1` writes the screenshots to `docs/screenshots/`.
@Suite struct UnsubscribeBrowserTests {
    /// The first link of an email's `List-Unsubscribe` header, unfolded.
    static func unsubscribeLink(_ email: String) throws -> String {
        let headers = email.components(separatedBy: "\r\n\r\n").first?.replacingOccurrences(of: "\r\n ", with: " ") ?? ""
        let line = try #require(headers.components(separatedBy: "\r\n").first { $0.hasPrefix("List-Unsubscribe: ") })
        let start = try #require(line.firstIndex(of: "<"))
        let end = try #require(line[start...].firstIndex(of: ">"))
        return String(line[line.index(after: start)..<end])
    }

    /// The contrast ratio (WCAG 2) of two CSS colors `rgb(r, g, b)`.
    static func contrast(_ first: String, _ second: String) -> Double {
        func luminance(_ css: String) -> Double {
            let channels = css.split { !$0.isNumber && $0 != "." }.prefix(3).compactMap { Double($0) }.map { value -> Double in
                let c = value / 255
                return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
            }
            guard channels.count == 3 else { return 0 }
            return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        }
        let (a, b) = (luminance(first), luminance(second))
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    @Test(.timeLimit(.minutes(3)))
    func aVictimOnAPhoneUnsubscribesInSpanishAndArabicBehindAPathPrefix() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                throw TestFailure("\(tool) is missing: scripts/test installs Debian's chromium and chromium-driver")
            }
        }
        let daemon = try DaemonProcess()
        let proxyPort = try DaemonProcess.freePort()
        daemon.extraEnvironment["AVISO_HTTP_PUBLIC_URL"] = "http://127.0.0.1:\(proxyPort)/aviso"
        try daemon.createCaptain()
        try daemon.start()
        defer { daemon.stop() }
        for step in [
            ["case", "open", "KC-2025-004512", "--offense", "armed_robbery", "--unit", "Robbery Unit"],
            [
                "victim", "add", "KC-2025-004512", "--name", "José Pérez", "--language", "es", "--phone", "+18165550142", "--email",
                "jose@example.org", "--consent", "verbal", "--wording-version", "2026-01",
            ],
            [
                "victim", "add", "KC-2025-004512", "--name", "Amal Haddad", "--language", "ar", "--email", "amal@example.org", "--consent", "verbal",
                "--wording-version", "2026-01",
            ],
        ] {
            let result = try daemon.aviso(step)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(daemon.wait(seconds: 15) { daemon.spooled("email").count == 2 }, "\(daemon.log(tail: 10))")
        var links: [String: String] = [:]
        for file in daemon.spooled("email") {
            let email = try String(contentsOf: daemon.spool.appendingPathComponent("email/\(file)"), encoding: .utf8)
            links[email.contains("To: <amal@example.org>") ? "ar" : "es"] = try Self.unsubscribeLink(email)
        }
        for (_, link) in links { #expect(link.hasPrefix("http://127.0.0.1:\(proxyPort)/aviso/unsubscribe/")) }

        let screenshots =
            ProcessInfo.processInfo.environment["AVISO_UPDATE_SCREENSHOTS"] == "1"
            ? repositoryRoot.appendingPathComponent("docs/screenshots") : daemon.directory.appendingPathComponent("screenshots")
        let spanish = try #require(links["es"])
        let arabic = try #require(links["ar"])
        // Chromium takes a while: waited for off the cooperative threads other suites need meanwhile.
        let output = try await awaitTool(
            testPython,
            [
                testingScript("unsubscribe_browser.py"), "--upstream", "http://127.0.0.1:\(daemon.port)", "--proxy-port", String(proxyPort),
                "--link", "es=\(spanish)", "--link", "ar=\(arabic)", "--out", screenshots.path,
            ], timeout: 150)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [String: [String: [String: Any]]])
        let catalog = try repositoryTemplates()
        for (language, direction, textsKey) in [("es", "ltr", "unsubscribe.texts_continue"), ("ar", "rtl", "unsubscribe.no_texts")] {
            let tag = try LanguageTag(language)
            func term(_ key: String) throws -> String { try catalog.term(key, for: tag) }
            let seen = try #require(results[language])
            let page = try #require(seen["page"])
            let link = try #require(links[language])
            let path = try #require(URL(string: link)?.path)
            #expect(page["lang"] as? String == language && page["dir"] as? String == direction)
            #expect(page["path"] as? String == path)
            #expect((page["viewport"] as? [String: Any])?["width"] as? Int == 390)
            #expect(page["overflow"] as? Bool == false, "\(language): the page is wider than the phone")
            let text = try #require(page["text"] as? String)
            #expect(text.contains(try term("department")), "\(language): the page names the department")
            #expect(text.contains(try term(textsKey)), "\(language): the page says whether texts continue")
            #expect((page["telLinks"] as? [String])?.isEmpty == false, "\(language): the number to call is a link")
            #expect(page["phoneLeftToRight"] as? Bool == true, "\(language): the phone number reads left to right")
            #expect((page["fontSize"] as? Double ?? 0) >= 16)
            let button = try #require(page["button"] as? [String: Any])
            #expect(button["name"] as? String == (try term("unsubscribe.button")))
            #expect((button["width"] as? Double ?? 0) >= 300 && (button["height"] as? Double ?? 0) >= 48, "\(language): \(button)")
            #expect((button["bottom"] as? Double ?? 9999) <= 844, "\(language): the button is in view without scrolling")
            #expect((button["fontSize"] as? Double ?? 0) >= 18 && button["focusable"] as? Bool == true)
            let ratio = Self.contrast(button["color"] as? String ?? "", button["background"] as? String ?? "")
            #expect(ratio >= 4.5, "\(language): button contrast \(ratio)")

            let done = try #require(seen["done"])
            #expect(done["form"] as? Bool == false && done["path"] as? String == path, "\(language): \(done["path"] ?? "-")")
            let doneText = try #require(done["text"] as? String)
            let confirmation = try term("unsubscribe.done").components(separatedBy: "{{").first!.trimmingCharacters(in: .whitespaces)
            #expect(doneText.contains(confirmation), "\(language): \(doneText)")
            #expect(doneText.contains(try term(textsKey)))

            let invalid = try #require(seen["invalid"])
            #expect(invalid["lang"] as? String == language && invalid["dir"] as? String == direction)
            #expect(invalid["h1"] as? String == (try term("unsubscribe.invalid_title")))
            #expect(invalid["form"] as? Bool == false && (invalid["telLinks"] as? [String])?.isEmpty == false)
            for name in ["unsubscribe-\(language).png", "unsubscribe-\(language)-done.png", "unsubscribe-\(language)-invalid.png"] {
                let size = (try? FileManager.default.attributesOfItem(atPath: screenshots.appendingPathComponent(name).path)[.size] as? Int) ?? 0
                #expect(size > 10_000, "\(name) was not saved")
            }
        }
        // The button's POST went through the proxy's prefix and opted both addresses out.
        let proxied = try #require(json["proxy"] as? [[String: Any]])
        #expect(proxied.filter { $0["method"] as? String == "POST" && $0["status"] as? Int == 200 }.count == 2)
        let states = try await DatabaseQueue(path: daemon.databasePath).read { db in
            try String.fetchAll(db, sql: "SELECT consent_state FROM contact_points WHERE channel = 'email' ORDER BY id")
        }
        #expect(states == ["opted_out", "opted_out"])
    }
}
