import AvisoDaemon
import AvisoTesting
import Foundation
import Glibc
import Testing

@Suite struct SystemdNotifyTests {
    @Test func aDatagramReachesASocketByPath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8)).sock").path
        defer { unlink(path) }
        let listener = try NotifySocket(path: path)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": path]).send("READY=1\nSTATUS=listening"))
        #expect(listener.receive() == "READY=1\nSTATUS=listening")
    }

    @Test func aDatagramReachesAnAbstractSocket() throws {
        let name = "@aviso-test-\(UUID().uuidString.prefix(8))"
        let listener = try NotifySocket(path: name)
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
