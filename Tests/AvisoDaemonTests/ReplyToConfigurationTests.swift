import AvisoCore
import AvisoDaemon
import AvisoGateways
import AvisoTesting
import Foundation
import Testing

@Suite struct ReplyToConfigurationTests {
    @Test func theReplyToMailboxAndTheSegmentThresholdAreSettings() throws {
        let defaults = try DaemonConfiguration.load(path: nil, environment: [:])
        #expect(defaults.emailReplyTo == nil)
        #expect(defaults.policy.smsWarnSegments == 4)
        let set = try DaemonConfiguration.load(
            path: nil, environment: ["AVISO_EMAIL_REPLY_TO": "Victim-Replies@KCPD.example", "AVISO_SMS_WARN_SEGMENTS": "6"])
        #expect(set.emailReplyTo == "Victim-Replies@kcpd.example")
        #expect(set.policy.smsWarnSegments == 6)
        #expect { try DaemonConfiguration.load(path: nil, environment: ["AVISO_EMAIL_REPLY_TO": "not an address"]) } throws: { error in
            (error as? AvisoError)?.detail.contains("AVISO_EMAIL_REPLY_TO") == true
        }
    }

    @Test func everyEmailCarriesTheDepartmentsReplyTo() {
        var composer = EmailComposer(fromAddress: "avisos@kcpd.example", fromName: "KCPD")
        let without = composer.compose(messageId: 1, to: "ana@example.org", subject: "S", body: "B", date: Date(timeIntervalSince1970: 0))
        #expect(!without.contains("Reply-To:"))
        composer.replyTo = "victim-replies@kcpd.example"
        let with = composer.compose(messageId: 1, to: "ana@example.org", subject: "S", body: "B", date: Date(timeIntervalSince1970: 0))
        #expect(with.contains("\r\nReply-To: <victim-replies@kcpd.example>\r\n"))
    }
}
