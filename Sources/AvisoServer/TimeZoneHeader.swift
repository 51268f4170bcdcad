import AvisoCore
import HTTPTypes
import Hummingbird

/// Names the department's time zone in every API answer (`Aviso-Time-Zone:
/// America/Chicago`), so the CLI shows times as the department reads them
/// and not in the zone of whatever machine it runs on.
struct TimeZoneHeader: RouterMiddleware {
    typealias Context = AvisoRequestContext
    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[Self.name] = state.planner.policy.departmentZone.identifier
        return response
    }

    static let name = HTTPField.Name("Aviso-Time-Zone")!
}
