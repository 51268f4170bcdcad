import AvisoDaemon
import Foundation
import Glibc
import Testing

/// A datagram socket like systemd's notification socket, bound to `path`
/// (a file path, or an abstract name starting with `@`).
final class NotifyListener {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in for (index, byte) in bytes.enumerated() { buffer[index] = byte } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EINVAL) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    deinit { close(fd) }
}

@Suite struct SystemdNotifyTests {
    @Test func aDatagramReachesASocketByPath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8)).sock").path
        defer { unlink(path) }
        let listener = try NotifyListener(path: path)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": path]).send("READY=1\nSTATUS=listening"))
        #expect(listener.receive() == "READY=1\nSTATUS=listening")
    }

    @Test func aDatagramReachesAnAbstractSocket() throws {
        let name = "@aviso-test-\(UUID().uuidString.prefix(8))"
        let listener = try NotifyListener(path: name)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": name]).send("WATCHDOG=1"))
        #expect(listener.receive() == "WATCHDOG=1")
    }

    @Test func withoutSystemdNothingIsSent() {
        #expect(!SystemdNotify(environment: [:]).send("READY=1"))
    }

    @Test func theWatchdogIsPingedAtHalfItsPeriodWhenItIsMeantForThisProcess() {
        #expect(SystemdNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(15))
        #expect(SystemdNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": String(getpid())]) == .milliseconds(100))
        #expect(SystemdNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(SystemdNotify.watchdogInterval(environment: [:]) == nil)
    }
}
