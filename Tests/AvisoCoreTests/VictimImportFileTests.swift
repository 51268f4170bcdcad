import AvisoCore
import AvisoTesting
import Foundation
import Testing

@Suite struct CSVTests {
    @Test func quotedCommasQuotesAndLineBreaksAreOneField() throws {
        let text = "name,notes\r\n\"Pérez, José\",\"He said \"\"call after 5\"\"\r\nsecond line\"\r\nAna,plain\r\n"
        let records = try CSV.parse(text)
        #expect(records.map(\.fields) == [["name", "notes"], ["Pérez, José", "He said \"call after 5\"\r\nsecond line"], ["Ana", "plain"]])
        // The record after a quoted line break starts two lines further down.
        #expect(records.map(\.line) == [1, 2, 4])
    }

    @Test func aByteOrderMarkLFEndingsAndBlankLinesAreAsSpreadsheetsWriteThem() throws {
        let records = try CSV.parse("\u{FEFF}name,language\n\nAna,es\nLuis,en")
        #expect(records.map(\.fields) == [["name", "language"], ["Ana", "es"], ["Luis", "en"]])
        #expect(records.map(\.line) == [1, 3, 4])
    }

    @Test func emptyFieldsAreKept() throws {
        #expect(try CSV.parse("a,,c,\n").map(\.fields) == [["a", "", "c", ""]])
    }

    @Test func malformedQuotingNamesTheLine() {
        #expect { try CSV.parse("name\n\"open") } throws: { ($0 as? AvisoError)?.detail.contains("Line 2") == true }
        #expect { try CSV.parse("name\nab\"c\n") } throws: { ($0 as? AvisoError)?.detail.contains("Line 2") == true }
        #expect { try CSV.parse("name\n\"a\"b\n") } throws: { ($0 as? AvisoError)?.detail.contains("closing quote") == true }
    }
}

@Suite struct VictimImportFileTests {
    @Test func headersAreMatchedAsPeopleWriteThemAndRowsBecomeVictims() throws {
        let file = try VictimImportFile(
            csv: """
                Name,Language,Time zone,Phone,E-mail,Consent method,Wording version,Discreet,Notes
                José Pérez,es,,+1 816 555 0142,,verbal,2026-01,no,prefers calls
                Ana Ruiz,es-MX,America/Denver,,ana@example.org,,,yes,
                """.replacingOccurrences(of: "E-mail", with: "email"), defaultTimeZone: "America/Chicago")
        #expect(file.problems.isEmpty)
        #expect(file.rows.map(\.row) == [2, 3])
        let jose = file.rows[0].victim
        #expect(jose.displayName == "José Pérez" && jose.language == "es" && jose.timeZone == "America/Chicago" && jose.discreet == false)
        #expect(jose.staffNotes == "prefers calls")
        #expect(jose.contactPoints?.count == 1)
        #expect(jose.contactPoints?[0].channel == .sms && jose.contactPoints?[0].consent?.method == .verbal)
        #expect(jose.contactPoints?[0].consent?.wordingVersion == "2026-01" && jose.contactPoints?[0].consent?.state == .optedIn)
        let ana = file.rows[1].victim
        #expect(ana.timeZone == "America/Denver" && ana.discreet == true && ana.contactPoints?[0].channel == .email)
        #expect(ana.contactPoints?[0].consent == nil)
        // A problem about the second contact point of a row reads back as its column.
        #expect(file.column(for: "contact_points[0].address", row: 2) == "phone")
        #expect(file.column(for: "contact_points[0].address", row: 3) == "email")
        #expect(file.column(for: "contact_points[0].consent.wording_version", row: 2) == "wording_version")
        #expect(file.column(for: "display_name", row: 2) == "name")
    }

    @Test func anUnknownColumnIsRefusedSoNoFileCarriesAFieldAvisoMustNotHold() {
        #expect {
            try VictimImportFile(csv: "name,language,immigration_status\nAna,es,x\n", defaultTimeZone: "America/Chicago")
        } throws: { ($0 as? AvisoError)?.detail.contains("'immigration_status' is not an import column") == true }
        #expect {
            try VictimImportFile(csv: "name,phone\nAna,+18165550142\n", defaultTimeZone: "America/Chicago")
        } throws: { ($0 as? AvisoError)?.detail.contains("no 'language' column") == true }
    }

    @Test func aRowTheFileCannotDescribeIsAProblemWithItsRowNumber() throws {
        let file = try VictimImportFile(
            csv: "name,language,discreet,consent_method,wording_version\nAna,es,maybe,,\nLuis,en,,keyword,2026-01\nEva,es,,,2026-01\nOk,es,,,\n",
            defaultTimeZone: "America/Chicago")
        #expect(file.rows.map(\.row) == [5])
        #expect(file.problems.map(\.row) == [2, 3, 4])
        #expect(file.problems.map(\.field) == ["discreet", "consent_method", "consent_method"])
    }
}

@Suite struct SendAtAndSegmentTests {
    @Test func aSendAtInThePastIsRefusedAndTheCurrentMinuteIsNot() throws {
        let now = instant("2026-06-10T12:00")
        #expect(throws: Never.self) { try SendAtRule.check(now.addingTimeInterval(-30), raw: "2026-06-10T11:59", now: now, zone: chicago) }
        #expect(throws: Never.self) { try SendAtRule.check(now.addingTimeInterval(3600), raw: "2026-06-10T13:00", now: now, zone: chicago) }
        #expect {
            try SendAtRule.check(instant("2025-06-10T12:00"), raw: "2025-06-10T12:00", now: now, zone: chicago)
        } throws: { error in
            let error = error as? AvisoError
            return error?.field == "send_at" && error?.detail.contains("2025-06-10 12:00 CDT") == true
                && error?.detail.contains("in the past") == true
        }
    }

    @Test func theSegmentWarningHasAThresholdAndSaysWhatItCosts() throws {
        let planner = UpdatePlanner(catalog: try repositoryTemplates(), policy: testPolicy())
        let recipient = Recipient(
            victimId: 1, language: try LanguageTag("en"), timeZone: chicago, discreet: false,
            contactPoints: [RecipientAddress(contactPointId: 1, channel: .sms)])
        let long = try planner.staffReply(
            String(repeating: "word ", count: 140), recipient: recipient, address: recipient.contactPoints[0], now: instant("2026-06-10T12:00"))
        let segments = try #require(long.sms?.segments)
        #expect(segments == 5)
        let warnings = try #require(PlannedMessage.segmentWarnings([long, long], over: 4))
        #expect(warnings.count == 1)
        #expect(warnings[0].contains("5 segments") && warnings[0].contains("more than 4") && warnings[0].contains("costs 5×"))
        #expect(warnings[0].contains("(2 messages)"))
        #expect(PlannedMessage.segmentWarnings([long], over: 5) == nil)
    }
}
