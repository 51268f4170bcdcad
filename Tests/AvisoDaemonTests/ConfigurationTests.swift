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

/// Mistakes an administrator makes, caught when the configuration is read,
/// each error naming the key, the value and what is allowed.
@Suite struct ConfigurationMistakeTests {
    func load(_ environment: [String: String]) throws -> DaemonConfiguration {
        try DaemonConfiguration.load(path: nil, environment: environment)
    }

    func detail(_ environment: [String: String]) -> String {
        do {
            _ = try load(environment)
            return "loaded"
        } catch {
            return (error as? AvisoError)?.detail ?? "\(error)"
        }
    }

    @Test(arguments: [
        ("https://aviso.kcpd.example/", "https://aviso.kcpd.example"),
        ("https://aviso.kcpd.example//", "https://aviso.kcpd.example"),
        ("https://kcpd.example/aviso/", "https://kcpd.example/aviso"),
        ("https://kcpd.example:8443/aviso", "https://kcpd.example:8443/aviso"),
        ("http://127.0.0.1:8750", "http://127.0.0.1:8750"),
    ])
    func thePublicURLLosesItsTrailingSlashAndKeepsItsPath(written: String, normalized: String) throws {
        let configuration = try load(["AVISO_HTTP_PUBLIC_URL": written])
        #expect(configuration.publicURL == normalized)
        #expect(configuration.statusCallbackURL == normalized + "/webhooks/twilio/status")
    }

    @Test(arguments: ["aviso.kcpd.example", "ftp://aviso.kcpd.example", "https://", "https://aviso.kcpd.example/?x=1", "https://a:b@kcpd.example"])
    func aPublicURLThatIsNotAnAbsoluteHTTPURLIsRefused(value: String) {
        let text = detail(["AVISO_HTTP_PUBLIC_URL": value])
        #expect(text.contains("http.public_url") && text.contains("'\(value)'") && text.contains("absolute http or https URL"), "\(text)")
    }

    @Test func plainHTTPOutsideLoopbackIsAWarning() throws {
        #expect(try load(["AVISO_HTTP_PUBLIC_URL": "http://aviso.kcpd.example"]).warnings.first?.contains("plain http") == true)
        #expect(try load(["AVISO_HTTP_PUBLIC_URL": "https://aviso.kcpd.example"]).warnings.isEmpty)
        #expect(try load(["AVISO_HTTP_PUBLIC_URL": "http://localhost:8750"]).warnings.isEmpty)
    }

    @Test func aMisspelledVariableIsAnErrorNamingTheClosestKey() {
        let text = detail(["AVISO_HTTP_PROT": "1"])
        #expect(text.contains("AVISO_HTTP_PROT") && text.contains("AVISO_HTTP_PORT") && text.contains("http.port"), "\(text)")
        #expect(detail(["AVISO_DISPATCH_CONCURENCY": "4"]).contains("AVISO_DISPATCH_CONCURRENCY"))
    }

    @Test func theClientsAndTheSecretsVariablesAreNotMistakes() throws {
        let configuration = try load([
            "AVISO_URL": "http://127.0.0.1:8750", "AVISO_TOKEN": "aviso_x", "AVISO_TWILIO_AUTH_TOKEN": "t", "AVISO_CONFIG": "/etc/aviso/avisod.conf",
            "AVISO_HTTP_PORT": "9000",
        ])
        #expect(configuration.httpPort == 9000)
        #expect(configuration.overrides == ["AVISO_HTTP_PORT"])
    }

    @Test func anUnknownKeyInTheFileNamesTheClosestKey() throws {
        let file = try temporaryDirectory().appendingPathComponent("avisod.conf")
        try "http.prot = 9000\n".write(to: file, atomically: true, encoding: .utf8)
        #expect {
            try DaemonConfiguration.load(path: file.path, environment: [:])
        } throws: { error in
            let text = (error as? AvisoError)?.detail ?? ""
            return text.contains("\(file.path):1") && text.contains("'http.prot'") && text.contains("'http.port'")
        }
        #expect(try DaemonConfiguration.load(path: repositoryRoot.appendingPathComponent("Config/avisod.conf").path, environment: [:]).file != nil)
    }

    @Test(arguments: [
        ("AVISO_DEPARTMENT_PHONE", "816 234 5000", "department.phone"),
        ("AVISO_HTTP_PORT", "99999", "0 to 65535"),
        ("AVISO_DEPARTMENT_TIME_ZONE", "Central", "IANA time zone"),
        ("AVISO_GATEWAY_SMS", "sns", "spool, twilio"),
        ("AVISO_LOG_LEVEL", "verbose", "trace, debug"),
    ])
    func aBadValueNamesTheKeyTheValueAndWhatIsAllowed(variable: String, value: String, allowed: String) {
        let text = detail([variable: value])
        #expect(text.contains(variable) && text.contains("'\(value)'") && text.contains(allowed), "\(text)")
    }

    @Test func crossedValuesNameBothKeysAndTheirValues() {
        let hours = detail(["AVISO_QUIET_HOURS_DAY_STARTS": "22:00", "AVISO_QUIET_HOURS_DAY_ENDS": "07:00"])
        #expect(hours.contains("quiet_hours.day_starts (22:00)") && hours.contains("quiet_hours.day_ends (07:00)"), "\(hours)")
        let retry = detail(["AVISO_DISPATCH_RETRY_BASE_SECONDS": "600", "AVISO_DISPATCH_RETRY_MAX_SECONDS": "60"])
        #expect(retry.contains("(600)") && retry.contains("(60)"), "\(retry)")
    }

    @Test func aMissingTemplatesDirectoryNamesTheKeyAndThePath() throws {
        let missing = try temporaryDirectory().appendingPathComponent("templates").path
        #expect {
            try TemplateDirectory.load(missing)
        } throws: { error in
            let text = (error as? AvisoError)?.detail ?? ""
            return text
                == "templates.directory = \(missing): no such directory. Set it to a directory with one folder per language (en/, es/, …), such as /usr/share/aviso/templates."
        }
    }
}
