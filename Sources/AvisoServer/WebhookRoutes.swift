import AvisoCore
import AvisoMetrics
import AvisoStore
import Foundation
import HTTPTypes
import Hummingbird

/// The provider's webhooks (signed, G9) and the unsubscribe link of every email.
enum WebhookRoutes {
    static func add(to router: Router<AvisoRequestContext>, state: ServerState, metrics: AvisoMetrics) {
        router.post("/webhooks/twilio/status") { request, context in
            let parameters = try await signedParameters(request, context, state: state)
            let fields = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
            guard let sid = fields["MessageSid"] ?? fields["SmsSid"], let status = fields["MessageStatus"] ?? fields["SmsStatus"] else {
                throw AvisoError.invalid(nil, "A status callback carries MessageSid and MessageStatus.")
            }
            let outcome = try state.store.recordDeliveryReport(
                providerId: sid, status: status, errorCode: fields["ErrorCode"], now: state.clock.now())
            if outcome == .unknownMessage {
                context.logger.notice("delivery report for a message not known (yet)", metadata: ["status": "\(status)"])
            }
            return Response(status: .noContent)
        }
        router.post("/webhooks/twilio/inbound") { request, context in
            let parameters = try await signedParameters(request, context, state: state)
            return try InboundHandling.handle(parameters, state: state, metrics: metrics, logger: context.logger)
        }
        router.get("/unsubscribe/:token") { _, context in
            let token = try context.parameters.require("token")
            guard let target = try state.store.unsubscribeTarget(token: token) else { throw unknownLink }
            let page = UnsubscribePage(state: state, language: target.language)
            return page.render(body: target.consentState == .optedOut ? page.text("unsubscribe.done") : page.form(token: token))
        }
        router.post("/unsubscribe/:token") { _, context in
            let token = try context.parameters.require("token")
            // RFC 8058 one-click: the body is "List-Unsubscribe=One-Click"; a browser's form posts the same.
            guard let target = try state.store.unsubscribe(token: token, oneClick: true, now: state.clock.now()) else { throw unknownLink }
            if target.optedOutNow { metrics.recordOptOut(language: target.language, method: ConsentMethod.link.rawValue) }
            let page = UnsubscribePage(state: state, language: target.language)
            return page.render(body: page.text("unsubscribe.done"))
        }
    }

    static let twilioSignature = HTTPField.Name("X-Twilio-Signature")!

    static let unknownLink = AvisoError(.notFound, title: "Unknown link", detail: "This unsubscribe link is not valid. Nothing was changed.")

    /// The form parameters of a Twilio webhook, once its signature is checked
    /// against the public URL it was sent to. Anything else is 403 and changes nothing.
    static func signedParameters(_ request: Request, _ context: AvisoRequestContext, state: ServerState) async throws -> [(String, String)] {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        let parameters = FormEncoding.decode(String(buffer: buffer))
        guard let authToken = state.webhooks.twilioAuthToken else {
            throw AvisoError(
                .forbidden, title: "Webhook refused",
                detail: "Twilio webhooks are not configured on this daemon (no auth token), so none can be verified.")
        }
        let query = request.uri.query.map { "?\($0)" } ?? ""
        let url = state.webhooks.publicURL + request.uri.path + query
        guard TwilioSignature.isValid(signature: request.headers[twilioSignature], authToken: authToken, url: url, parameters: parameters) else {
            context.logger.warning("webhook with a missing or wrong signature refused", metadata: ["path": "\(request.uri.path)"])
            throw AvisoError(.forbidden, title: "Webhook refused", detail: "The X-Twilio-Signature header is missing or does not match this request.")
        }
        return parameters
    }
}

/// The page an unsubscribe link opens: in the victim's language, one button,
/// no cookies, no scripts, no redirect.
struct UnsubscribePage {
    let catalog: TemplateCatalog
    let language: LanguageTag
    let department: String
    let phone: String

    init(state: ServerState, language: String) {
        let planner = state.planner
        catalog = planner.catalog
        self.language = (try? LanguageTag(language)) ?? (try! LanguageTag("en"))
        department = (try? catalog.term("department", for: self.language)) ?? ""
        phone = planner.policy.contactPhone
    }

    /// A page term in the victim's language. `avisod check` requires these
    /// terms in every language; should one be missing, English is better than no page.
    func text(_ key: String) -> String {
        let english = try! LanguageTag("en")
        let raw = (try? catalog.term(key, for: language)) ?? (try? catalog.term(key, for: english)) ?? key
        return raw.replacingOccurrences(of: "{{department}}", with: department).replacingOccurrences(of: "{{contact_phone}}", with: phone)
    }

    func form(token: String) -> String {
        """
        <p>\(escape(text("unsubscribe.question")))</p>
        <form method="post" action="/unsubscribe/\(token)">
        <input type="hidden" name="List-Unsubscribe" value="One-Click">
        <button type="submit">\(escape(text("unsubscribe.button")))</button>
        </form>
        """
    }

    func render(body: String) -> Response {
        let direction = ["ar", "he", "fa", "ur"].contains(language.language) ? "rtl" : "ltr"
        let html = """
            <!doctype html>
            <html lang="\(language.value)" dir="\(direction)">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(text("unsubscribe.title")))</title></head>
            <body style="font-family: sans-serif; max-width: 32em; margin: 2em auto; padding: 0 1em; line-height: 1.5">
            <h1 style="font-size: 1.3em">\(escape(text("unsubscribe.title")))</h1>
            \(body.hasPrefix("<") ? body : "<p>\(escape(body))</p>")
            </body></html>
            """
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
