import AvisoCore
import AvisoStore
import Foundation
public import Hummingbird
import Logging

/// Every route of the API. `docs/openapi.yaml` documents each one; a test
/// fails when a route here is missing there.
public enum AvisoRoutes {
    /// Builds the router. `readiness` answers /readyz with a list of problems (empty when ready).
    public static func router(state: ServerState, readiness: @escaping @Sendable () -> [String]) -> Router<AvisoRequestContext> {
        router(state: state, operations: Operations(readiness: readiness))
    }

    /// Builds the router with the daemon's instruments and probes.
    public static func router(state: ServerState, operations: Operations) -> Router<AvisoRequestContext> {
        let router = Router(context: AvisoRequestContext.self)
        router.middlewares.add(RequestObserver(metrics: operations.metrics))
        router.middlewares.add(ProblemMiddleware())
        addOperations(to: router, state: state, operations: operations)
        let v1 = router.group("v1").add(middleware: StaffGate(state: state, metrics: operations.metrics)).add(
            middleware: TimeZoneHeader(state: state))
        addStatus(to: v1, state: state, operations: operations)
        v1.get("me") { _, context in
            let staff = try require(context, .none)
            return json(StaffView(id: staff.id, name: staff.name, role: staff.role, languages: staff.languages, token: nil))
        }
        v1.get("cases") { _, context in
            let staff = try require(context, .readCases)
            let visible = try state.store.visibleCaseIds(for: staff)
            return json(try state.store.cases().filter { visible?.contains($0.id) ?? true })
        }
        v1.post("cases") { request, context in
            let staff = try require(context, .writeCases)
            let input = try await body(CaseCreate.self, request, context).validated(catalog: state.planner.catalog)
            return json(try state.store.createCase(input, by: staff, now: state.clock.now()), status: .created)
        }
        v1.get("cases/:number") { _, context in
            let staff = try require(context, .readCases)
            let number = try AvisoRoutes.caseNumber(context)
            try state.store.requireAccess(staff, caseNumber: number)
            var view = try state.store.caseView(number: number, withVictims: true)
            view.neverReached = try state.store.neverReached(caseNumber: number)
            return json(view)
        }
        v1.post("cases/:number/victims") { request, context in
            let staff = try require(context, .writeCases)
            let planner = state.planner
            let victim = try await body(VictimCreate.self, request, context).validated(catalog: planner.catalog)
            try state.store.requireAccess(staff, caseNumber: try AvisoRoutes.caseNumber(context))
            let view = try state.store.addVictim(
                victim, toCase: try AvisoRoutes.caseNumber(context), by: staff, planner: planner, now: state.clock.now())
            state.wakeDispatcher()
            context.logger.info(
                "victim registered",
                metadata: ["victim": "\(view.id)", "case": "\(view.cases.joined(separator: ","))", "contact_points": "\(view.contactPoints.count)"])
            return json(view, status: .created)
        }
        VictimImportRoutes.add(to: v1, state: state)
        ConversationRoutes.add(to: v1, state: state)
        v1.post("cases/:number/victim-links") { request, context in
            let staff = try require(context, .writeCases)
            let link = try await body(CaseVictimLink.self, request, context)
            try state.store.requireAccess(staff, caseNumber: try AvisoRoutes.caseNumber(context))
            try state.store.requireAccess(staff, victimId: link.victimId)
            return json(
                try state.store.linkVictim(link.victimId, toCase: try AvisoRoutes.caseNumber(context), now: state.clock.now()), status: .created)
        }
        v1.post("cases/:number/updates") { request, context in
            try await queue(request, context, state: state, dryRun: false)
        }
        v1.post("cases/:number/updates/preview") { request, context in
            try await queue(request, context, state: state, dryRun: true)
        }
        v1.get("updates/:id") { _, context in
            let staff = try require(context, .readCases)
            try state.store.requireAccess(staff, updateId: try id(context))
            return json(try state.store.update(id: try id(context), for: staff))
        }
        v1.post("updates/:id/cancel") { _, context in
            let staff = try require(context, .writeCases)
            try state.store.requireAccess(staff, updateId: try id(context))
            return json(try state.store.cancelUpdate(id: try id(context), by: staff, now: state.clock.now()))
        }
        v1.get("victims/:id") { _, context in
            let staff = try require(context, .readCases)
            try state.store.requireAccess(staff, victimId: try id(context))
            return json(try state.store.victim(id: try id(context)))
        }
        v1.post("victims/:id/contact-points") { request, context in
            let staff = try require(context, .writeCases)
            let point = try await body(ContactPointCreate.self, request, context).validated()
            try state.store.requireAccess(staff, victimId: try id(context))
            let view = try state.store.addContactPoint(point, victimId: try id(context), by: staff, planner: state.planner, now: state.clock.now())
            state.wakeDispatcher()
            return json(view, status: .created)
        }
        v1.post("contact-points/:id/consent") { request, context in
            let staff = try require(context, .writeCases)
            let consent = try await body(ConsentInput.self, request, context)
            try consent.validateFromStaff()
            try state.store.requireAccess(staff, contactPointId: try id(context))
            let view = try state.store.recordConsent(
                consent, contactPointId: try id(context), by: staff, planner: state.planner, now: state.clock.now())
            state.wakeDispatcher()
            let language = view.consent.last?.language ?? "und"
            if consent.state == .optedOut { operations.metrics.recordOptOut(language: language, method: consent.method.rawValue) }
            context.logger.info(
                "consent recorded",
                metadata: [
                    "contact_point": "\(view.id)", "victim": "\(view.victimId)", "channel": "\(view.channel.rawValue)",
                    "consent": "\(view.consentState.rawValue)", "method": "\(consent.method.rawValue)", "language": "\(language)",
                ])
            return json(view, status: .created)
        }
        v1.get("messages") { request, context in
            let staff = try require(context, .readCases)
            let query = request.uri.queryParameters
            if let number = query.get("case") { try state.store.requireAccess(staff, caseNumber: number) }
            var messageState: MessageState?
            if let raw = query.get("state") {
                guard let parsed = MessageState(rawValue: raw) else {
                    throw AvisoError.invalid(
                        "state", "'\(raw)' is not a message state. States: \(MessageState.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                messageState = parsed
            }
            let limit = try limit(query.get("limit"), default: 500, max: 10_000)
            return json(
                MessageList(
                    messages: try state.store.messages(
                        caseNumber: query.get("case"), state: messageState, limit: limit, visibleCases: try state.store.visibleCaseIds(for: staff))))
        }
        v1.get("staff") { _, context in
            try require(context, .manageStaff)
            return json(try state.store.staffList())
        }
        v1.post("staff") { request, context in
            let admin = try require(context, .manageStaff)
            let input = try await body(StaffCreate.self, request, context)
            let now = state.clock.now()
            let (account, token) = try state.store.createStaff(
                input, now: now, tokenLifetime: state.security.tokenLifetime, actor: admin.actor)
            return json(
                StaffView(
                    id: account.id, name: account.name, role: account.role, languages: account.languages, token: token,
                    tokenExpiresAt: now.addingTimeInterval(state.security.tokenLifetime)), status: .created)
        }
        AccountRoutes.add(to: v1, state: state)
        ApprovalRoutes.add(to: v1, state: state)
        v1.get("inbox") { request, context in
            let staff = try require(context, .readCases)
            let query = request.uri.queryParameters
            if let number = query.get("case") { try state.store.requireAccess(staff, caseNumber: number) }
            let replies = try state.store.inbox(
                for: staff, caseNumber: query.get("case"), includeHandled: query.get("handled") == "true" || query.get("all") == "true",
                includeKeywords: query.get("all") == "true", limit: 500)
            return json(InboxList(replies: replies))
        }
        v1.post("inbox/:id/handled") { request, context in
            let staff = try require(context, .writeCases)
            let note = try await ConversationRoutes.handledNote(request, context)
            try state.store.requireAccess(staff, inboundId: try id(context))
            try state.store.markHandled(inboundId: try id(context), by: staff, note: note, now: state.clock.now())
            return Response(status: .noContent)
        }
        v1.post("inbox/:id/opt-out") { request, context in
            let staff = try require(context, .writeCases)
            try state.store.requireAccess(staff, inboundId: try id(context))
            let decision = try await body(OptOutDecision.self, request, context)
            try state.store.decidePossibleOptOut(inboundId: try id(context), optOut: decision.optOut, by: staff, now: state.clock.now())
            state.wakeDispatcher()
            return Response(status: .noContent)
        }
        v1.post("cases/:number/close") { _, context in
            let staff = try require(context, .writeCases)
            try state.store.requireAccess(staff, caseNumber: try AvisoRoutes.caseNumber(context))
            return json(try state.store.closeCase(number: try AvisoRoutes.caseNumber(context), by: staff, now: state.clock.now()))
        }
        v1.post("cases/:number/staff") { request, context in
            let staff = try require(context, .writeCases)
            let number = try AvisoRoutes.caseNumber(context)
            try state.store.requireAccess(staff, caseNumber: number)
            let input = try await body(CaseStaffAssignment.self, request, context)
            let assigned = try state.store.assign(staffId: input.staffId, toCase: number, now: state.clock.now())
            return json(assigned.map { StaffView(id: $0.id, name: $0.name, role: $0.role, languages: $0.languages, token: nil) })
        }
        v1.post("cases/:number/legal-hold") { request, context in
            let staff = try require(context, .writeCases)
            guard staff.role == .supervisor else {
                throw AvisoError(.forbidden, title: "Not allowed", detail: "Only a supervisor puts a case on legal hold or lifts it.")
            }
            let input = try await body(LegalHoldInput.self, request, context)
            return json(try state.store.setLegalHold(number: try AvisoRoutes.caseNumber(context), hold: input.hold))
        }
        v1.get("cases/:number/export") { _, context in
            let staff = try require(context, .audit)
            return json(try state.store.exportCase(number: try AvisoRoutes.caseNumber(context), by: staff, now: state.clock.now()))
        }
        v1.get("victims/:id/export") { _, context in
            let staff = try require(context, .audit)
            return json(try state.store.exportVictim(id: try id(context), by: staff, now: state.clock.now()))
        }
        addPatterns(to: v1, state: state)
        VictimChangeRoutes.add(to: v1, state: state)
        WebhookRoutes.add(to: router, state: state, metrics: operations.metrics)
        return router
    }

    static func queue(_ request: Request, _ context: AvisoRequestContext, state: ServerState, dryRun: Bool) async throws -> Response {
        let staff = try require(context, .writeCases)
        let number = try AvisoRoutes.caseNumber(context)
        try state.store.requireAccess(staff, caseNumber: number)
        return try await queue(request, context, state: state, staff: staff, target: .caseNumber(number), dryRun: dryRun)
    }

    enum Permission { case none, readCases, writeCases, manageStaff, audit }

    @discardableResult
    static func require(_ context: AvisoRequestContext, _ permission: Permission) throws -> StaffAccount {
        guard let staff = context.staff else {
            throw AvisoError(.unauthorized, title: "Not authenticated", detail: "Send an API token as 'Authorization: Bearer <token>'.")
        }
        let allowed =
            switch permission {
            case .none: true
            case .readCases: staff.role.canReadCases
            case .writeCases: staff.role.canWriteCases
            case .manageStaff: staff.role.canManageStaff
            case .audit: staff.role == .supervisor || staff.role == .auditor
            }
        guard allowed else {
            let need =
                switch permission {
                case .none, .readCases: "captain, supervisor or auditor"
                case .writeCases: "captain or supervisor"
                case .manageStaff: "admin"
                case .audit: "supervisor or auditor"
                }
            throw AvisoError(
                .forbidden, title: "Not allowed", detail: "Your role (\(staff.role.rawValue)) cannot do this; it needs the \(need) role.")
        }
        return staff
    }

    /// A `limit` query parameter: a whole number from 1 to `max`, `default` when absent.
    static func limit(_ raw: String?, default value: Int, max: Int) throws(AvisoError) -> Int {
        guard let raw else { return value }
        guard let parsed = Int(raw), (1...max).contains(parsed) else { throw .invalid("limit", "limit is a whole number from 1 to \(max).") }
        return parsed
    }

    static func id(_ context: AvisoRequestContext) throws -> Int64 {
        let raw = try context.parameters.require("id")
        guard let value = Int64(raw), value > 0 else { throw AvisoError.invalid("id", "'\(raw)' is not an id: ids are positive whole numbers.") }
        return value
    }

    static func body<T: Codable>(_ type: T.Type, _ request: Request, _ context: AvisoRequestContext) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return try StrictJSON.decode(T.self, from: Data(buffer.readableBytesView))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? StrictJSON.encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
