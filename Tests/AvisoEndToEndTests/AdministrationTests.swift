import AvisoTesting
import Foundation
import Glibc
import Testing

/// The Twilio-compatible provider of scripts/testing/fake_twilio.py, on
/// loopback: every message it accepts, with the form avisod posted.
final class FakeTwilioProcess: @unchecked Sendable {
    let port: Int
    let record: URL
    let process: Process

    /// Messages to a number in `optedOut` are refused with error 21610, as the carrier's opt-out.
    init(optedOut: [String] = []) throws {
        record = try temporaryDirectory("fake-twilio").appendingPathComponent("requests.jsonl")
        (process, port) = try startPeer(
            [testingScript("fake_twilio.py"), "--record", record.path] + optedOut.flatMap { ["--opted-out", $0] }, name: "the fake Twilio")
    }

    /// What points an avisod at this fake for SMS, with `publicURL` as `http.public_url`.
    func environment(publicURL: String) -> [String: String] {
        [
            "AVISO_GATEWAY_SMS": "twilio", "AVISO_TWILIO_BASE_URL": "http://127.0.0.1:\(port)",
            "AVISO_TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000", "AVISO_TWILIO_FROM": "+18165550100",
            "AVISO_TWILIO_AUTH_TOKEN": "e2e-twilio-token", "AVISO_HTTP_PUBLIC_URL": publicURL,
        ]
    }

    /// Each accepted message: the form fields avisod posted and the sid it was given.
    var requests: [(form: [String: String], sid: String)] {
        let text = (try? String(contentsOf: record, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let form = object["form"] as? [String: String], let sid = object["sid"] as? String
            else { return nil }
            return (form, sid)
        }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

extension EndToEnd {
    /// What the administrator who installs Aviso meets: the public URL as
    /// people write it, `avisod check`, a port already taken.
    @Suite struct AdministrationTests {
        @Test func aPublicURLWithATrailingSlashGivesTheProviderACallbackItsSignatureMatches() throws {
            let twilio = try FakeTwilioProcess()
            let daemon = try DaemonProcess()
            daemon.extraEnvironment = twilio.environment(publicURL: "http://127.0.0.1:\(daemon.port)/")
            try daemon.createCaptain()
            try daemon.start()
            defer { daemon.stop() }
            _ = try daemon.registerCase()
            #expect(daemon.wait(seconds: 20) { twilio.requests.count == 2 }, "\(daemon.log(tail: 10))")
            let callback = "http://127.0.0.1:\(daemon.port)/webhooks/twilio/status"
            for request in twilio.requests { #expect(request.form["StatusCallback"] == callback) }

            // The provider signs each status callback over exactly the StatusCallback it was given.
            let sent = try #require(twilio.requests.first)
            let status = try runTool(
                testPython,
                [
                    testingScript("post_webhook.py"), try #require(sent.form["StatusCallback"]), "e2e-twilio-token", "MessageSid=\(sent.sid)",
                    "MessageStatus=delivered", "AccountSid=AC00000000000000000000000000000000",
                ])
            #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "204")
            let delivered = try daemon.aviso(["messages", "--state", "delivered", "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(delivered.stdout.utf8)) as? [String: Any]
            #expect((list?["messages"] as? [Any])?.count == 1, "\(delivered.stdout) \(delivered.stderr)")
        }

        @Test func checkNamesTheFileAndTheEffectiveValuesAndRefusesWhatServeWould() throws {
            let daemon = try DaemonProcess()
            let avisod = try DaemonProcess.binary("avisod")
            daemon.extraEnvironment = ["AVISO_HTTP_PUBLIC_URL": "https://aviso.kcpd.example/"]
            let ok = try daemon.run(avisod, ["check", "-c", daemon.configPath])
            #expect(ok.status == 0, "\(ok.stderr)")
            for line in [
                "Configuration: \(daemon.configPath)", "department      +1 816 234 5000, America/Chicago",
                "public URL      https://aviso.kcpd.example\n", "listener        127.0.0.1:\(daemon.port)", "SMS gateway     spool",
                "overridden by   ", "AVISO_HTTP_PUBLIC_URL",
            ] {
                #expect(ok.stdout.contains(line), "\(line) in \(ok.stdout.prefix(900))")
            }

            daemon.extraEnvironment = ["AVISO_HTTP_PROT": "1"]
            let misspelled = try daemon.run(avisod, ["check", "-c", daemon.configPath])
            #expect(misspelled.status == 1 && misspelled.stderr.contains("AVISO_HTTP_PORT (http.port)"), "\(misspelled.stderr)")

            // serve would refuse to start without the Twilio auth token; so does check.
            daemon.extraEnvironment = [
                "AVISO_GATEWAY_SMS": "twilio", "AVISO_TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
                "AVISO_TWILIO_FROM": "+18165550100",
            ]
            let noToken = try daemon.run(avisod, ["check", "-c", daemon.configPath])
            #expect(noToken.status == 1 && noToken.stderr.contains("twilio-auth-token"), "\(noToken.stderr)")
            let serve = try daemon.run(avisod, ["serve", "-c", daemon.configPath])
            #expect(serve.status == 1 && serve.stderr.contains("twilio-auth-token"), "\(serve.stderr)")
        }

        @Test func aPortInUseIsNamedWithTheAddressAndTheKey() throws {
            let daemon = try DaemonProcess()
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(daemon.port).bigEndian
            let held = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            try #require(held && listen(fd, 1) == 0)
            let serve = try daemon.run(try DaemonProcess.binary("avisod"), ["serve", "-c", daemon.configPath])
            #expect(serve.status == 1)
            #expect(
                serve.stderr.contains("Cannot listen on 127.0.0.1:\(daemon.port) (http.address = 127.0.0.1, http.port = \(daemon.port))")
                    && serve.stderr.contains("already in use"), "\(serve.stderr)")
        }
    }
}
