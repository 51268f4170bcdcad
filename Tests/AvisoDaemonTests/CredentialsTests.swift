import AvisoCore
import AvisoDaemon
import AvisoTesting
import Foundation
import Testing

@Suite struct CredentialsTests {
    @Test func aSecretIsReadFromTheCredentialsDirectoryWithoutItsLineBreak() throws {
        let directory = try temporaryDirectory("credentials")
        try "s3cret-token\n".write(to: directory.appendingPathComponent("twilio-auth-token"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("smtp-password"), atomically: true, encoding: .utf8)
        let credentials = Credentials(environment: ["CREDENTIALS_DIRECTORY": directory.path])
        #expect(credentials.secret("twilio-auth-token") == "s3cret-token")
        #expect(credentials.secret("smtp-password") == nil, "an empty file means the secret is not set")
        #expect(credentials.secret("other") == nil)
        #expect(Credentials(environment: [:]).secret("twilio-auth-token") == nil)
    }

    @Test func aMissingSecretSaysWhereToPutIt() {
        #expect {
            try Credentials(environment: [:]).require("smtp-password", for: "The SMTP gateway")
        } throws: { error in
            let detail = (error as? AvisoError)?.detail ?? ""
            return detail.contains("/etc/aviso/credentials/smtp-password") && detail.contains("systemctl restart avisod")
        }
    }
}
