import AvisoCore
import AvisoStore
import Foundation
import Hummingbird

/// Staff accounts' tokens and state (admins), a staff member's own tokens, and
/// the access log (supervisors and auditors). Every change is attributed to
/// the account that made it and appended to the access log.
enum AccountRoutes {
    static func add(to v1: RouterGroup<AvisoRequestContext>, state: ServerState) {
        v1.get("staff/:id/tokens") { _, context in
            try AvisoRoutes.require(context, .manageStaff)
            return AvisoRoutes.json(TokenList(tokens: try state.store.tokens(staffId: try AvisoRoutes.id(context), now: state.clock.now())))
        }
        v1.post("staff/:id/tokens") { request, context in
            let admin = try AvisoRoutes.require(context, .manageStaff)
            let input = try await AvisoRoutes.body(TokenCreate.self, request, context)
            let view = try state.store.createToken(
                staffId: try AvisoRoutes.id(context), input, defaultLifetime: state.security.tokenLifetime, by: admin.actor,
                client: client(request, context, state), now: state.clock.now())
            return AvisoRoutes.json(view, status: .created)
        }
        v1.post("staff/:id/disable") { request, context in
            let admin = try AvisoRoutes.require(context, .manageStaff)
            let staffId = try AvisoRoutes.id(context)
            guard staffId != admin.id else {
                throw AvisoError.conflict(
                    "You cannot disable your own account here: another administrator can, or 'avisod account disable' on the host.")
            }
            return AvisoRoutes.json(
                try state.store.setDisabled(
                    staffId: staffId, true, by: admin.actor, client: client(request, context, state), now: state.clock.now()))
        }
        v1.post("staff/:id/enable") { request, context in
            let admin = try AvisoRoutes.require(context, .manageStaff)
            return AvisoRoutes.json(
                try state.store.setDisabled(
                    staffId: try AvisoRoutes.id(context), false, by: admin.actor, client: client(request, context, state), now: state.clock.now()))
        }
        v1.get("me/tokens") { _, context in
            let staff = try AvisoRoutes.require(context, .none)
            return AvisoRoutes.json(TokenList(tokens: try state.store.tokens(staffId: staff.id, now: state.clock.now())))
        }
        v1.post("tokens/:id/revoke") { request, context in
            // An administrator revokes any token; anyone revokes their own (a lost laptop cannot wait for the administrator).
            let staff = try AvisoRoutes.require(context, .none)
            let tokenId = try AvisoRoutes.id(context)
            if !staff.role.canManageStaff {
                let own = try state.store.tokens(staffId: staff.id, now: state.clock.now()).contains { $0.id == tokenId }
                guard own else { throw AvisoError.notFound("token", String(tokenId)) }
            }
            return AvisoRoutes.json(
                try state.store.revokeToken(id: tokenId, by: staff.actor, client: client(request, context, state), now: state.clock.now()))
        }
        v1.get("access-log") { request, context in
            try AvisoRoutes.require(context, .audit)
            let query = request.uri.queryParameters
            let limit = try AvisoRoutes.limit(query.get("limit"), default: 1000, max: 10_000)
            var afterId: Int64 = 0
            if let raw = query.get("after") {
                guard let value = Int64(raw), value >= 0 else {
                    throw AvisoError.invalid("after", "after is the id of the last row you have (0 or more).")
                }
                afterId = value
            }
            var since: Date?
            if let raw = query.get("since") {
                guard let date = ISO8601DateFormatter().date(from: raw) else {
                    throw AvisoError.invalid("since", "since is an instant with its offset, such as 2026-06-10T08:00:00-05:00.")
                }
                since = date
            }
            let actor: String? = query.get("actor").map { String($0) }
            return AvisoRoutes.json(AccessLogList(entries: try state.store.accessLog(actor: actor, since: since, afterId: afterId, limit: limit)))
        }
    }

    static func client(_ request: Request, _ context: AvisoRequestContext, _ state: ServerState) -> String {
        context.clientAddress(request, trustForwardedFor: state.security.trustForwardedFor)
    }
}
