import AvisoTesting
import Foundation
import Glibc
import Testing

/// The account lifecycle and the door as a user meets them: the real daemon,
/// the real `aviso` and `avisod` commands, real sockets.
@Suite struct AccountEndToEndTests {
    /// A connected socket to the daemon, or nil.
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            return nil
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// True once the daemon closed the connection (a read returns end of file or the connection was reset).
    static func isClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    @Test func slowClientsThatNeverFinishTheirHeadersAreClosed() throws {
        let daemon = try DaemonProcess()
        daemon.extraEnvironment["AVISO_HTTP_IDLE_TIMEOUT_SECONDS"] = "1"
        try daemon.createCaptain()
        try daemon.start()
        defer { daemon.stop() }
        let sockets = (0..<50).compactMap { _ in Self.connect(port: daemon.port) }
        defer { for fd in sockets { close(fd) } }
        #expect(sockets.count == 50)
        for fd in sockets { _ = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
        // A slow loris: one more byte of header every 200 ms, never the end of the head.
        var open = Set(sockets)
        let deadline = Date().addingTimeInterval(6)
        while !open.isEmpty, Date() < deadline {
            for fd in open {
                _ = "a".withCString { send(fd, $0, 1, Int32(MSG_NOSIGNAL)) }
                if Self.isClosed(fd) { open.remove(fd) }
            }
            usleep(150_000)
        }
        #expect(open.isEmpty, "\(open.count) of 50 slow connections were still open after 6 s with a 1 s timeout")
        // The daemon still serves everyone else.
        #expect(try daemon.aviso(["status"]).status == 0)
    }

    @Test func tokensAreListedMadeAndRevokedAndAccountsDisabledFromBothTools() throws {
        let daemon = try DaemonProcess()
        let avisod = try DaemonProcess.binary("avisod")
        try daemon.createCaptain()
        let captainToken = daemon.token
        let created = try daemon.run(avisod, ["token", "create", "-c", daemon.configPath, "--role", "admin", "--name", "Admin Lee"])
        #expect(created.status == 0)
        let adminToken = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let supervisor = try daemon.run(avisod, ["token", "create", "-c", daemon.configPath, "--role", "supervisor", "--name", "Sgt. Paz"])
        let supervisorToken = supervisor.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try daemon.start()
        defer { daemon.stop() }

        daemon.token = adminToken
        let listed = try daemon.aviso(["staff", "tokens", "1"])
        #expect(listed.status == 0 && listed.stdout.contains("token 1\tactive"), "\(listed.stdout) \(listed.stderr)")
        let made = try daemon.aviso(["staff", "token", "1", "--label", "laptop", "--days", "30"])
        #expect(made.status == 0 && made.stderr.contains("Keep it secret"), "\(made.stderr)")
        let laptop = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(laptop.hasPrefix("aviso_"))

        daemon.token = laptop
        #expect(try daemon.aviso(["whoami"]).stdout.contains("Capt. Ana Ruiz"))
        daemon.token = adminToken
        let revoked = try daemon.aviso(["staff", "revoke-token", "4"])
        #expect(revoked.status == 0 && revoked.stdout.contains("revoked"), "\(revoked.stdout) \(revoked.stderr)")
        daemon.token = laptop
        let refused = try daemon.aviso(["whoami"])
        #expect(refused.status == 1 && refused.stderr.contains("revoked"), "\(refused.stderr)")

        // On the host: disable the captain; the first token stops at once; enable it again.
        #expect(try daemon.run(avisod, ["account", "disable", "-c", daemon.configPath, "1"]).status == 0)
        daemon.token = captainToken
        #expect(try daemon.aviso(["whoami"]).status == 1)
        daemon.token = adminToken
        #expect(try daemon.aviso(["staff", "list"]).stdout.contains("disabled"))
        #expect(try daemon.run(avisod, ["account", "enable", "-c", daemon.configPath, "1"]).status == 0)
        daemon.token = captainToken
        #expect(try daemon.aviso(["whoami"]).status == 0)
        // The captain may not read the access log; the supervisor reads it, host changes included.
        #expect(try daemon.aviso(["access-log"]).status == 1)
        daemon.token = supervisorToken
        let log = try daemon.aviso(["access-log"])
        #expect(log.status == 0)
        for line in ["staff:2\tPOST /v1/tokens/{id}/revoke", "unauthenticated\tGET /v1/me", "host\taccount.disable", "host\taccount.enable"] {
            #expect(log.stdout.contains(line), "no '\(line)' in the access log:\n\(log.stdout)")
        }
        let verified = try daemon.run(avisod, ["audit", "verify", "-c", daemon.configPath])
        #expect(verified.status == 0 && verified.stdout.contains("access_log"), "\(verified.stdout)")
    }
}

/// Two-person approval from the command line, on the real daemon.
@Suite struct ApprovalEndToEndTests {
    @Test func aCustomUpdateWaitsUntilASupervisorApprovesIt() throws {
        let daemon = try DaemonProcess()
        daemon.extraEnvironment["AVISO_APPROVAL_EVENTS"] = "custom, released"
        try daemon.createCaptain()
        let captain = daemon.token
        let created = try daemon.run(
            try DaemonProcess.binary("avisod"), ["token", "create", "-c", daemon.configPath, "--role", "supervisor", "--name", "Sgt. Paz"])
        let supervisor = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try daemon.start()
        defer { daemon.stop() }
        #expect(try daemon.aviso(["case", "open", "KC-2025-004512", "--offense", "armed_robbery", "--unit", "Robbery Unit"]).status == 0)
        #expect(
            try daemon.aviso([
                "victim", "add", "KC-2025-004512", "--name", "José Pérez", "--language", "es", "--phone", "+18165550142", "--consent", "verbal",
                "--wording-version", "2026-01",
            ]).status == 0)
        let queued = try daemon.aviso(["update", "queue", "KC-2025-004512", "custom", "--text", "es=La audiencia se movió."])
        #expect(
            queued.status == 0 && queued.stdout.contains("Not queued yet") && queued.stdout.contains("approval 1"),
            "\(queued.stdout) \(queued.stderr)")
        // The requester cannot approve it.
        let own = try daemon.aviso(["approval", "approve", "1"])
        #expect(own.status == 1)
        daemon.token = supervisor
        #expect(try daemon.aviso(["approval", "list"]).stdout.contains("awaiting_approval\tcustom\tKC-2025-004512"))
        let approved = try daemon.aviso(["approval", "approve", "1", "--note", "checked the Spanish"])
        #expect(approved.status == 0 && approved.stdout.contains("Approved: update"), "\(approved.stdout) \(approved.stderr)")
        #expect(approved.stderr.contains("La audiencia se movió."), "the preview was not shown before approving")
        daemon.token = captain
        #expect(try daemon.aviso(["approval", "show", "1"]).stdout.contains("approved"))
    }
}
