import ArgumentParser
import AsyncHTTPClient
import AvisoCore
import AvisoDaemon
import AvisoGateways
import AvisoStore
import Foundation
import Glibc
import Hummingbird
import Logging
import NIOCore

/// Measures Aviso against SPEC §8 on this machine: fan-out of an update to a
/// case's victims, and dispatch throughput to a loopback Twilio-compatible
/// gateway compared with a bare HTTP client against the same gateway.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aviso-bench", abstract: "Aviso's benchmarks (SPEC §8).",
        subcommands: [Fanout.self, Dispatch.self, Start.self, Latency.self, FakeTwilio.self])
}

/// What every benchmark shares: a fresh database, the repository's templates, a captain.
struct Setup {
    let directory: URL
    let store: AvisoStore
    let planner: UpdatePlanner
    let captain: StaffAccount

    init(templates: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aviso-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try AvisoStore(path: directory.appendingPathComponent("aviso.sqlite").path)
        // The whole day is daytime here, so every message is due at once.
        let policy = MessagePolicy(
            daytime: DaytimeWindow(startMinute: 0, endMinute: 1440), contactPhone: "+1 816 234 5000",
            departmentZone: TimeZone(identifier: "America/Chicago")!)
        planner = UpdatePlanner(catalog: try TemplateDirectory.load(templates), policy: policy)
        captain = try store.createStaff(StaffCreate(name: "Bench Captain", role: .captain), now: Date()).0
        _ = try store.createCase(CaseCreate(number: "KC-BENCH-1", offense: "armed_robbery", unit: "Robbery Unit"), by: captain, now: Date())
    }

    /// Registers `count` victims, half Spanish and half English, one consented phone each.
    func addVictims(_ count: Int, toCase number: String = "KC-BENCH-1", firstIndex: Int = 0) throws {
        let consent = ConsentInput(state: .optedIn, method: .verbal, wordingVersion: "2026-01")
        var victims: [ValidatedVictim] = []
        victims.reserveCapacity(count)
        for index in firstIndex..<(firstIndex + count) {
            let phone = "+1816\(String(format: "%07d", 2_000_000 + index))"  // 816-2xx-xxxx: in the NANP plan
            victims.append(
                try VictimCreate(
                    displayName: "Victim \(index)", language: index % 2 == 0 ? "es" : "en", timeZone: "America/Chicago",
                    contactPoints: [ContactPointCreate(channel: .sms, address: phone, consent: consent)]
                ).validated(catalog: planner.catalog))
        }
        _ = try store.addVictims(victims, toCase: number, by: captain, planner: planner, now: Date())
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Resident memory of this process, in MiB, from /proc.
func residentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kb / 1024
}

struct Fanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time to materialize one update to N victims (rendered, scheduled, durable): to one case, or to a pattern of --cases cases.")
    @Option(help: "Victims in all.") var victims = 100_000
    @Option(help: "Cases: more than 1 spreads the victims over them, links them into a pattern and queues the update to it.") var cases = 1
    @Option(help: "The templates directory.") var templates = "Templates"

    func validate() throws {
        guard cases >= 1, victims >= cases else { throw ValidationError("--cases is at least 1 and at most --victims.") }
    }

    func run() async throws {
        let setup = try Setup(templates: templates)
        defer { setup.cleanUp() }
        let clock = ContinuousClock()
        var target = UpdateTargetReference.caseNumber("KC-BENCH-1")
        let registered = try clock.measure {
            if cases == 1 {
                try setup.addVictims(victims)
                return
            }
            var numbers = ["KC-BENCH-1"]
            for index in 2...cases {
                numbers.append("KC-BENCH-\(index)")
                _ = try setup.store.createCase(
                    CaseCreate(number: numbers[index - 1], offense: "armed_robbery", unit: "Robbery Unit"), by: setup.captain, now: Date())
            }
            let each = victims / cases
            for (index, number) in numbers.enumerated() {
                try setup.addVictims(index == cases - 1 ? victims - each * index : each, toCase: number, firstIndex: each * index)
            }
            // Some victims were robbed twice: the first victim of each case is on the next one too, and told once.
            for index in 0..<(cases - 1) { _ = try setup.store.linkVictim(Int64(each * index + 1), toCase: numbers[index + 1], now: Date()) }
            let pattern = try setup.store.createPattern(
                PatternCreate(name: "Bench pattern", caseNumbers: numbers), by: setup.captain, now: Date())
            target = .pattern(pattern.id)
        }
        print("registered \(victims) victims on \(cases) case\(cases == 1 ? "" : "s") in \(String(format: "%.2f", seconds(registered))) s")
        let fields = try UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2), Charge(offense: "armed_criminal_action", count: 2)])
            .validated(for: .chargesFiled, catalog: setup.planner.catalog, departmentZone: TimeZone(identifier: "America/Chicago")!)
        var update: UpdateView?
        let elapsed = try clock.measure {
            update = try setup.store.queueUpdate(
                UpdateRequest(event: .chargesFiled, fields: fields, sendAt: nil), target: target, by: setup.captain, planner: setup.planner,
                now: Date(), dryRun: false)
        }
        let count = update?.messageCount ?? 0
        print(
            "fan-out: charges_filed to \(count) contact points (\(update?.targetLabel ?? "?")) materialized in \(String(format: "%.2f", seconds(elapsed))) s (target < 2 s for 100,000)"
        )
        if let reach = update?.reach { print("reach: \(reach.summary)") }
        print("resident memory: \(String(format: "%.0f", residentMiB())) MiB")
    }
}

struct Dispatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dispatch throughput to a loopback Twilio-compatible gateway, against a bare HTTP client's rate in the same run.")
    @Option(help: "Victims (each gets a welcome and the update: twice as many messages).") var victims = 10_000
    @Option(help: "The templates directory.") var templates = "Templates"
    @Option(help: "Messages claimed per transaction.") var batch = 500
    @Option(help: "Hand-offs in flight.") var concurrency = 64

    func run() async throws {
        let port = Int.random(in: 20_000..<60_000)
        let fake = Process()
        fake.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        fake.arguments = ["fake-twilio", "--port", "\(port)"]
        try fake.run()
        defer { fake.terminate() }
        let base = "http://127.0.0.1:\(port)"
        try await waitForServer(base)

        let setup = try Setup(templates: templates)
        defer { setup.cleanUp() }
        try setup.addVictims(victims)
        let fields = try UpdateFields().validated(for: .arrest, catalog: setup.planner.catalog, departmentZone: .gmt)
        _ = try setup.store.queueUpdate(
            UpdateRequest(event: .arrest, fields: fields, sendAt: nil), caseNumber: "KC-BENCH-1", by: setup.captain, planner: setup.planner,
            now: Date(), dryRun: false)
        let total = victims * 2

        let bare = try await bareClientRate(base: base, requests: min(total, 20_000), concurrency: concurrency)
        print("bare HTTP client: \(Int(bare)) requests/s against the loopback gateway")

        let gateway = TwilioGateway(
            settings: TwilioSettings(
                baseURL: base, accountSid: "ACbench", authToken: "bench", from: "+18165550100", messagingServiceSid: nil, statusCallback: nil,
                ratePerSecond: 1_000_000, timeout: 30))
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let dispatcher = Dispatcher(
            store: setup.store, gateways: [.sms: gateway], clock: SystemClock(),
            settings: .init(batchSize: batch, concurrency: concurrency), logger: logger)
        let clock = ContinuousClock()
        var handled = 0
        let elapsed = try await clock.measure { handled = try await dispatcher.runUntilIdle() }
        let peak = residentMiB()
        let rate = Double(handled) / seconds(elapsed)
        let sent = try setup.store.messages(caseNumber: nil, state: .sent, limit: total + 10).count
        print(
            "dispatch: \(handled) messages claimed, handed off and recorded (\(sent) sent) in \(String(format: "%.2f", seconds(elapsed))) s = \(Int(rate)) messages/s"
        )
        print("dispatch / bare client: \(String(format: "%.0f", 100 * rate / bare)) % (target ≥ 50 %; absolute target ≥ 5,000 messages/s)")
        print("resident memory after dispatch: \(String(format: "%.0f", peak)) MiB")
    }

    func waitForServer(_ base: String) async throws {
        for _ in 0..<200 {
            var request = HTTPClientRequest(url: base + "/ping")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ValidationError("the loopback gateway did not start")
    }

    /// Posts the same form the gateway posts, `requests` times with `concurrency` in flight.
    func bareClientRate(base: String, requests: Int, concurrency: Int) async throws -> Double {
        let body = FormEncoding.encode([("To", "+18165551234"), ("From", "+18165550100"), ("Body", "KCPD: Hubo un arresto en su caso KC-BENCH-1.")])
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func add() {
                    guard next < requests else { return }
                    next += 1
                    group.addTask {
                        var request = HTTPClientRequest(url: base + "/2010-04-01/Accounts/ACbench/Messages.json")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                        request.body = .bytes(ByteBuffer(string: body))
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 16)
                    }
                }
                for _ in 0..<concurrency { add() }
                while try await group.next() != nil { add() }
            }
        }
        return Double(requests) / seconds(elapsed)
    }
}

/// A minimal Twilio-compatible gateway on loopback: accepts every message.
struct FakeTwilio: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fake-twilio", abstract: "Run the loopback gateway the dispatch benchmark sends to.")
    @Option var port: Int

    func run() async throws {
        let router = Router()
        router.get("/ping") { _, _ in "ok" }
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ -> Response in
            var request = request
            _ = try await request.collectBody(upTo: 1 << 16)
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(string: #"{"sid": "SM\#(UUID().uuidString.replacingOccurrences(of: "-", with: ""))", "status": "queued"}"#)
                ))
        }
        var logger = Logger(label: "fake-twilio")
        logger.logLevel = .error
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}

/// Time from starting avisod to READY=1 with a database of N messages.
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time for avisod to report READY=1 with a database of N queued messages.")
    @Option(help: "Messages in the database (victims × updates, roughly).") var messages = 1_000_000
    @Option(help: "Victims on the case; each update adds one message per victim.") var victims = 100_000
    @Option(help: "The templates directory.") var templates = "Templates"
    @Option(help: "The avisod binary.") var avisod = ".build/release/avisod"

    func run() async throws {
        let setup = try Setup(templates: templates)
        defer { setup.cleanUp() }
        try setup.addVictims(victims)
        let fields = try UpdateFields().validated(for: .plea, catalog: setup.planner.catalog, departmentZone: .gmt)
        var total = victims
        // Scheduled a day ahead, so the daemon starts with the whole queue waiting.
        while total < messages {
            _ = try setup.store.queueUpdate(
                UpdateRequest(event: .plea, fields: fields, sendAt: Date().addingTimeInterval(86400)), caseNumber: "KC-BENCH-1", by: setup.captain,
                planner: setup.planner, now: Date(), dryRun: false)
            total += victims
        }
        print("database: \(total) messages")

        let socketPath = setup.directory.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in socketPath.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw ValidationError("cannot bind \(socketPath)") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: avisod)
        process.arguments = ["serve", "-c", "Config/avisod.conf"]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socketPath
        environment["AVISO_STATE_DIRECTORY"] = setup.directory.path
        environment["AVISO_TEMPLATES_DIRECTORY"] = templates
        environment["AVISO_HTTP_PORT"] = "\(Int.random(in: 20_000..<60_000))"
        environment["AVISO_LOG_LEVEL"] = "error"
        process.environment = environment
        let clock = ContinuousClock()
        let started = clock.now
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { throw ValidationError("avisod did not report READY=1 within 30 s") }
            if String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").contains("READY=1") { break }
        }
        let elapsed = clock.now - started
        print(
            "start: READY=1 \(String(format: "%.0f", seconds(elapsed) * 1000)) ms after exec with \(total) messages (target < 500 ms with 1,000,000)")
        // Let the dispatcher and the first status line run, then read the daemon's resident memory.
        try await Task.sleep(for: .seconds(2))
        if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        {
            print(
                "avisod resident memory with \(total) messages queued: \(line.split(separator: " ").dropFirst().first ?? "?") kB (target < 64 MB, flat)"
            )
        }
    }
}

/// Queue-to-gateway latency when idle and outside quiet hours: the time from
/// an update's commit to its message reaching the gateway, with the running
/// dispatcher woken as the API wakes it.
struct Latency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Queue-to-gateway latency (p50, p99) when idle.")
    @Option(help: "Updates to queue, one at a time, each to one victim.") var samples = 200
    @Option(help: "The templates directory.") var templates = "Templates"

    /// Notes when each message reaches it.
    final class TimingGateway: MessageGateway, @unchecked Sendable {
        let name = "timing"
        let lock = NSLock()
        var arrived: [Int64: ContinuousClock.Instant] = [:]

        func send(_ message: OutboundMessage) async -> GatewayOutcome {
            lock.withLock { arrived[message.messageId] = ContinuousClock.now }
            return .sent(providerId: "t-\(message.messageId)")
        }

        func arrival(_ id: Int64) -> ContinuousClock.Instant? { lock.withLock { arrived[id] } }
    }

    func run() async throws {
        let setup = try Setup(templates: templates)
        defer { setup.cleanUp() }
        try setup.addVictims(1)
        let gateway = TimingGateway()
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let dispatcher = Dispatcher(
            store: setup.store, gateways: [.sms: gateway], clock: SystemClock(), settings: .init(pollInterval: .seconds(1)), logger: logger)
        let running = Task { try await dispatcher.run() }
        defer { running.cancel() }
        let fields = try UpdateFields().validated(for: .plea, catalog: setup.planner.catalog, departmentZone: .gmt)
        try await Task.sleep(for: .milliseconds(300))  // the welcome goes first
        var latencies: [Double] = []
        for _ in 0..<samples {
            let update = try setup.store.queueUpdate(
                UpdateRequest(event: .plea, fields: fields, sendAt: nil), caseNumber: "KC-BENCH-1", by: setup.captain, planner: setup.planner,
                now: Date(), dryRun: false)
            let committed = ContinuousClock.now
            dispatcher.wake()
            guard let id = update.messages.first?.id else { continue }
            while gateway.arrival(id) == nil { try await Task.sleep(for: .microseconds(200)) }
            latencies.append(seconds(gateway.arrival(id)! - committed) * 1000)
            try await Task.sleep(for: .milliseconds(20))  // idle between updates
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print(
            "queue-to-gateway over \(latencies.count) updates: p50 \(String(format: "%.1f", percentile(0.5))) ms, p99 \(String(format: "%.1f", percentile(0.99))) ms, max \(String(format: "%.1f", latencies.last ?? 0)) ms (target p99 < 50 ms)"
        )
    }
}
