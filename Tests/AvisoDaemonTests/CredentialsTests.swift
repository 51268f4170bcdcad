import AvisoCore
import AvisoDaemon
import AvisoTesting
import Foundation
import Testing

@Suite struct SecretsTests {
    @Test func credentialsComeFromSystemdsDirectoryAndEmptyMeansNotSet() throws {
        let directory = try temporaryDirectory("credentials")
        try "s3cret-token\n".write(to: directory.appendingPathComponent("twilio-auth-token"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("smtp-password"), atomically: true, encoding: .utf8)
        let environment = ["CREDENTIALS_DIRECTORY": directory.path]
        #expect(try Secrets.read("twilio-auth-token", file: nil, environment: environment) == "s3cret-token")
        #expect(try Secrets.read("smtp-password", file: nil, environment: environment) == nil, "an empty file means the secret is not set")
        #expect(
            try Secrets.read("smtp-password", file: nil, environment: environment.merging(["AVISO_SMTP_PASSWORD": "from-env"]) { a, _ in a })
                == "from-env")
        #expect(try Secrets.read("other", file: nil, environment: [:]) == nil)
    }

    @Test func aNamedSecretFileMustExistAndHoldTheSecret() throws {
        let directory = try temporaryDirectory("credentials")
        let empty = directory.appendingPathComponent("empty").path
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(throws: AvisoError.self) { try Secrets.read("smtp-password", file: empty, environment: [:]) }
        #expect(throws: AvisoError.self) {
            try Secrets.read("smtp-password", file: directory.appendingPathComponent("missing").path, environment: [:])
        }
    }

    @Test func aGatewayThatNeedsASecretSaysWhereToPutIt() throws {
        var configuration = DaemonConfiguration()
        configuration.smsGateway = "twilio"
        configuration.twilio.accountSid = "AC123"
        configuration.twilio.from = "+18165550100"
        configuration.stateDirectory = try temporaryDirectory().path
        configuration.templatesDirectory = repositoryRoot.appendingPathComponent("Templates").path
        let daemon = try Daemon(configuration: configuration, logger: .init(label: "test"))
        #expect {
            try daemon.gateways(environment: [:])
        } throws: { error in
            (error as? AvisoError)?.detail.contains("twilio-auth-token") == true
        }
        #expect(try daemon.gateways(environment: ["AVISO_TWILIO_AUTH_TOKEN": "t"])[.sms]?.name == "twilio")
    }
}
