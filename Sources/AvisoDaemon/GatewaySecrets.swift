public import AvisoCore
import Foundation

/// The secrets the configured gateways need, read through `Secrets`; a
/// gateway that needs one that is not set is an error naming every place it
/// may come from. `serve` and `check` read them the same way.
public struct GatewaySecrets: Sendable {
    public var twilioAuthToken: String?
    public var smtpPassword: String?

    public static func read(configuration: DaemonConfiguration, environment: [String: String]) throws(AvisoError) -> GatewaySecrets {
        let token = try Secrets.read("twilio-auth-token", file: configuration.twilio.authTokenFile, environment: environment)
        if configuration.smsGateway == "twilio", token == nil {
            throw AvisoError(
                .configuration, title: "Secret missing",
                detail:
                    "gateway.sms is twilio but no auth token was found: set twilio.auth_token_file, provide the credential 'twilio-auth-token' (LoadCredential=), or set AVISO_TWILIO_AUTH_TOKEN."
            )
        }
        var password: String?
        if configuration.emailGateway == "smtp" {
            password = try Secrets.read("smtp-password", file: configuration.smtp.passwordFile, environment: environment)
            if configuration.smtp.username != nil && password == nil {
                throw AvisoError(
                    .configuration, title: "Secret missing",
                    detail:
                        "smtp.username is set but no password was found: set smtp.password_file, provide the credential 'smtp-password' (LoadCredential=), or set AVISO_SMTP_PASSWORD."
                )
            }
        }
        return GatewaySecrets(twilioAuthToken: token, smtpPassword: password)
    }
}

extension DaemonConfiguration {
    /// Where the provider posts delivery status: the public URL (normalized, so never `//webhooks`) and the route.
    public var statusCallbackURL: String { publicURL + "/webhooks/twilio/status" }
}
