import AvisoCore
import AvisoMetrics
import AvisoStore
import Foundation
import Hummingbird
import Logging

/// The door of every /v1/ request: refuses a locked-out address (429), checks
/// the bearer token (401 for a missing, wrong, revoked or expired one; a wrong
/// one counts towards the lockout), puts the staff account in the context, and
/// appends the request to the access log (CJIS 5.4) with its outcome.
struct StaffGate: RouterMiddleware {
    typealias Context = AvisoRequestContext
    let state: ServerState
    let metrics: AvisoMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = context.clientAddress(request, trustForwardedFor: state.security.trustForwardedFor)
        let now = state.clock.now()
        if let seconds = state.tokenFailures.retryAfter(client, now: now) {
            metrics.recordLockout(kind: "token", started: false)
            throw Self.lockedOut(seconds)
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw AvisoError(
                .unauthorized, title: "Not authenticated",
                detail: "Send an API token as 'Authorization: Bearer <token>'. An administrator creates tokens with 'avisod token create'.")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let staff = try state.store.authenticate(token: token, now: now) else {
            metrics.recordAuthFailure(kind: "token")
            let locked = state.tokenFailures.recordFailure(client, now: now)
            record(actor: "unauthenticated", request, context, client: client, outcome: 401)
            if locked {
                metrics.recordLockout(kind: "token")
                context.logger.warning(
                    "client locked out after repeated wrong tokens",
                    metadata: ["client": "\(client)", "failures": "\(state.tokenFailures.policy.maxFailures)"])
            }
            throw AvisoError(
                .unauthorized, title: "Not authenticated",
                detail: "The API token is unknown, expired or revoked, or its account is disabled. Ask an administrator for a new one.")
        }
        var context = context
        context.staff = staff
        context.logger[metadataKey: "staff"] = "\(staff.id)"
        do {
            let response = try await next(request, context)
            record(actor: staff.actor, request, context, client: client, outcome: Int(response.status.code))
            return response
        } catch {
            record(actor: staff.actor, request, context, client: client, outcome: Self.status(of: error))
            throw error
        }
    }

    static func lockedOut(_ seconds: Int) -> AvisoError {
        var error = AvisoError(
            .tooManyRequests, title: "Too many failed attempts",
            detail:
                "This address sent too many wrong API tokens. Try again in \(seconds / 60 + (seconds % 60 == 0 ? 0 : 1)) minutes, with a valid token."
        )
        error.retryAfter = seconds
        return error
    }

    /// The status the problem middleware will answer for `error`.
    static func status(of error: any Error) -> Int {
        switch error {
        case let error as AvisoError: Int(ProblemMiddleware<AvisoRequestContext>.response(for: error).status.code)
        case let error as any HTTPResponseError: Int(error.status.code)
        default: 500
        }
    }

    /// Appends the request to the access log; a failure to write it is logged and counted, never hidden.
    func record(actor: String, _ request: Request, _ context: Context, client: String, outcome: Int) {
        let action = "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
        var object = request.uri.path
        if let query = request.uri.query, !query.isEmpty { object += "?" + query }
        do {
            try state.store.recordAccess(
                actor: actor, action: action, object: String(object.prefix(500)), client: client, outcome: outcome, at: state.clock.now())
        } catch {
            metrics.recordAccessLogFailure()
            context.logger.error("access log row not written", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }
}
