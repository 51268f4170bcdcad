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
            let parameters = try await signedParameters(request, context, state: state, metrics: metrics)
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
            let parameters = try await signedParameters(request, context, state: state, metrics: metrics)
            return try InboundHandling.handle(parameters, state: state, metrics: metrics, logger: context.logger)
        }
        router.get("/unsubscribe/:token") { request, context in
            let token = try context.parameters.require("token")
            guard let target = try state.store.unsubscribeTarget(token: token) else {
                return UnsubscribePage.invalidLink(state: state, acceptLanguage: request.headers[.acceptLanguage])
            }
            let page = UnsubscribePage(state: state, target: target)
            return page.render(target.consentState == .optedOut ? page.done() : page.question(token: token))
        }
        router.post("/unsubscribe/:token") { request, context in
            let token = try context.parameters.require("token")
            // RFC 8058 one-click: the body is "List-Unsubscribe=One-Click"; a browser's form posts the same.
            guard let target = try state.store.unsubscribe(token: token, oneClick: true, now: state.clock.now()) else {
                return UnsubscribePage.invalidLink(state: state, acceptLanguage: request.headers[.acceptLanguage])
            }
            if target.optedOutNow { metrics.recordOptOut(language: target.language, method: ConsentMethod.link.rawValue) }
            let page = UnsubscribePage(state: state, target: target)
            return page.render(page.done())
        }
    }

    static let twilioSignature = HTTPField.Name("X-Twilio-Signature")!

    /// The form parameters of a Twilio webhook, once its signature is checked
    /// against the public URL it was sent to. Anything else is 403 and changes nothing.
    /// A source that sent too many forged requests is answered 429 without
    /// reading them, so a flood of them cannot starve staff or the provider.
    static func signedParameters(
        _ request: Request, _ context: AvisoRequestContext, state: ServerState, metrics: AvisoMetrics
    ) async throws -> [(String, String)] {
        let source = context.clientAddress(request, trustForwardedFor: state.security.trustForwardedFor)
        if let seconds = state.webhookFailures.retryAfter(source, now: state.clock.now()) {
            metrics.recordLockout(kind: "webhook", started: false)
            var error = AvisoError(
                .tooManyRequests, title: "Too many forged webhooks",
                detail: "This address sent too many webhooks with a wrong signature; it is refused for a while.")
            error.retryAfter = seconds
            throw error
        }
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
            metrics.recordAuthFailure(kind: "webhook")
            if state.webhookFailures.recordFailure(source, now: state.clock.now()) {
                metrics.recordLockout(kind: "webhook")
                context.logger.warning("webhook source locked out after repeated forged requests", metadata: ["client": "\(source)"])
            }
            throw AvisoError(.forbidden, title: "Webhook refused", detail: "The X-Twilio-Signature header is missing or does not match this request.")
        }
        return parameters
    }
}
