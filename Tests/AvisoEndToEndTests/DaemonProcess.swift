import AvisoTesting
import Foundation
import Glibc

/// A real `avisod` started as a process on a loopback port with its own state
/// directory, driven by the real `aviso` client.
final class DaemonProcess: @unchecked Sendable {
    let directory: URL
    let port: Int
    var process: Process?
    var token = ""
    let logFile: URL
    /// Added to the daemon's environment (NOTIFY_SOCKET, WATCHDOG_USEC, AVISO_LOG_LEVEL, …).
    var extraEnvironment: [String: String] = [:]

    static func binary(_ name: String) throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            repositoryRoot.appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw TestFailure("\(name) is not built: run 'swift build' before the end-to-end tests (scripts/test does).")
    }

    init() throws {
        directory = try temporaryDirectory("avisod-e2e")
        port = try Self.freePort()
        logFile = directory.appendingPathComponent("avisod.log")
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["AVISO_STATE_DIRECTORY"] = directory.path
        environment["AVISO_TEMPLATES_DIRECTORY"] = repositoryRoot.appendingPathComponent("Templates").path
        environment["AVISO_HTTP_PORT"] = String(port)
        // Open the daytime window to the whole day, so the test does not depend on the hour it runs at.
        environment["AVISO_QUIET_HOURS_DAY_STARTS"] = "00:00"
        environment["AVISO_QUIET_HOURS_DAY_ENDS"] = "24:00"
        environment["AVISO_DISPATCH_POLL_INTERVAL_MS"] = "100"
        environment["AVISO_URL"] = "http://127.0.0.1:\(port)"
        environment["AVISO_TOKEN"] = token
        environment["AVISO_CLIENT_CONFIG"] = directory.appendingPathComponent("no-client-config").path
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment.removeValue(forKey: "JOURNAL_STREAM")
        environment.removeValue(forKey: "INVOCATION_ID")
        environment.merge(extraEnvironment) { _, extra in extra }
        return environment
    }

    var configPath: String { repositoryRoot.appendingPathComponent("Config/avisod.conf").path }
    var spool: URL { directory.appendingPathComponent("spool") }
    var databasePath: String { directory.appendingPathComponent("aviso.sqlite").path }

    /// Creates the first captain with `avisod token create`.
    func createCaptain() throws {
        let result = try run(
            Self.binary("avisod"), ["token", "create", "-c", configPath, "--role", "captain", "--name", "Capt. Ana Ruiz", "--languages", "es,en"])
        guard result.status == 0 else { throw TestFailure("token create failed: \(result.stderr)") }
        token = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `avisod serve` and waits until its port accepts connections.
    func start() throws {
        let process = Process()
        process.executableURL = try Self.binary("avisod")
        process.arguments = ["serve", "-c", configPath]
        process.environment = environment
        if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: logFile)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Self.canConnect(port: port) { return }
            guard process.isRunning else { throw TestFailure("avisod exited at start: \(log(tail: 20))") }
            usleep(50_000)
        }
        throw TestFailure("avisod did not listen within 20 s: \(log(tail: 20))")
    }

    func kill(signal: Int32) {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    func stop() {
        kill(signal: SIGTERM)
    }

    /// Sends `signal` without waiting for the daemon to exit.
    func signal(_ signal: Int32) {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
    }

    /// The whole log, every line the daemon wrote to stdout and stderr.
    var logText: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func log(tail lines: Int) -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Runs `aviso` with the daemon's address and token.
    func aviso(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(Self.binary("aviso"), arguments)
    }

    func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.execute(executable, arguments, environment: environment)
    }

    /// Runs a program to its end and returns its exit status and output; one
    /// still running after `timeout` seconds is killed (status 9, SIGKILL).
    static func execute(
        _ executable: URL, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment, directory: URL? = nil,
        timeout: TimeInterval = 120
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.currentDirectoryURL = directory
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            if finished.wait(timeout: .now() + timeout) == .timedOut { Glibc.kill(pid, SIGKILL) }
        }
        defer { finished.signal() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// The spool's files of one channel folder (`sms` or `email`), by name.
    func spooled(_ channel: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent(channel).path)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
    }

    /// Waits until `condition` holds, up to `seconds`.
    func wait(seconds: Double, for condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    deinit {
        kill(signal: SIGKILL)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
