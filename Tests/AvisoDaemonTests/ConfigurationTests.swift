import AvisoCore
import AvisoDaemon
import AvisoTesting
import Foundation
import Testing

@Suite struct ConfigurationTests {
    @Test func theShippedConfigurationLoadsAndSetsTheShutdownGrace() throws {
        let configuration = try DaemonConfiguration.load(path: repositoryRoot.appendingPathComponent("Config/avisod.conf").path, environment: [:])
        #expect(configuration.shutdownGrace == .seconds(10))
        let overridden = try DaemonConfiguration.load(path: nil, environment: ["AVISO_SHUTDOWN_GRACE_SECONDS": "3"])
        #expect(overridden.shutdownGrace == .seconds(3))
    }

    @Test func aGraceOutOfRangeIsRefusedNamingTheKey() {
        #expect {
            try DaemonConfiguration.load(path: nil, environment: ["AVISO_SHUTDOWN_GRACE_SECONDS": "3600"])
        } throws: { error in
            let detail = (error as? AvisoError)?.detail ?? ""
            return detail.contains("AVISO_SHUTDOWN_GRACE_SECONDS") && detail.contains("0 to 600")
        }
    }

    @Test func onlyKeysReadAtStartNeedARestart() {
        let running = DaemonConfiguration()
        var changed = running
        changed.departmentPhone = "+1 816 234 5999"
        changed.logLevel = "debug"
        changed.templatesDirectory = "/srv/aviso/templates"
        #expect(changed.restartOnlyChanges(from: running).isEmpty)
        changed.httpPort = 9000
        changed.concurrency = 4
        #expect(changed.restartOnlyChanges(from: running) == ["http.port", "dispatch.concurrency"])
    }
}
