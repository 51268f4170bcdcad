import AvisoTesting
import Foundation
import Testing

extension EndToEnd {
    /// What an administrator installs: the unit file and `make install`.
    @Suite struct PackagingTests {
        static let analyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")

        /// The shipped unit with ExecStart pointing at the built avisod (verify
        /// checks that the binary exists), in a fresh directory.
        func unitWithBuiltBinary() throws -> URL {
            let unit = try String(contentsOf: repositoryRoot.appendingPathComponent("systemd/avisod.service"), encoding: .utf8)
            #expect(unit.contains("ExecStart=/usr/bin/avisod serve"))
            let copy = try temporaryDirectory("unit").appendingPathComponent("avisod.service")
            try unit.replacingOccurrences(of: "/usr/bin/avisod", with: try DaemonProcess.binary("avisod").path)
                .write(to: copy, atomically: true, encoding: .utf8)
            return copy
        }

        static func exposure(_ output: String) -> Double? {
            guard let line = output.split(separator: "\n").first(where: { $0.contains("Overall exposure level") }) else { return nil }
            return line.split(separator: " ").compactMap { Double($0) }.first
        }

        @Test func theUnitFileVerifiesWithoutAnyComplaint() throws {
            let unit = try unitWithBuiltBinary()
            let verify = try DaemonProcess.execute(Self.analyze, ["verify", "--man=no", unit.path])
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect((verify.stdout + verify.stderr).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(verify.stdout)\(verify.stderr)")
        }

        @Test func theUnitsSecurityExposureIsAtMostOnePointFive() throws {
            let unit = try unitWithBuiltBinary()
            let security = try DaemonProcess.execute(Self.analyze, ["security", "--offline=true", "--no-pager", unit.path])
            #expect(security.status == 0, "\(security.stderr)")
            let score = try #require(Self.exposure(security.stdout), "no score in: \(security.stdout)\(security.stderr)")
            #expect(score <= 1.5, "exposure \(score) is above 1.5 (SPEC §8):\n\(security.stdout)")
            #expect(!security.stderr.contains("ignoring"), "systemd ignored a line of the unit: \(security.stderr)")
        }

        @Test func makeInstallPutsEverythingWhereTheUnitExpectsIt() throws {
            let root = try temporaryDirectory("install")
            let make = try DaemonProcess.execute(
                URL(fileURLWithPath: "/usr/bin/make"),
                ["-s", "install", "DESTDIR=\(root.path)", "PREFIX=/opt/aviso", "CONFIGURATION=debug"],
                directory: repositoryRoot)
            #expect(make.status == 0, "\(make.stderr)")
            let manager = FileManager.default
            for path in [
                "opt/aviso/bin/avisod", "opt/aviso/bin/aviso", "opt/aviso/share/aviso/templates/es/welcome.sms.mustache",
                "opt/aviso/share/aviso/templates/en/terms.txt", "opt/aviso/share/aviso/avisod.conf.example", "opt/aviso/share/doc/aviso/README.md",
                "opt/aviso/lib/systemd/system/avisod.service", "opt/aviso/lib/sysusers.d/aviso.conf", "etc/aviso/avisod.conf",
            ] {
                #expect(manager.fileExists(atPath: root.appendingPathComponent(path).path), "\(path) was not installed")
            }
            #expect(manager.isExecutableFile(atPath: root.appendingPathComponent("opt/aviso/bin/avisod").path))
            for secret in ["twilio-auth-token", "smtp-password"] {
                let attributes = try manager.attributesOfItem(atPath: root.appendingPathComponent("etc/aviso/credentials/\(secret)").path)
                #expect((attributes[.posixPermissions] as? Int) == 0o600)
                #expect((attributes[.size] as? Int) == 0)
            }
            let credentials = try manager.attributesOfItem(atPath: root.appendingPathComponent("etc/aviso/credentials").path)
            #expect((credentials[.posixPermissions] as? Int) == 0o700)

            let unit = try String(contentsOf: root.appendingPathComponent("opt/aviso/lib/systemd/system/avisod.service"), encoding: .utf8)
            #expect(unit.contains("ExecStart=/opt/aviso/bin/avisod serve --config /etc/aviso/avisod.conf"))
            #expect(unit.contains("LoadCredential=twilio-auth-token:/etc/aviso/credentials/twilio-auth-token"))
            let config = root.appendingPathComponent("etc/aviso/avisod.conf")
            #expect(try String(contentsOf: config, encoding: .utf8).contains("templates.directory = /opt/aviso/share/aviso/templates"))

            // The installed daemon accepts the installed configuration and templates.
            var environment = ProcessInfo.processInfo.environment
            environment["AVISO_TEMPLATES_DIRECTORY"] = root.appendingPathComponent("opt/aviso/share/aviso/templates").path
            let check = try DaemonProcess.execute(
                root.appendingPathComponent("opt/aviso/bin/avisod"), ["check", "-c", config.path], environment: environment)
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

            // A second install keeps what the administrator changed.
            try "# edited by the administrator\n".write(to: config, atomically: true, encoding: .utf8)
            try "secret\n".write(to: root.appendingPathComponent("etc/aviso/credentials/smtp-password"), atomically: true, encoding: .utf8)
            let again = try DaemonProcess.execute(
                URL(fileURLWithPath: "/usr/bin/make"),
                ["-s", "install", "DESTDIR=\(root.path)", "PREFIX=/opt/aviso", "CONFIGURATION=debug"],
                directory: repositoryRoot)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try String(contentsOf: config, encoding: .utf8) == "# edited by the administrator\n")
            #expect(try String(contentsOf: root.appendingPathComponent("etc/aviso/credentials/smtp-password"), encoding: .utf8) == "secret\n")
        }
    }
}
