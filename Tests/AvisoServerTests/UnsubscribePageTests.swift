import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 14 §3: the page an email's unsubscribe link opens.
@Suite struct UnsubscribePageTests {
    static let keys = [
        "unsubscribe.title", "unsubscribe.question", "unsubscribe.button", "unsubscribe.done", "unsubscribe.link", "unsubscribe.texts_continue",
        "unsubscribe.no_texts", "unsubscribe.contact", "unsubscribe.contact_discreet", "unsubscribe.invalid_title", "unsubscribe.invalid",
    ]

    @Test func everyLanguageHasEveryTermOfTheLinkAndThePage() throws {
        let catalog = try repositoryTemplates()
        for language in catalog.languages {
            let tag = try LanguageTag(language)
            for key in Self.keys {
                #expect(throws: Never.self, "\(language) \(key)") { _ = try catalog.term(key, for: tag) }
            }
            for key in ["unsubscribe.contact_discreet", "unsubscribe.invalid", "unsubscribe.invalid_title", "unsubscribe.button", "unsubscribe.done"]
            {
                #expect(!((try? catalog.term(key, for: tag)) ?? "").contains("{{department}}"), "\(language) \(key) must stay discreet")
            }
        }
    }

    static func action(in page: String) throws -> String {
        let start = try #require(page.range(of: "action=\""))
        let end = try #require(page[start.upperBound...].firstIndex(of: "\""))
        return String(page[start.upperBound..<end])
    }

    @Test func theButtonPostsToTheLinkItselfBehindAPathPrefixAndWithout() async throws {
        let harness = try APIHarness(publicURL: "https://kcpd.example/aviso")
        try harness.fixture.openCase()
        let victim = try harness.fixture.addVictim("María López", language: "es", email: "maria@example.org")
        let token = try #require(try harness.fixture.store.unsubscribeToken(contactPointId: victim.contactPoints[0].id))
        try await harness.run { client in
            let page = try await client.call(.get, "/unsubscribe/\(token)", as: nil)
            let action = try Self.action(in: page.body)
            // Resolved as a browser resolves it against the address it opened.
            for (opened, expected) in [
                ("https://kcpd.example/aviso/unsubscribe/\(token)", "/aviso/unsubscribe/\(token)"),
                ("http://127.0.0.1:8750/unsubscribe/\(token)", "/unsubscribe/\(token)"),
            ] {
                #expect(URL(string: action, relativeTo: URL(string: opened))?.absoluteURL.path == expected)
            }
            #expect(page.body.contains("method=\"post\""))
        }
    }

    @Test func thePageNamesTheDepartmentAndPhoneAndSaysWhetherTextsContinue() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let both = try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", email: "jose@example.org")
        let emailOnly = try harness.fixture.addVictim("Amal Haddad", language: "ar", email: "amal@example.org")
        let catalog = harness.fixture.planner.catalog
        let es = try LanguageTag("es")
        let ar = try LanguageTag("ar")
        try await harness.run { client in
            let emailPoint = try #require(both.contactPoints.first { $0.channel == .email })
            let token = try #require(try harness.fixture.store.unsubscribeToken(contactPointId: emailPoint.id))
            let page = try await client.call(.get, "/unsubscribe/\(token)", as: nil).body
            #expect(page.contains("lang=\"es\" dir=\"ltr\""))
            #expect(page.contains(try catalog.term("department", for: es)))
            #expect(page.contains("<a href=\"tel:+18162345000\"><bdi dir=\"ltr\">+1 816 234 5000</bdi></a>"))
            #expect(page.contains(try catalog.term("unsubscribe.texts_continue", for: es)))
            #expect(page.contains("<button type=\"submit\">\(try catalog.term("unsubscribe.button", for: es))</button>"))
            #expect(page.contains("min-height: 3.5rem") && page.contains("focus-visible"))
            let done = try await client.call(.post, "/unsubscribe/\(token)", as: nil, json: "List-Unsubscribe=One-Click").body
            #expect(done.contains(try catalog.term("unsubscribe.texts_continue", for: es)) && done.contains("tel:+18162345000"))
            #expect(!done.contains("<form"))

            let arabicToken = try #require(try harness.fixture.store.unsubscribeToken(contactPointId: emailOnly.contactPoints[0].id))
            let arabic = try await client.call(.get, "/unsubscribe/\(arabicToken)", as: nil).body
            #expect(arabic.contains("lang=\"ar\" dir=\"rtl\""))
            #expect(arabic.contains(try catalog.term("unsubscribe.no_texts", for: ar)))
            #expect(arabic.contains(try catalog.term("department", for: ar)))
        }
    }

    @Test func aDiscreetVictimsPageNamesNeitherTheDepartmentNorThePolice() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let victim = try harness.fixture.addVictim("Rosa Díaz", language: "es", email: "rosa@example.org", discreet: true)
        let token = try #require(try harness.fixture.store.unsubscribeToken(contactPointId: victim.contactPoints[0].id))
        try await harness.run { client in
            for page in [
                try await client.call(.get, "/unsubscribe/\(token)", as: nil).body,
                try await client.call(.post, "/unsubscribe/\(token)", as: nil, json: "List-Unsubscribe=One-Click").body,
            ] {
                for word in ["Departamento", "Policía", "policía", "KCPD", "Kansas City"] { #expect(!page.contains(word), "\(word)") }
                #expect(page.contains("tel:+18162345000"))
            }
        }
    }

    @Test func aLinkThatIsNotValidGetsAFriendlyPageInTheBrowsersLanguage() async throws {
        let harness = try APIHarness()
        let catalog = harness.fixture.planner.catalog
        try await harness.run { client in
            for (accept, language, direction) in [("ar, en;q=0.5", "ar", "rtl"), ("tl, es-MX;q=0.8, en;q=0.3", "es-MX", "ltr"), (nil, "en", "ltr")] {
                for method in [HTTPRequest.Method.get, .post] {
                    for token in [String(repeating: "0", count: 64), "not-a-token"] {
                        var headers: HTTPFields = [:]
                        if let accept { headers[.acceptLanguage] = accept }
                        let response = try await client.execute(uri: "/unsubscribe/\(token)", method: method, headers: headers, body: nil) {
                            ($0.status, String(buffer: $0.body), $0.headers[.contentType])
                        }
                        #expect(response.0 == .notFound)
                        #expect(response.2 == "text/html; charset=utf-8", "no JSON for a victim")
                        #expect(response.1.contains("lang=\"\(language)\" dir=\"\(direction)\""), "\(accept ?? "-")")
                        let title = try catalog.term("unsubscribe.invalid_title", for: try LanguageTag(language))
                        #expect(response.1.contains("<h1>\(title)</h1>"))
                        #expect(response.1.contains("tel:+18162345000") && !response.1.contains("<form"))
                    }
                }
            }
        }
    }
}
