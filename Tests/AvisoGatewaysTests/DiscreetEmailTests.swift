import AvisoCore
import AvisoGateways
import AvisoStore
import AvisoTesting
import Foundation
import Testing

/// A victim in discreet mode: the email's sender name would name the department, so it has none (SPEC §2.6).
@Suite struct DiscreetEmailTests {
    @Test func anEmailToADiscreetVictimCarriesNoSenderName() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("María Sánchez", language: "es", email: "maria@example.org", discreet: true)
        try fixture.addVictim("Luis Gómez", language: "es", email: "luis@example.org")
        let claimed = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        let maria = try #require(claimed.first { $0.outbound.to == "maria@example.org" })
        let luis = try #require(claimed.first { $0.outbound.to == "luis@example.org" })
        #expect(maria.outbound.discreet && !luis.outbound.discreet)

        let directory = try temporaryDirectory("spool")
        let spool = try SpoolGateway(
            directory: directory, composer: EmailComposer(fromAddress: "avisos@kcpd.example", fromName: "Kansas City Police Department"),
            smsFrom: "+18165550100")
        for message in [maria, luis] { _ = await spool.send(message.outbound) }
        func from(_ message: ClaimedMessage) throws -> String {
            let text = try String(contentsOf: directory.appendingPathComponent("email/\(message.outbound.messageId).eml"), encoding: .utf8)
            return try #require(text.components(separatedBy: "\r\n").first { $0.hasPrefix("From:") })
        }
        #expect(try from(maria) == "From: <avisos@kcpd.example>")
        #expect(try from(luis).contains("Kansas City Police Department"))
    }
}
