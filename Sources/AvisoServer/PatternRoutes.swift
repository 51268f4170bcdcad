import AvisoCore
import AvisoStore
import Foundation
import Hummingbird

/// Patterns (`/v1/patterns`), their updates, and the update and hearing lists of cases and patterns.
extension AvisoRoutes {
    static func addPatterns(to v1: RouterGroup<AvisoRequestContext>, state: ServerState) {
        v1.get("patterns") { _, context in
            let staff = try require(context, .readCases)
            return json(try state.store.patterns(for: staff))
        }
        v1.post("patterns") { request, context in
            let staff = try require(context, .writeCases)
            let input = try await body(PatternCreate.self, request, context)
            return json(try state.store.createPattern(input, by: staff, now: state.clock.now()), status: .created)
        }
        v1.get("patterns/:id") { _, context in
            let staff = try readPattern(context, state: state)
            return json(try state.store.pattern(id: try id(context), for: staff))
        }
        v1.patch("patterns/:id") { request, context in
            let staff = try writePattern(context, state: state)
            let input = try await body(PatternRename.self, request, context)
            return json(try state.store.renamePattern(id: try id(context), to: input.name, by: staff))
        }
        v1.post("patterns/:id/cases") { request, context in
            let staff = try writePattern(context, state: state)
            let input = try await body(PatternCaseLink.self, request, context)
            return json(try state.store.linkCase(input.caseNumber, toPattern: try id(context), by: staff, now: state.clock.now()), status: .created)
        }
        v1.delete("patterns/:id/cases/:number") { _, context in
            let staff = try writePattern(context, state: state)
            return json(try state.store.unlinkCase(try caseNumber(context), fromPattern: try id(context), by: staff))
        }
        v1.post("patterns/:id/staff") { request, context in
            let staff = try writePattern(context, state: state)
            let input = try await body(PatternStaffAssignment.self, request, context)
            let assigned = try state.store.assign(staffId: input.staffId, toPattern: try id(context), by: staff, now: state.clock.now())
            return json(assigned.map { StaffView(id: $0.id, name: $0.name, role: $0.role, languages: $0.languages, token: nil) })
        }
        v1.post("patterns/:id/updates") { request, context in
            let staff = try writePattern(context, state: state)
            return try await queue(request, context, state: state, staff: staff, target: .pattern(try id(context)), dryRun: false)
        }
        v1.post("patterns/:id/updates/preview") { request, context in
            let staff = try writePattern(context, state: state)
            return try await queue(request, context, state: state, staff: staff, target: .pattern(try id(context)), dryRun: true)
        }
        v1.get("patterns/:id/updates") { _, context in
            _ = try readPattern(context, state: state)
            return json(UpdateList(updates: try state.store.updates(target: .pattern(try id(context)))))
        }
        v1.get("patterns/:id/hearings") { _, context in
            _ = try readPattern(context, state: state)
            return json(HearingList(hearings: try state.store.hearings(target: .pattern(try id(context)))))
        }
        v1.get("patterns/:id/inbox") { request, context in
            let staff = try readPattern(context, state: state)
            let query = request.uri.queryParameters
            let replies = try state.store.inbox(
                for: staff, caseNumber: nil, caseIds: try state.store.patternCaseIds(id: try id(context), for: staff),
                includeHandled: query.get("handled") == "true" || query.get("all") == "true", includeKeywords: query.get("all") == "true", limit: 500)
            return json(InboxList(replies: replies))
        }
        v1.get("patterns/:id/export") { _, context in
            let staff = try require(context, .audit)
            return json(try state.store.exportPattern(id: try id(context), by: staff, now: state.clock.now()))
        }
        v1.get("cases/:number/updates") { _, context in
            let staff = try require(context, .readCases)
            let number = try caseNumber(context)
            try state.store.requireAccess(staff, caseNumber: number)
            return json(UpdateList(updates: try state.store.updates(target: .caseNumber(number))))
        }
        v1.get("cases/:number/hearings") { _, context in
            let staff = try require(context, .readCases)
            let number = try caseNumber(context)
            try state.store.requireAccess(staff, caseNumber: number)
            return json(HearingList(hearings: try state.store.hearings(target: .caseNumber(number))))
        }
    }

    static func readPattern(_ context: AvisoRequestContext, state: ServerState) throws -> StaffAccount {
        let staff = try require(context, .readCases)
        try state.store.requireAccess(staff, patternId: try id(context))
        return staff
    }

    static func writePattern(_ context: AvisoRequestContext, state: ServerState) throws -> StaffAccount {
        let staff = try require(context, .writeCases)
        try state.store.requireAccess(staff, patternId: try id(context))
        return staff
    }

    /// Previews or queues an update on a case or a pattern, after the caller's access was checked.
    static func queue(
        _ request: Request, _ context: AvisoRequestContext, state: ServerState, staff: StaffAccount, target: UpdateTargetReference, dryRun: Bool
    ) async throws -> Response {
        let (view, status) = try queue(
            try await body(UpdateCreate.self, request, context), context, state: state, staff: staff, target: target, dryRun: dryRun)
        return json(view, status: status)
    }

    /// Queues (or previews) `input`; with `expectDigest` (an approved preview), only if it still sends exactly that.
    /// An update over the approval bar is not queued: it waits (202) with the preview, for a second person.
    static func queue(
        _ input: UpdateCreate, _ context: AvisoRequestContext, state: ServerState, staff: StaffAccount, target: UpdateTargetReference,
        dryRun: Bool, expectDigest: String? = nil
    ) throws -> (UpdateView, HTTPResponse.Status) {
        guard let event = Event(rawValue: input.event), event.isQueueable else {
            throw AvisoError.invalid(
                "event", "'\(input.event)' is not an event staff can queue. Events: \(Event.queueable.map(\.rawValue).joined(separator: ", ")).")
        }
        let current = state.reloadable
        let planner = current.planner
        let fields = try (input.fields ?? UpdateFields()).validated(
            for: event, catalog: planner.catalog, departmentZone: planner.policy.departmentZone)
        let sendAt = try input.sendAt.map { (raw: String) throws(AvisoError) in
            try UpdateFields.parseLocalDateTime(raw, zone: planner.policy.departmentZone, field: "send_at")
        }
        try SendAtRule.check(sendAt, raw: input.sendAt, now: state.clock.now(), zone: planner.policy.departmentZone)
        let update = UpdateRequest(event: event, fields: fields, sendAt: sendAt)
        let policy = state.security.approval
        if !dryRun, expectDigest == nil, policy.mayApply(to: event) {
            // The preview the requester would have seen decides, and is kept for the approver.
            let preview = try state.store.queueUpdate(
                update, target: target, by: staff, planner: planner, now: state.clock.now(), dryRun: true, messageLifetime: current.messageLifetime)
            if let reason = policy.reason(event: event, recipients: preview.reach?.outcomes["told"] ?? preview.messageCount) {
                let approval = try state.store.requestApproval(
                    target: target, input: input, preview: preview, reason: reason, by: staff, now: state.clock.now())
                var waiting = preview
                waiting.approval = ApprovalSummary(id: approval.id, state: approval.state, reason: reason)
                context.logger.info("update waits for approval", metadata: ["approval": "\(approval.id)", "event": "\(event.rawValue)"])
                return (waiting, .accepted)
            }
        }
        let view = try state.store.queueUpdate(
            update, target: target, by: staff, planner: planner, now: state.clock.now(), dryRun: dryRun, messageLifetime: current.messageLifetime,
            expectDigest: expectDigest)
        if !dryRun {
            state.wakeDispatcher()
            context.logger.info(
                "update queued",
                metadata: [
                    "update": "\(view.id.map(String.init) ?? "-")", "case": "\(view.caseNumber ?? "-")",
                    "pattern": "\(view.patternId.map(String.init) ?? "-")", "event": "\(event.rawValue)", "messages": "\(view.messageCount)",
                ])
        }
        return (view, dryRun ? .ok : .created)
    }
}
