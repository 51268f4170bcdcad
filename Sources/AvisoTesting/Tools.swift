public import Foundation
import Glibc
import Synchronization

/// The tests' own Python interpreter: the virtual environment `scripts/test`
/// makes under `.build/test-python` from `scripts/testing/requirements.txt`
/// (exact versions and hashes), or `AVISO_TEST_PYTHON` when set. Never the
/// machine's `python3`: what happens to be installed there must not change a result.
public let testPython: String = {
    if let path = ProcessInfo.processInfo.environment["AVISO_TEST_PYTHON"], !path.isEmpty { return path }
    return repositoryRoot.appendingPathComponent(".build/test-python/bin/python3").path
}()

/// Runs a helper program of the repository (`scripts/testing/…`) or a system
/// tool, and returns what it printed. For real peers in tests: Python's email
/// parser, the twilio package's signer, openssl. `input` is written to its
/// standard input (otherwise it reads nothing). A tool still running after
/// `timeout` seconds is killed (with everything it started) and an error says so.
public func runTool(_ executable: String, _ arguments: [String], input: String? = nil, timeout: TimeInterval = 30) throws -> String {
    if executable == testPython && !FileManager.default.isExecutableFile(atPath: testPython) {
        throw ToolError(description: "the tests' Python environment is missing at \(testPython): run scripts/test, which makes it")
    }
    let process = Process()
    // Foundation starts the tool as the leader of a process group of its own
    // (POSIX_SPAWN_SETPGROUP), so a timeout can stop it with what it started.
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let inputPipe = input.map { _ in Pipe() }
    process.standardInput = inputPipe ?? FileHandle.nullDevice
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    if let inputPipe, let input {
        DispatchQueue.global().async {
            try? inputPipe.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
        }
    }
    let readers = DispatchGroup()
    let collected = Mutex<(Data, Data)>((Data(), Data()))
    for (pipe, isOutput) in [(output, true), (errors, false)] {
        DispatchQueue.global().async(group: readers) {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { isOutput ? ($0.0 = data) : ($0.1 = data) }
        }
    }
    let command = ([executable] + arguments).joined(separator: " ")
    if exited.wait(timeout: .now() + timeout) == .timedOut {
        kill(-process.processIdentifier, SIGKILL)
        kill(process.processIdentifier, SIGKILL)
        exited.wait()
        _ = readers.wait(timeout: .now() + 5)
        throw ToolError(description: "\(command) did not finish within \(timeout) s and was killed")
    }
    // Whatever the tool left running in its group must not hold the pipes open.
    if readers.wait(timeout: .now() + 5) == .timedOut { kill(-process.processIdentifier, SIGKILL) }
    readers.wait()
    let (data, errorData) = collected.withLock { $0 }
    guard process.terminationStatus == 0 else {
        throw ToolError(description: "\(command) failed (status \(process.terminationStatus)): \(String(decoding: errorData, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}

/// `runTool` for async tests: the tool is waited for on a thread of its own,
/// not on one of Swift concurrency's few cooperative threads (two on a
/// two-core machine), which other tests' tasks need while a slow tool runs.
public func awaitTool(_ executable: String, _ arguments: [String], input: String? = nil, timeout: TimeInterval = 30) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runTool(executable, arguments, input: input, timeout: timeout) as String })
        }
    }
}

public struct ToolError: Error, CustomStringConvertible {
    public var description: String
}

/// The path of a helper script under `scripts/testing/`.
public func testingScript(_ name: String) -> String {
    repositoryRoot.appendingPathComponent("scripts/testing/\(name)").path
}

/// Signs a Twilio webhook with the twilio package's own RequestValidator.
public func twilioSignature(authToken: String, url: String, parameters: [(String, String)]) throws -> String {
    try runTool(testPython, [testingScript("twilio_signature.py"), authToken, url] + parameters.map { "\($0.0)=\($0.1)" })
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A self-signed certificate for 127.0.0.1 and localhost, made for one test.
public func makeCertificate(in directory: URL) throws -> (certificate: String, key: String) {
    let certificate = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    _ = try runTool(
        "openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", key, "-out", certificate,
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ])
    return (certificate, key)
}

/// Starts a peer of the tests' Python (`arguments` are the script and its
/// options) that prints `PORT <n>` once it listens on loopback; returns the
/// process and the port. The caller stops the process.
public func startPeer(_ arguments: [String], name: String) throws -> (Process, Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: testPython)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    var line = Data()
    while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
    guard let text = String(data: line, encoding: .utf8), text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
        process.terminate()
        throw ToolError(description: "\(name) did not start")
    }
    return (process, port)
}

/// A real SMTP server (aiosmtpd) on loopback, writing what it receives to a directory.
public final class SMTPServer: @unchecked Sendable {
    public let port: Int
    public let mailbox: URL
    public let certificate: String
    let process: Process

    public init(mode: String, reject: String = "") throws {
        let directory = try temporaryDirectory("smtp")
        mailbox = directory.appendingPathComponent("mailbox")
        try FileManager.default.createDirectory(at: mailbox, withIntermediateDirectories: true)
        let (certificate, key) = try makeCertificate(in: directory)
        self.certificate = certificate
        (process, port) = try startPeer(
            [testingScript("smtp_server.py"), "--dir", mailbox.path, "--cert", certificate, "--key", key, "--mode", mode, "--reject", reject],
            name: "the SMTP server (aiosmtpd; scripts/test installs it)")
    }

    /// The messages received so far, as files.
    public var received: [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: mailbox.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted().map {
            mailbox.appendingPathComponent($0)
        }
    }

    /// A received message as Python's email parser reads it.
    public func parsed(_ file: URL) throws -> [String: Any] {
        let json = try runTool(testPython, [testingScript("parse_email.py"), file.path])
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
