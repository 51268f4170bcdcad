import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Two-person approval: an update over the bar waits; a supervisor who did
/// not ask approves exactly the preview shown; a change voids the approval.
@Suite struct ApprovalTests {
    struct Harness {
        let fixture: StoreFixture
        let state: ServerState
        let supervisor: String
        let secondSupervisor: String

        init(policy: ApprovalPolicy) throws {
            fixture = try StoreFixture()
            state = ServerState(
                store: fixture.store, clock: fixture.clock, planner: fixture.planner, security: SecuritySettings(approval: policy))
            supervisor = try fixture.store.createStaff(StaffCreate(name: "Sgt. Paz", role: .supervisor), now: fixture.clock.now()).token
            secondSupervisor = try fixture.store.createStaff(StaffCreate(name: "Lt. Cole", role: .supervisor), now: fixture.clock.now()).token
            try fixture.openCase()
            try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
            try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        }

        func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            try await Application(router: AvisoRoutes.router(state: state, readiness: { [] })).test(.router, body)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: String) throws -> T {
        try AccountLifecycleTests.decode(type, body)
    }

    static let custom = #"{"event": "custom", "fields": {"text": {"es": "La audiencia se movió.", "en": "The hearing moved."}}}"#

    @Test func anUpdateOverTheBarWaitsAndASecondPersonApprovesExactlyThePreview() async throws {
        let harness = try Harness(policy: ApprovalPolicy(events: [.custom]))
        let captain = harness.fixture.captainToken
        try await harness.run { client in
            let waiting = try await client.call(.post, "/v1/cases/KC-2025-004512/updates", as: captain, json: Self.custom)
            #expect(waiting.status == .accepted)
            let preview = try Self.decode(UpdateView.self, waiting.body)
            let approvalId = try #require(preview.approval?.id)
            #expect(preview.approval?.state == "awaiting_approval")
            #expect(preview.id == nil, "nothing is queued before the approval")
            let digest = try #require(preview.previewDigest)
            let before = try harness.fixture.allMessages().count
            // The requester never approves; a captain never approves.
            let own = try await client.call(
                .post, "/v1/approvals/\(approvalId)/approve", as: captain, json: #"{"preview_digest": "\#(digest)"}"#)
            #expect(own.status == .forbidden)
            // The approval shows the preview the captain saw.
            let shown = try Self.decode(ApprovalView.self, try await client.call(.get, "/v1/approvals/\(approvalId)", as: harness.supervisor).body)
            #expect(shown.preview?.messages.count == preview.messages.count && shown.previewDigest == digest)
            let listed = try Self.decode(ApprovalList.self, try await client.call(.get, "/v1/approvals", as: harness.supervisor).body)
            #expect(listed.approvals.map(\.id) == [approvalId])
            // A digest of some other preview is refused.
            let other = try await client.call(
                .post, "/v1/approvals/\(approvalId)/approve", as: harness.supervisor,
                json: #"{"preview_digest": "\#(String(repeating: "0", count: 64))"}"#)
            #expect(other.status == .conflict)
            let approved = try await client.call(
                .post, "/v1/approvals/\(approvalId)/approve", as: harness.supervisor, json: #"{"preview_digest": "\#(digest)", "note": "checked"}"#)
            #expect(approved.status == .created, "\(approved.body)")
            let queued = try Self.decode(UpdateView.self, approved.body)
            #expect(queued.id != nil && queued.previewDigest == digest && queued.createdBy == harness.fixture.captain.actor)
            #expect(try harness.fixture.allMessages().count == before + 2)
            let decided = try Self.decode(ApprovalView.self, try await client.call(.get, "/v1/approvals/\(approvalId)", as: captain).body)
            #expect(decided.state == "approved" && decided.updateId == queued.id && decided.decidedBy?.hasPrefix("staff:") == true)
            // Decided once: a second approval is refused.
            let again = try await client.call(
                .post, "/v1/approvals/\(approvalId)/approve", as: harness.secondSupervisor, json: #"{"preview_digest": "\#(digest)"}"#)
            #expect(again.status == .conflict)
        }
    }

    @Test func aChangeAfterThePreviewVoidsTheApproval() async throws {
        let harness = try Harness(policy: ApprovalPolicy(events: [.custom]))
        try await harness.run { client in
            let waiting = try Self.decode(
                UpdateView.self,
                try await client.call(.post, "/v1/cases/KC-2025-004512/updates", as: harness.fixture.captainToken, json: Self.custom).body)
            let approvalId = try #require(waiting.approval?.id)
            // A victim is added after the preview: the approved preview is no longer what would be sent.
            try harness.fixture.addVictim("Luis Gómez", language: "es", phone: "+18165550143")
            let before = try harness.fixture.allMessages().count
            let refused = try await client.call(
                .post, "/v1/approvals/\(approvalId)/approve", as: harness.supervisor,
                json: #"{"preview_digest": "\#(try #require(waiting.previewDigest))"}"#)
            #expect(refused.status == .conflict)
            #expect(try problem(refused.body).detail.contains("changed"))
            #expect(try harness.fixture.allMessages().count == before, "nothing was queued")
            let void = try Self.decode(ApprovalView.self, try await client.call(.get, "/v1/approvals/\(approvalId)", as: harness.supervisor).body)
            #expect(void.state == "void")
        }
    }

    @Test func theRecipientBarUrgentEventsAndRejection() async throws {
        let harness = try Harness(policy: ApprovalPolicy(recipientsOver: 1))
        try await harness.run { client in
            // Two victims told, more than one: it waits. An urgent release does not.
            let plea = try await client.call(.post, "/v1/cases/KC-2025-004512/updates", as: harness.fixture.captainToken, json: #"{"event": "plea"}"#)
            #expect(plea.status == .accepted)
            let released = try await client.call(
                .post, "/v1/cases/KC-2025-004512/updates", as: harness.fixture.captainToken,
                json: #"{"event": "released", "fields": {"reason": "bond"}}"#)
            #expect(released.status == .created, "\(released.body)")
            // A preview never waits.
            #expect(
                try await client.call(
                    .post, "/v1/cases/KC-2025-004512/updates/preview", as: harness.fixture.captainToken, json: #"{"event": "plea"}"#
                ).status == .ok)
            let approvalId = try #require(try Self.decode(UpdateView.self, plea.body).approval?.id)
            let rejected = try await client.call(
                .post, "/v1/approvals/\(approvalId)/reject", as: harness.fixture.captainToken, json: #"{"note": "sent by mistake"}"#)
            #expect(rejected.status == .ok)
            #expect(try Self.decode(ApprovalView.self, rejected.body).state == "rejected")
            let waiting = try Self.decode(ApprovalList.self, try await client.call(.get, "/v1/approvals", as: harness.supervisor).body)
            #expect(waiting.approvals.isEmpty)
            let all = try Self.decode(ApprovalList.self, try await client.call(.get, "/v1/approvals?all=true", as: harness.supervisor).body)
            #expect(all.approvals.count == 1)
        }
    }
}
