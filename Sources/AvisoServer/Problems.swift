public import AvisoCore
import AvisoStore
import Foundation
public import Hummingbird
import Logging

/// Turns every error into an RFC 9457 problem document, so a client always
/// gets a status and a sentence it can act on, and the daemon keeps running (G10).
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AvisoError {
            return Self.response(for: error)
        } catch  where AvisoStore.isStorageFailure(error) {
            context.logger.error("request refused: the database cannot be written (disk full or failing)")
            var response = Self.problem(
                status: .serviceUnavailable, type: "https://aviso.invalid/problems/storage-full", title: "Storage full",
                detail:
                    "The database's disk is full or failing, so nothing was changed and nothing was accepted. Try again in a minute; the administrator is alerted by /readyz and the journal."
            )
            response.headers[.retryAfter] = "30"
            return response
        } catch let error as HTTPError {
            return Self.problem(
                status: error.status, type: "about:blank", title: error.status.reasonPhrase,
                detail: error.body ?? Self.defaultDetail(error.status))
        } catch let error as any HTTPResponseError {
            return Self.problem(status: error.status, type: "about:blank", title: error.status.reasonPhrase, detail: Self.defaultDetail(error.status))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(type(of: error))"])
            return Self.problem(
                status: .internalServerError, type: "about:blank", title: "Internal error",
                detail:
                    "Aviso could not complete the request. Nothing was changed unless the answer said so; try again, and tell the administrator if it persists."
            )
        }
    }

    static func defaultDetail(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "There is nothing at this address. Check the path against the API documentation."
        case 405: "This address does not accept that method."
        case 413: "The request body is larger than Aviso accepts here (1 MiB for the API, 64 KiB for a webhook)."
        default: status.reasonPhrase
        }
    }

    public static func response(for error: AvisoError) -> Response {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .invalid, .missingTranslation: .unprocessableContent
            case .notFound: .notFound
            case .conflict: .conflict
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .configuration: .internalServerError
            case .tooManyRequests: .tooManyRequests
            }
        var response = problem(
            status: status, type: "https://aviso.invalid/problems/\(error.kind.rawValue)", title: error.title, detail: error.detail,
            field: error.field)
        if error.kind == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
        return response
    }

    static func problem(status: HTTPResponse.Status, type: String, title: String, detail: String, field: String? = nil) -> Response {
        let body = Problem(type: type, title: title, status: status.code, detail: detail, field: field)
        let data = (try? StrictJSON.encoder.encode(body)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
