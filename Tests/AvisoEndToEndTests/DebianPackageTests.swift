import AvisoTesting
import Foundation
import Glibc
import Testing

extension EndToEnd {
    /// `make deb` as the administrator installs it: a package lintian finds
    /// no error in, installed with dpkg into a fresh Debian 12 root
    /// (debootstrap's minbase and the libraries the package depends on,
    /// made once by scripts/lib/common.sh, ensure_debian_root) where no Swift
    /// toolchain exists, and `avisod --help` and `avisod check` run there.
    @Suite struct DebianPackageTests {
        static func run(_ tool: String, _ arguments: [String], timeout: TimeInterval = 300) throws -> (status: Int32, stdout: String, stderr: String)
        {
            try DaemonProcess.execute(URL(fileURLWithPath: tool), arguments, directory: repositoryRoot, timeout: timeout)
        }

        @Test func thePackageInstallsIntoAFreshDebianRootAndRunsThereWithoutTheToolchain() throws {
            try #require(getuid() == 0, "installing into a root with chroot and dpkg needs root")
            let tarball = repositoryRoot.appendingPathComponent(".build/debian-root/bookworm.tar")
            try #require(
                FileManager.default.fileExists(atPath: tarball.path), "no Debian root at \(tarball.path): scripts/test makes it (ensure_debian_root)")

            // scripts/test builds it (scripts/build-deb, as 'make deb'): a build from inside 'swift test' would wait for its lock.
            let version = try String(contentsOf: repositoryRoot.appendingPathComponent("VERSION"), encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
            let arch = try Self.run("/usr/bin/dpkg", ["--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let deb = repositoryRoot.appendingPathComponent(".build/deb/aviso_\(version)_\(arch).deb")
            try #require(FileManager.default.fileExists(atPath: deb.path), "\(deb.path) is not built: run 'make deb' (scripts/test does)")

            // The binaries carry no path into the build machine's toolchain.
            let stage = repositoryRoot.appendingPathComponent(".build/deb/aviso_\(version)_\(arch)")
            for binary in ["avisod", "aviso"] {
                let dynamic = try Self.run("/usr/bin/readelf", ["-d", stage.appendingPathComponent("usr/bin/\(binary)").path])
                #expect(
                    !dynamic.stdout.contains("RUNPATH") && !dynamic.stdout.contains("RPATH") && !dynamic.stdout.contains("libswift"),
                    "\(dynamic.stdout)")
            }

            let lintian = try Self.run("/usr/bin/lintian", ["--no-tag-display-limit", deb.path], timeout: 600)
            let errors = lintian.stdout.split(separator: "\n").filter { $0.hasPrefix("E: ") }
            #expect(errors.isEmpty, "lintian: \(errors.joined(separator: "\n"))")

            let root = try temporaryDirectory("debian-root")
            defer { try? FileManager.default.removeItem(at: root) }
            #expect(try Self.run("/usr/bin/tar", ["-xf", tarball.path, "-C", root.path]).status == 0)
            let find = try Self.run("/usr/bin/find", [root.path, "-name", "libswiftCore.so*", "-o", "-name", "swift", "-type", "f"])
            #expect(find.stdout.isEmpty, "the fresh root holds Swift: \(find.stdout)")
            try FileManager.default.copyItem(at: deb, to: root.appendingPathComponent("tmp/aviso.deb"))
            // A host has /proc, and a statically linked Swift program reads its arguments from
            // /proc/self/cmdline: without it, avisod would see none and run its default, serve.
            let proc = root.appendingPathComponent("proc").path
            try #require(try Self.run("/usr/bin/mount", ["-t", "proc", "proc", proc]).status == 0)
            defer { _ = try? Self.run("/usr/bin/umount", [proc]) }
            func chroot(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
                try Self.run("/usr/sbin/chroot", [root.path] + arguments, timeout: 120)
            }

            let install = try chroot(["/usr/bin/dpkg", "-i", "/tmp/aviso.deb"])
            try #require(install.status == 0, "dpkg -i: \(install.stdout)\(install.stderr)")
            let help = try chroot(["/usr/bin/avisod", "--help"])
            #expect(help.status == 0 && help.stdout.contains("USAGE: avisod"), "\(help.stdout)\(help.stderr)")
            #expect(try chroot(["/usr/bin/aviso", "--help"]).status == 0)
            let check = try chroot(["/usr/bin/avisod", "check"])
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect(
                check.stdout.contains("Configuration: /etc/aviso/avisod.conf") && check.stdout.contains("templates       /usr/share/aviso/templates"))

            #expect(try chroot(["/usr/bin/getent", "passwd", "aviso"]).stdout.contains("/var/lib/aviso"))
            #expect(try chroot(["/usr/bin/dpkg-query", "-W", "-f=${Conffiles}", "aviso"]).stdout.contains("/etc/aviso/avisod.conf"))
            for file in ["lib/systemd/system/avisod.service", "usr/lib/sysusers.d/aviso.conf", "etc/aviso/credentials/twilio-auth-token"] {
                #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file)")
            }
            let credentials = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("etc/aviso/credentials").path)
            #expect(credentials[.posixPermissions] as? Int == 0o700)

            // Removing keeps the database and the configuration; purging removes them.
            let database = root.appendingPathComponent("var/lib/aviso/aviso.sqlite")
            try FileManager.default.createDirectory(at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("kept".utf8).write(to: database)
            #expect(try chroot(["/usr/bin/dpkg", "-r", "aviso"]).status == 0)
            #expect(FileManager.default.fileExists(atPath: database.path))
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/aviso/avisod.conf").path))
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("usr/bin/avisod").path))
            #expect(try chroot(["/usr/bin/dpkg", "-P", "aviso"]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: database.path))
        }
    }
}
