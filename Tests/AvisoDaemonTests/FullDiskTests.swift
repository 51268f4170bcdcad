import AvisoCore
import AvisoDaemon
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A full disk pauses Aviso instead of stopping it: the dispatcher waits and
/// retries, /readyz says why, the API answers 503, nothing accepted is lost,
/// and everything resumes once there is room.
@Suite struct FullDiskTests {
    func waitUntil(_ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func theDispatcherWaitsOutAFullDiskAndLosesNothing() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let victims = 300
        for index in 0..<victims { try fixture.addVictim("Victim \(index)", language: "es", phone: "+1816555\(String(format: "%04d", index))") }
        let gateway = RecordingGateway()
        let told = Mutex<[String?]>([])
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: gateway, .email: gateway], clock: fixture.clock,
            settings: .init(batchSize: 20, concurrency: 4, pollInterval: .milliseconds(50), shutdownGrace: .seconds(5)), logger: .init(label: "test"),
            onStorageProblem: { problem in told.withLock { $0.append(problem) } })
        try fixture.store.simulateFullDisk()
        let running = Task { try await dispatcher.run() }
        try await waitUntil { dispatcher.storageProblem != nil }
        #expect(dispatcher.storageProblem?.contains("disk full") == true)
        #expect(!running.isCancelled)
        // The disk filled mid-dispatch (the contact log grows with every outcome): nothing was lost.
        let whileFull = try fixture.allMessages()
        #expect(whileFull.count == victims)
        #expect(whileFull.contains { $0.state != .sent }, "the disk never filled")
        try await Task.sleep(for: .milliseconds(300))
        let handedOff = gateway.sent.count
        try await Task.sleep(for: .milliseconds(300))
        #expect(gateway.sent.count == handedOff, "hand-offs went on while their outcomes could not be recorded")

        try fixture.store.endSimulatedFullDisk()
        try await waitUntil { try fixture.allMessages().allSatisfy { $0.state == .sent } }
        #expect(dispatcher.storageProblem == nil)
        // systemd heard both: paused (STATUS=), then writing again.
        let heard = told.withLock { $0 }
        #expect(heard.count == 2 && heard.first??.contains("paused") == true && heard.last! == nil, "\(heard)")
        #expect(gateway.sent.count == victims, "each message was handed off once: \(gateway.sent.count)")
        dispatcher.beginShutdown()
        try await running.value
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }

    @Test func theAPIAnswers503WhileTheDiskIsFullAndChangesNothing() async throws {
        let fixture = try StoreFixture()
        let state = ServerState(store: fixture.store, clock: fixture.clock, planner: fixture.planner)
        let app = Application(router: AvisoRoutes.router(state: state, readiness: { [] }))
        try fixture.store.simulateFullDisk()
        try await app.test(.router) { client in
            func open(_ index: Int) async throws -> HTTPResponse.Status {
                let body =
                    #"{"number": "KC-2025-\#(100_000 + index)", "offense": "armed_robbery", "unit": "Robbery Unit", "summary": "\#(String(repeating: "x", count: 400))"}"#
                return try await client.execute(
                    uri: "/v1/cases", method: .post,
                    headers: [.authorization: "Bearer \(fixture.captainToken)", .contentType: "application/json"], body: ByteBuffer(string: body)
                ) { response in
                    if response.status == .serviceUnavailable {
                        #expect(response.headers[.retryAfter] == "30")
                        #expect(String(buffer: response.body).contains("nothing was accepted"))
                    }
                    return response.status
                }
            }
            var accepted = 0
            var refused = false
            for index in 0..<500 {
                let status = try await open(index)
                if status == .serviceUnavailable {
                    refused = true
                    break
                }
                #expect(status == .created)
                accepted += 1
            }
            #expect(refused, "the disk never filled")
            // Every 201 is a case; the refused one left nothing behind.
            #expect(try fixture.store.cases().count == accepted)
            try fixture.store.endSimulatedFullDisk()
            #expect(try await open(accepted) == .created)
        }
    }
}
