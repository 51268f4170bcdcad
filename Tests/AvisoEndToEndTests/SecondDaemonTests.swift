import AvisoTesting
import Foundation
import Glibc
import Testing

/// One daemon per database: a second `avisod serve` on the same state refuses to start and names the first.
@Suite struct SecondDaemonTests {
    @Test func aSecondServeOnTheSameDatabaseIsRefusedNamingTheFirst() throws {
        let daemon = try DaemonProcess()
        try daemon.createCaptain()
        try daemon.start()
        defer { daemon.stop() }
        let pid = try #require(daemon.process?.processIdentifier)
        var environment = daemon.environment
        environment["AVISO_HTTP_PORT"] = String(try DaemonProcess.freePort())
        let second = try DaemonProcess.execute(try DaemonProcess.binary("avisod"), ["serve", "-c", daemon.configPath], environment: environment)
        #expect(second.status != 0)
        #expect(second.stderr.contains("Another avisod (PID \(pid))"), "\(second.stderr)")
        #expect(second.stderr.contains("aviso.sqlite"))
        // The first is untouched and still answers.
        #expect(try daemon.aviso(["status"]).status == 0)
        // Once the first is gone (even by SIGKILL), the lock goes with it.
        daemon.kill(signal: SIGKILL)
        try daemon.start()
        #expect(try daemon.aviso(["status"]).status == 0)
    }
}
