import AvisoCore
import AvisoStore
import Foundation
import HTTPTypes
import Hummingbird

/// The page an unsubscribe link opens, for a victim on a phone: in her
/// language and its direction, one large button, what happens to her text
/// messages, whom to call. No cookies, no scripts, no redirect.
///
/// The form posts to the link's own address, written relative to the page
/// (`action="<token>"`), so it works behind a proxy that serves Aviso under
/// a path prefix (`http.public_url = https://kcpd.example/aviso`) as well as
/// on the listener itself. A link that is not valid gets a page too, never
/// a JSON problem document.
struct UnsubscribePage {
    let catalog: TemplateCatalog
    let language: LanguageTag
    /// Empty in discreet mode: the page then names neither the department nor the police (G11).
    let department: String
    let phone: String
    let target: UnsubscribeTarget?

    init(catalog: TemplateCatalog, language: LanguageTag, phone: String, target: UnsubscribeTarget?) {
        self.catalog = catalog
        self.language = language
        self.phone = phone
        self.target = target
        department = target.map { $0.discreet } == false ? ((try? catalog.term("department", for: language)) ?? "") : ""
    }

    init(state: ServerState, target: UnsubscribeTarget) {
        let planner = state.planner
        let tag = (try? LanguageTag(target.language)) ?? (try! LanguageTag("en"))
        self.init(catalog: planner.catalog, language: tag, phone: planner.policy.contactPhone, target: target)
    }

    var discreet: Bool { target?.discreet ?? true }

    /// The page of a token Aviso does not know (mistyped, or its address was
    /// purged), in the best language the browser asks for. It does not know
    /// whose link it was, so it names no department: only the number to call.
    static func invalidLink(state: ServerState, acceptLanguage: String?) -> Response {
        let planner = state.planner
        let page = UnsubscribePage(
            catalog: planner.catalog, language: preferredLanguage(acceptLanguage, catalog: planner.catalog), phone: planner.policy.contactPhone,
            target: nil)
        return page.render(title: page.text("unsubscribe.invalid_title"), "<p>\(page.html("unsubscribe.invalid"))</p>", status: .notFound)
    }

    /// The first language of an `Accept-Language` header (by weight) that has templates; English otherwise.
    static func preferredLanguage(_ header: String?, catalog: TemplateCatalog) -> LanguageTag {
        let ranked = (header ?? "").split(separator: ",").enumerated().compactMap { index, item -> (Double, Int, LanguageTag)? in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = parts.first, let tag = try? LanguageTag(first), catalog.servingLanguage(for: tag) != nil else { return nil }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return weight > 0 ? (weight, index, tag) : nil
        }
        return ranked.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.first?.2 ?? (try! LanguageTag("en"))
    }

    /// A term in the page's language, with the department filled in. The
    /// repository's languages all have these terms (UnsubscribePageTests); in
    /// a language added without them, English is better than no page.
    func text(_ key: String) -> String {
        let raw = (try? catalog.term(key, for: language)) ?? (try? catalog.term(key, for: try! LanguageTag("en"))) ?? key
        return raw.replacingOccurrences(of: "{{department}}", with: department)
    }

    /// A term as HTML: escaped, with the phone number as a link a phone can call.
    func html(_ key: String) -> String {
        let digits = phone.filter { $0.isNumber || $0 == "+" }
        let link = "<a href=\"tel:\(digits)\"><bdi dir=\"ltr\">\(escape(phone))</bdi></a>"
        return escape(text(key)).replacingOccurrences(of: "{{contact_phone}}", with: link)
    }

    /// What happens to her text messages, and whom to call.
    var aside: String {
        var lines: [String] = []
        if let target { lines.append("<p>\(html(target.textsContinue ? "unsubscribe.texts_continue" : "unsubscribe.no_texts"))</p>") }
        lines.append("<p class=\"contact\">\(html(discreet ? "unsubscribe.contact_discreet" : "unsubscribe.contact"))</p>")
        return lines.joined(separator: "\n")
    }

    var title: String { discreet ? text("unsubscribe.button") : text("unsubscribe.title") }

    func question(token: String) -> String {
        """
        <p>\(html("unsubscribe.question"))</p>
        <form method="post" action="\(escape(token))">
        <input type="hidden" name="List-Unsubscribe" value="One-Click">
        <button type="submit">\(escape(text("unsubscribe.button")))</button>
        </form>
        \(aside)
        """
    }

    func done() -> String {
        """
        <p role="status"><strong>\(html("unsubscribe.done"))</strong></p>
        \(aside)
        """
    }

    func render(_ body: String) -> Response { render(title: title, body) }

    static let style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Tahoma, Arial, sans-serif; font-size: 1.125rem; line-height: 1.55;
          color: #111; background: #fff; max-width: 34rem; margin: 0 auto; padding: 1.25rem 1rem 2rem; }
        h1 { font-size: 1.45rem; line-height: 1.3; margin: 0.5rem 0 1rem; }
        form { margin: 1.5rem 0; }
        button { display: block; width: 100%; min-height: 3.5rem; padding: 0.85rem 1rem; font: inherit; font-size: 1.25rem;
          font-weight: 700; color: #fff; background: #0a4f8f; border: 2px solid #0a4f8f; border-radius: 0.6rem; cursor: pointer; }
        button:hover { background: #083d6f; }
        button:focus-visible { outline: 4px solid #f0a500; outline-offset: 3px; }
        a { color: #0a4f8f; font-weight: 700; }
        a[href^="tel:"] { white-space: nowrap; }
        .contact { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid #ccc; }
        """

    func render(title: String, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let direction = language.isRightToLeft ? "rtl" : "ltr"
        let html = """
            <!doctype html>
            <html lang="\(language.value)" dir="\(direction)">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>
            \(Self.style)
            </style></head>
            <body>
            <main>
            <h1>\(escape(title))</h1>
            \(body)
            </main>
            </body></html>
            """
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentLanguage: language.value,
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
