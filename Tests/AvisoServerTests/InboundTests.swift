import AvisoCore
import AvisoDaemon
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Replies from victims through the signed inbound webhook (SPEC §5 flows 3–4).
@Suite struct InboundTests {
    static let jose = "+18165550142"
    static let robert = "+18165550177"

    func harnessWithVictims() async throws -> APIHarness {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        try harness.fixture.addVictim("José Pérez", language: "es", phone: Self.jose)
        try harness.fixture.addVictim("Robert Hill", language: "en", phone: Self.robert)
        _ = try await dispatchAll(harness.fixture)
        return harness
    }

    func reply(_ client: any TestClientProtocol, from: String, _ body: String, sid: String = UUID().uuidString) async throws {
        let answer = try await client.signed(
            "/webhooks/twilio/inbound", [("MessageSid", sid), ("From", from), ("To", "+18165550100"), ("Body", body)])
        #expect(answer.status == .ok)
    }

    func consent(_ harness: APIHarness, _ phone: String) throws -> ConsentState {
        let victims = try harness.fixture.store.caseView(number: "KC-2025-004512", withVictims: true).victims ?? []
        return try #require(victims.flatMap(\.contactPoints).first { $0.address == phone }).consentState
    }

    @Test(arguments: ["Alto", "  stop!! ", "ALTO.", "baja 🙏", "Stop texting me", "No más mensajes", "no me escriban mas!", "PARAR", "Cancelar"])
    func optOutWordsInEnglishAndSpanishTakeEffectWithOneConfirmation(_ word: String) async throws {
        let harness = try await harnessWithVictims()
        try await harness.run { client in try await reply(client, from: Self.jose, word) }
        #expect(try consent(harness, Self.jose) == .optedOut)
        let record = try harness.fixture.store.victim(id: 1).contactPoints[0].consent.last
        #expect(record?.method == .keyword && record?.actor == "victim")
        // An update queued now reaches Robert only; José gets the single confirmation, in Spanish.
        try harness.fixture.queue(.arrest)
        let sent = try await dispatchAll(harness.fixture).sent
        let toJose = sent.filter { $0.to == Self.jose }
        #expect(toJose.count == 1)
        #expect(toJose.first?.language == "es")
        #expect(toJose.first?.body.contains("SÍ") == true || toJose.first?.body.contains("START") == true)
        #expect(sent.contains { $0.to == Self.robert && $0.body.contains("KC-2025-004512") })
        // A second STOP changes nothing and sends nothing.
        try await harness.run { client in try await reply(client, from: Self.jose, "STOP") }
        #expect(try await dispatchAll(harness.fixture).sent.isEmpty)
    }

    @Test(arguments: ["SÍ", "si", "Start", "  YES! "])
    func optInWordsRestoreConsent(_ word: String) async throws {
        let harness = try await harnessWithVictims()
        try await harness.run { client in
            try await reply(client, from: Self.jose, "ALTO")
            try await reply(client, from: Self.jose, word)
        }
        #expect(try consent(harness, Self.jose) == .optedIn)
        let sent = try await dispatchAll(harness.fixture).sent.filter { $0.to == Self.jose }
        #expect(sent.count == 2)
        #expect(sent.last?.body.contains("ALTO") == true)
    }

    @Test(arguments: [
        ("HELP", "+18165550177", "immigration status"), ("ayuda", "+18165550142", "migratorio"), ("Info?", "+18165550177", "immigration status"),
    ])
    func helpIsAnsweredInTheVictimsLanguage(_ word: String, _ from: String, _ phrase: String) async throws {
        let harness = try await harnessWithVictims()
        try await harness.run { client in try await reply(client, from: from, word) }
        let sent = try await dispatchAll(harness.fixture).sent
        #expect(sent.count == 1)
        #expect(sent.first?.to == from && sent.first?.body.contains(phrase) == true)
    }

    @Test func aLanguageSwitchMakesTheNextUpdateArriveInTheNewLanguage() async throws {
        let harness = try await harnessWithVictims()
        try await harness.run { client in
            try await reply(client, from: Self.robert, "Español")
            try await reply(client, from: Self.jose, "english")
        }
        let confirmations = try await dispatchAll(harness.fixture).sent
        #expect(confirmations.first { $0.to == Self.robert }?.language == "es")
        #expect(confirmations.first { $0.to == Self.jose }?.language == "en")
        try harness.fixture.queue(.chargesFiled, UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2)]))
        let sent = try await dispatchAll(harness.fixture).sent
        #expect(sent.first { $0.to == Self.robert }?.body.contains("2 cargos de robo a mano armada") == true)
        #expect(sent.first { $0.to == Self.jose }?.body.contains("2 counts of armed robbery") == true)
    }

    @Test func freeTextReachesTheInboxAndIsAcknowledgedOnceADay() async throws {
        let harness = try await harnessWithVictims()
        try await harness.run { client in
            try await reply(client, from: Self.jose, "¿Cuándo es la corte?")
            try await reply(client, from: Self.jose, "¿Y dónde?")
            try await reply(client, from: Self.robert, "Thank you")
        }
        let acks = try await dispatchAll(harness.fixture).sent
        #expect(acks.filter { $0.to == Self.jose }.count == 1)
        #expect(acks.first { $0.to == Self.jose }?.body.contains("+1 816 234 5000") == true)
        // A Spanish-speaking captain sees the Spanish replies first.
        let inbox = try harness.fixture.store.inbox(
            for: harness.fixture.captain, caseNumber: "KC-2025-004512", includeHandled: false, includeKeywords: false, limit: 10)
        #expect(inbox.map(\.body) == ["¿Y dónde?", "¿Cuándo es la corte?", "Thank you"])
        #expect(inbox.first?.language == "es" && inbox.first?.cases == ["KC-2025-004512"] && inbox.first?.victimName == "José Pérez")
        try await harness.run { client in
            let list = try await client.call(.get, "/v1/inbox", as: harness.tokens[.auditor])
            #expect(list.status == .ok && list.body.contains("Cuándo"), "\(list.body)")
            #expect(try await client.call(.post, "/v1/inbox/\(inbox[0].id)/handled", as: harness.tokens[.auditor], json: "{}").status == .forbidden)
            #expect(try await client.call(.post, "/v1/inbox/\(inbox[0].id)/handled", as: harness.tokens[.captain], json: "{}").status == .noContent)
            #expect(try await client.call(.post, "/v1/inbox/\(inbox[0].id)/handled", as: harness.tokens[.captain], json: "{}").status == .conflict)
        }
        #expect(
            try harness.fixture.store.inbox(for: harness.fixture.captain, caseNumber: nil, includeHandled: false, includeKeywords: false, limit: 10)
                .count == 2)
        harness.fixture.clock.advance(by: 86400 + 1)
        try await harness.run { client in try await reply(client, from: Self.jose, "Hola otra vez") }
        #expect(try await dispatchAll(harness.fixture).sent.count == 1)
    }

    @Test func aPossibleOptOutIsFlaggedForStaffWhoDecideThroughTheAPI() async throws {
        let harness = try await harnessWithVictims()
        try await harness.run { client in
            try await reply(client, from: Self.jose, "Dejen de llamar a mi mamá, alto")
            try await reply(client, from: Self.robert, "Please stop texting me")
        }
        #expect(try consent(harness, Self.jose) == .optedIn)
        #expect(try consent(harness, Self.robert) == .optedOut)
        try harness.fixture.queue(.arrest)
        // Robert's clear opt-out gets its confirmation; José's unclear reply holds his arrest message.
        let held = try await dispatchAll(harness.fixture).sent
        #expect(held.map(\.to) == [Self.robert])
        try await harness.run { client in
            let list = try await client.call(.get, "/v1/inbox", as: harness.tokens[.captain])
            #expect(list.status == .ok && list.body.contains("\"possible_opt_out\":true") && list.body.contains("hold_until"), "\(list.body)")
            let flagged = try #require(
                try harness.fixture.store.inbox(
                    for: harness.fixture.captain, caseNumber: nil, includeHandled: false, includeKeywords: false, limit: 5
                )
                .first)
            #expect(flagged.possibleOptOut && flagged.body?.contains("alto") == true)
            let path = "/v1/inbox/\(flagged.id)/opt-out"
            #expect(try await client.call(.post, path, as: harness.tokens[.auditor], json: #"{"opt_out": false}"#).status == .forbidden)
            #expect(try await client.call(.post, path, as: harness.tokens[.captain], json: #"{"opt_out": "no"}"#).status == .unprocessableContent)
            #expect(try await client.call(.post, path, as: harness.tokens[.captain], json: #"{"opt_out": false}"#).status == .noContent)
            #expect(try await client.call(.post, path, as: harness.tokens[.captain], json: #"{"opt_out": true}"#).status == .conflict)
        }
        let released = try await dispatchAll(harness.fixture).sent
        #expect(released.count == 1 && released.first?.to == Self.jose && released.first?.body.contains("arresto") == true)
    }

    @Test func unknownNumbersGetNoReplyAndRetriedWebhooksActOnce() async throws {
        let harness = try await harnessWithVictims()
        try await harness.run { client in
            try await reply(client, from: "+15550001111", "STOP")
            try await reply(client, from: "+15550001111", "who is this?")
            try await reply(client, from: Self.jose, "ALTO", sid: "SMsame")
            try await reply(client, from: Self.jose, "ALTO", sid: "SMsame")
        }
        let sent = try await dispatchAll(harness.fixture).sent
        #expect(sent.count == 1 && sent.first?.to == Self.jose)
        let supervisor = try harness.fixture.store.createStaff(
            StaffCreate(name: "Sgt. Elena Díaz", role: .supervisor), now: harness.fixture.clock.now()
        ).0
        let all = try harness.fixture.store.inbox(for: supervisor, caseNumber: nil, includeHandled: true, includeKeywords: true, limit: 10)
        #expect(all.count == 3)
        #expect(all.contains { $0.victimId == nil && $0.intent == "opt_out" })
        // A captain sees the replies of their cases' victims, not those of strangers.
        let captains = try harness.fixture.store.inbox(
            for: harness.fixture.captain, caseNumber: nil, includeHandled: true, includeKeywords: true, limit: 10)
        #expect(captains.count == 1 && captains.first?.intent == "opt_out" && captains.first?.victimId != nil)
    }
}

/// A victim in discreet mode stays discreet whatever she replies (G11): HELP,
/// STOP, START, a language's name and free text are answered with discreet
/// forms, and an urgent update says only that it is urgent.
@Suite struct DiscreetReplyTests {
    static let cases: [(language: String, replies: [String])] = [
        ("es", ["AYUDA", "¿Cuándo es la corte?", "ALTO", "SÍ", "english"]),
        ("en", ["HELP", "When is court?", "STOP", "START", "español"]),
        ("ar", ["مساعدة", "متى المحكمة؟", "توقف", "ابدأ", "soomaali"]),
        ("bs", ["POMOĆ", "Kada je sud?", "STOP", "START", "tiếng việt"]),
        ("so", ["CAAWIMAAD", "Goorma ayuu yahay maxkamadda?", "JOOJI", "BILOW", "kiswahili"]),
        ("sw", ["MSAADA", "Mahakama ni lini?", "ACHA", "ANZA", "myanmar"]),
        ("vi", ["GIÚP", "Khi nào ra tòa?", "DỪNG", "BẮT ĐẦU", "bosanski"]),
        ("my", ["အကူအညီ", "ရုံးချိန်း ဘယ်တော့လဲ", "ရပ်", "စတင်", "العربية"]),
    ]

    @Test(arguments: cases.map(\.language))
    func everyAnswerToADiscreetVictimIsDiscreet(_ language: String) async throws {
        let replies = try #require(Self.cases.first { $0.language == language }).replies
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let phone = "+18165550142"
        let victim = try harness.fixture.addVictim("Victim", language: language, phone: phone, discreet: true)
        var received = try await dispatchAll(harness.fixture).sent
        for body in replies {
            try await harness.run { client in
                let answer = try await client.signed(
                    "/webhooks/twilio/inbound", [("MessageSid", UUID().uuidString), ("From", phone), ("To", "+18165550100"), ("Body", body)])
                #expect(answer.status == .ok)
            }
            let answers = try await dispatchAll(harness.fixture).sent
            #expect(answers.count == 1, "\(language): one answer to '\(body)'")
            received += answers
        }
        try harness.fixture.queue(.released, UpdateFields(reason: .bond))
        try harness.fixture.queue(.arrest)
        let updates = try await dispatchAll(harness.fixture).sent
        #expect(updates.count == 2)
        received += updates
        // Welcome, help, reply_ack, opt-out and opt-in confirmations, language change, two updates.
        #expect(received.count == 8)
        let finalLanguage = try harness.fixture.store.victim(id: victim.id).language
        for message in received {
            let forbidden = try DiscreetWords.forbidden(message.language, catalog: harness.fixture.planner.catalog)
            let found = DiscreetWords.leaks(in: message.body, language: message.language, forbidden: forbidden)
            #expect(found.isEmpty, "\(language) → \(finalLanguage): \(found) in \(message.body)")
            #expect(message.body.contains("816 234 5000"))
        }
    }
}

@Suite struct KeywordTests {
    @Test func normalizationIgnoresCaseAccentsPunctuationAndEmoji() throws {
        let book = try repositoryTemplates().keywords
        #expect(book.intent(of: "SÍ") == .optIn)
        #expect(book.intent(of: "sí 👍") == .optIn)
        #expect(book.intent(of: "¡¡ALTO!!") == .optOut)
        #expect(book.intent(of: "Don't text me") == .optOut)
        #expect(book.intent(of: "INGLÉS") == .language("en"))
        #expect(book.intent(of: "stop the car") == nil)
        #expect(book.intent(of: "¿Cuándo es la corte?") == nil)
    }

    @Test func anAmbiguousKeywordIsAnError() {
        var book = KeywordBook()
        #expect(throws: AvisoError.self) {
            try book.add(language: "xx", path: "Templates/xx/keywords.txt", contents: "opt_out = STOP\nopt_in = stop\n")
        }
    }
}

/// STOP, HELP and a language switch in each language of Kansas City, in its
/// own script and as typed on a phone without that keyboard.
@Suite struct LanguageKeywordTests {
    struct Words: Sendable, CustomStringConvertible {
        var language: String
        var name: String
        var nameTyped: String
        var stop: String
        var stopTyped: String
        var help: String
        var helpTyped: String
        var description: String { language }
    }

    static let cases: [Words] = [
        Words(language: "ar", name: "العربية", nameTyped: "3arabi", stop: "توقف", stopTyped: "waqif", help: "مساعدة", helpTyped: "mosa3ada"),
        Words(
            language: "so", name: "Soomaali", nameTyped: "af soomaali", stop: "JOOJI", stopTyped: "jooji fariimaha", help: "CAAWIMAAD",
            helpTyped: "caawi"),
        Words(language: "sw", name: "Kiswahili", nameTyped: "swahili", stop: "ACHA", stopTyped: "simamisha", help: "MSAADA", helpTyped: "saidia"),
        Words(language: "my", name: "မြန်မာ", nameTyped: "myanmar", stop: "ရပ်", stopTyped: "yat par", help: "အကူအညီ", helpTyped: "a kuu a nyi"),
        Words(
            language: "bs", name: "Bosanski", nameTyped: "bosanski jezik", stop: "Odjava", stopTyped: "odjavi me", help: "POMOĆ", helpTyped: "pomoc"),
        Words(language: "vi", name: "Tiếng Việt", nameTyped: "tieng viet", stop: "Dừng", stopTyped: "dung lai", help: "Giúp", helpTyped: "giup do"),
    ]

    @Test(arguments: cases)
    func repliesAreUnderstoodInEveryLanguage(_ words: Words) async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let phone = "+18165550142"
        let victim = try harness.fixture.addVictim("Victim", language: "en", phone: phone)
        _ = try await dispatchAll(harness.fixture)
        func send(_ body: String) async throws -> [OutboundMessage] {
            try await harness.run { client in
                let answer = try await client.signed(
                    "/webhooks/twilio/inbound", [("MessageSid", UUID().uuidString), ("From", phone), ("To", "+18165550100"), ("Body", body)])
                #expect(answer.status == .ok)
            }
            return try await dispatchAll(harness.fixture).sent
        }
        func state() throws -> ConsentState { try harness.fixture.store.victim(id: victim.id).contactPoints[0].consentState }

        // The language's own name switches the victim to it, and the confirmation is in it.
        var replies = try await send(words.name)
        #expect(try harness.fixture.store.victim(id: victim.id).language == words.language)
        #expect(replies.map(\.language) == [words.language])
        replies = try await send(words.nameTyped)
        #expect(replies.map(\.language) == [words.language], "typed name \(words.nameTyped)")
        for help in [words.help, words.helpTyped] {
            replies = try await send(help)
            #expect(replies.count == 1 && replies.first?.language == words.language, "help \(help)")
            #expect(replies.first?.body.contains("+1 816 234 5000") == true)
        }
        for stop in [words.stop, words.stopTyped] {
            replies = try await send(stop)
            #expect(try state() == .optedOut, "stop \(stop)")
            #expect(replies.count == 1 && replies.first?.language == words.language, "stop \(stop)")
            _ = try await send("START")
            #expect(try state() == .optedIn)
        }
        // An update after all that arrives in the chosen language.
        try harness.fixture.queue(.arrest)
        let update = try await dispatchAll(harness.fixture).sent
        #expect(update.count == 1 && update.first?.language == words.language)
    }
}
