import AvisoCore
import AvisoStore
import Foundation
import Hummingbird

/// Two-person approval: updates over the configured bar wait here until a
/// supervisor who is not the requester approves exactly the preview that
/// was shown (by its digest), or someone rejects it.
enum ApprovalRoutes {
    static func add(to v1: RouterGroup<AvisoRequestContext>, state: ServerState) {
        v1.get("approvals") { request, context in
            let staff = try AvisoRoutes.require(context, .readCases)
            let all = request.uri.queryParameters.get("all") == "true"
            let visible = try state.store.approvals(all: all, limit: 500).filter { (try? requireAccess(staff, $0, state)) != nil }
            return AvisoRoutes.json(ApprovalList(approvals: visible))
        }
        v1.get("approvals/:id") { _, context in
            let staff = try AvisoRoutes.require(context, .readCases)
            let approval = try find(try AvisoRoutes.id(context), state)
            try requireAccess(staff, approval, state)
            return AvisoRoutes.json(approval)
        }
        v1.post("approvals/:id/approve") { request, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let approval = try find(try AvisoRoutes.id(context), state)
            try requireAccess(staff, approval, state)
            guard staff.role == .supervisor else {
                throw AvisoError(.forbidden, title: "Not allowed", detail: "Only a supervisor approves an update that needs a second person.")
            }
            guard approval.requestedBy != staff.actor else {
                throw AvisoError(
                    .forbidden, title: "Not allowed", detail: "You asked for this update: a second person, not the requester, approves it.")
            }
            let decision = try await AvisoRoutes.body(ApprovalDecision.self, request, context)
            guard let digest = decision.previewDigest else {
                throw AvisoError.invalid("preview_digest", "Name the preview you approve: its preview_digest, from GET /v1/approvals/\(approval.id).")
            }
            guard digest == approval.previewDigest else {
                throw AvisoError(
                    .conflict, title: "Not the preview asked for",
                    detail: "That digest is not the preview this approval holds (\(approval.previewDigest)). Read the approval again.")
            }
            guard approval.state == "awaiting_approval" else {
                throw AvisoError.conflict("Approval \(approval.id) was already decided: it is \(approval.state).")
            }
            let held = try state.store.approvalRequest(id: approval.id)
            let queued: UpdateView
            do {
                // Queued as the requester asked for it, with the requester's reach, only if it still sends exactly the approved preview.
                (queued, _) = try AvisoRoutes.queue(
                    held.input, context, state: state, staff: held.requester, target: held.target, dryRun: false, expectDigest: digest)
            } catch let error as AvisoError where error.kind == .conflict || error.kind == .missingTranslation || error.kind == .invalid {
                try state.store.decideApproval(
                    id: approval.id, state: "void", by: staff, note: "void: \(error.detail)", updateId: nil, now: state.clock.now())
                throw error
            }
            try state.store.decideApproval(
                id: approval.id, state: "approved", by: staff, note: decision.note, updateId: queued.id, now: state.clock.now())
            return AvisoRoutes.json(queued, status: .created)
        }
        v1.post("approvals/:id/reject") { request, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let approval = try find(try AvisoRoutes.id(context), state)
            try requireAccess(staff, approval, state)
            guard staff.role == .supervisor || approval.requestedBy == staff.actor else {
                throw AvisoError(.forbidden, title: "Not allowed", detail: "A supervisor, or the requester, rejects an update waiting for approval.")
            }
            let decision = try await AvisoRoutes.body(ApprovalDecision.self, request, context)
            return AvisoRoutes.json(
                try state.store.decideApproval(
                    id: approval.id, state: "rejected", by: staff, note: decision.note, updateId: nil, now: state.clock.now()))
        }
    }

    static func find(_ id: Int64, _ state: ServerState) throws -> ApprovalView {
        guard let approval = try state.store.approval(id: id) else { throw AvisoError.notFound("approval", String(id)) }
        return approval
    }

    /// An approval is seen by whoever sees its case or pattern.
    static func requireAccess(_ staff: StaffAccount, _ approval: ApprovalView, _ state: ServerState) throws {
        do {
            if let number = approval.caseNumber {
                try state.store.requireAccess(staff, caseNumber: number)
            } else if let pattern = approval.patternId {
                try state.store.requireAccess(staff, patternId: pattern)
            }
        } catch {
            throw AvisoError.notFound("approval", String(approval.id))
        }
    }
}
