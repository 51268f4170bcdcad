import Foundation
import Mustache

/// One template file as read from `Templates/<language>/`.
public struct TemplateSource: Sendable {
    /// The folder name: a BCP 47 tag.
    public var language: String
    /// The file name, like `charges_filed.sms.mustache` or `terms.txt`.
    public var fileName: String
    /// The path shown in error messages.
    public var path: String
    public var contents: String

    public init(language: String, fileName: String, path: String, contents: String) {
        self.language = language
        self.fileName = fileName
        self.path = path
        self.contents = contents
    }
}

/// A rendered message: the subject (email only) and body.
public struct RenderedMessage: Sendable, Equatable {
    public var subject: String?
    public var body: String
}

/// Every template of every language, parsed and checked. Built once at start
/// (and on reload); a syntax error or an unknown variable stops the daemon
/// with the file and line named.
public struct TemplateCatalog: Sendable {
    struct Key: Hashable {
        var language: String
        var event: Event
        var channel: Channel
    }

    struct Compiled: Sendable {
        var subject: MustacheTemplate?
        var body: MustacheTemplate
        var path: String
        /// What the file's `{{! review: … }}` line says.
        var review: String
    }

    private var templates: [Key: Compiled] = [:]
    private var terms: [String: [String: String]] = [:]
    /// The reply keywords of every language (`keywords.txt`).
    public private(set) var keywords = KeywordBook()
    /// The languages that have at least one template, sorted.
    public private(set) var languages: [String] = []

    /// Parses and checks every source. Collects every problem, so an
    /// administrator fixes them all in one pass.
    public init(sources: [TemplateSource]) throws(AvisoError) {
        var problems: [String] = []
        var languages: Set<String> = []
        for source in sources {
            do {
                if source.fileName == "terms.txt" {
                    terms[source.language] = try Self.parseTerms(source)
                    continue
                }
                if source.fileName == "keywords.txt" {
                    try keywords.add(language: source.language, path: source.path, contents: source.contents)
                    continue
                }
                let (event, channel) = try Self.identify(source)
                templates[Key(language: source.language, event: event, channel: channel)] = try Self.compile(
                    source, event: event, channel: channel)
                languages.insert(source.language)
            } catch {
                problems.append(error.detail)
            }
        }
        guard problems.isEmpty else {
            throw AvisoError(.configuration, title: "Invalid templates", detail: problems.sorted().joined(separator: "\n"))
        }
        self.languages = languages.sorted()
    }

    /// The folder that serves `tag`: the most specific of its fallbacks that
    /// has any template. `nil` when no folder serves it.
    public func servingLanguage(for tag: LanguageTag) -> String? {
        tag.fallbacks.first { languages.contains($0) }
    }

    /// Whether the template for `event` on `channel` exists for `tag`.
    public func has(_ event: Event, _ channel: Channel, for tag: LanguageTag) -> Bool {
        tag.fallbacks.contains { templates[Key(language: $0, event: event, channel: channel)] != nil }
    }

    /// The term `key` (`department`, `offense.armed_robbery`) in the language serving `tag`.
    public func term(_ key: String, for tag: LanguageTag) throws(AvisoError) -> String {
        for language in tag.fallbacks {
            if let value = terms[language]?[key] { return value }
        }
        let folder = servingLanguage(for: tag) ?? tag.value
        throw AvisoError(
            .missingTranslation, title: "Missing translation",
            detail: "No translation of '\(key)' in language '\(tag)': add '\(key) = …' to Templates/\(folder)/terms.txt.")
    }

    /// Whether `key` has a term in any language (for validating offense codes).
    public func termExists(_ key: String) -> Bool { terms.values.contains { $0[key] != nil } }

    /// Every term whose key starts with `prefix` (`offense.`), by key without the prefix, then by language.
    public func terms(withPrefix prefix: String) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (language, entries) in terms {
            for (key, value) in entries where key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count)), default: [:]][language] = value }
        }
        return result
    }

    /// Renders `event` for `channel` in the language serving `tag`. Never falls
    /// back to another language (G6).
    public func render(_ event: Event, _ channel: Channel, language tag: LanguageTag, context: [String: Any])
        throws(AvisoError) -> RenderedMessage
    {
        guard let key = tag.fallbacks.lazy.map({ Key(language: $0, event: event, channel: channel) }).first(where: { templates[$0] != nil }),
            let compiled = templates[key]
        else {
            throw Self.missing(event, channel, tag, folder: servingLanguage(for: tag) ?? tag.value)
        }
        let subject = compiled.subject.map { Self.singleLine($0.render(context)) }
        var body = compiled.body.render(context)
        while body.hasSuffix("\n") { body.removeLast() }
        while body.hasPrefix("\n") { body.removeFirst() }
        return RenderedMessage(subject: subject, body: body)
    }

    static func missing(_ event: Event, _ channel: Channel, _ tag: LanguageTag, folder: String) -> AvisoError {
        AvisoError(
            .missingTranslation, title: "Missing translation",
            detail:
                "No '\(event.rawValue)' template for \(channel.rawValue) in language '\(tag)': add Templates/\(folder)/\(event.rawValue).\(channel.rawValue).mustache."
        )
    }

    /// The path of the template that would render `event` for `tag`, for previews and `avisod check`.
    public func path(_ event: Event, _ channel: Channel, for tag: LanguageTag) -> String? {
        for language in tag.fallbacks {
            if let compiled = templates[Key(language: language, event: event, channel: channel)] { return compiled.path }
        }
        return nil
    }

    /// The text of a `{{! review: … }}` comment, if the file has one.
    static func reviewLine(_ text: String) -> String? {
        guard let start = text.range(of: "{{! review:"), let end = text[start.upperBound...].range(of: "}}") else { return nil }
        return text[start.upperBound..<end.lowerBound].trimmingWhitespaceSubstring()
    }

    /// A template's review status, as its file records it (`not reviewed`, `reviewed by …`).
    public func review(_ event: Event, _ channel: Channel, for tag: LanguageTag) -> String? {
        for language in tag.fallbacks {
            if let compiled = templates[Key(language: language, event: event, channel: channel)] { return compiled.review }
        }
        return nil
    }

    /// Whether a qualified reviewer signed the template.
    public func isReviewed(_ event: Event, _ channel: Channel, for tag: LanguageTag) -> Bool {
        review(event, channel, for: tag)?.lowercased().hasPrefix("reviewed by") == true
    }

    /// Every template not signed by a reviewer, as paths.
    public var unreviewed: [String] {
        templates.values.filter { !$0.review.lowercased().hasPrefix("reviewed by") }.map(\.path).sorted()
    }

    /// The ICU locale dates and times are formatted with for `tag`: the
    /// language's `locale` term (`ar-u-nu-latn`), else the serving folder's tag.
    public func locale(for tag: LanguageTag) -> String {
        (try? term("locale", for: tag)) ?? servingLanguage(for: tag) ?? tag.value
    }

    /// Whether the language is written right to left (`direction = rtl`, or Arabic, Hebrew, Persian, Urdu, …).
    public func isRightToLeft(_ tag: LanguageTag) -> Bool {
        if let direction = try? term("direction", for: tag) { return direction == "rtl" }
        return tag.isRightToLeft
    }

    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 }).trimmingWhitespace()
    }

    static func identify(_ source: TemplateSource) throws(AvisoError) -> (Event, Channel) {
        let parts = source.fileName.split(separator: ".")
        guard parts.count == 3, parts[2] == "mustache", let channel = Channel(rawValue: String(parts[1])) else {
            throw .init(
                .configuration, title: "Invalid templates",
                detail: "\(source.path): not a template name. Name templates <event>.sms.mustache or <event>.email.mustache.")
        }
        guard let event = Event(rawValue: String(parts[0])) else {
            throw .init(
                .configuration, title: "Invalid templates",
                detail: "\(source.path): '\(parts[0])' is not an event. Events: \(Event.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return (event, channel)
    }

    static func compile(_ source: TemplateSource, event: Event, channel: Channel) throws(AvisoError) -> Compiled {
        func fail(_ line: Int, _ message: String) -> AvisoError {
            .init(.configuration, title: "Invalid templates", detail: "\(source.path):\(line): \(message)")
        }
        var text = source.contents.replacingOccurrences(of: "\r\n", with: "\n")
        var subjectText: String?
        var bodyFirstLine = 1
        if channel == .email {
            // Leading comment lines are translator notes; the subject line follows them.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var skipped = 0
            while let first = lines.first, first.hasPrefix("{{!") { lines.removeFirst(); skipped += 1 }
            guard let first = lines.first, first.hasPrefix("Subject:") else {
                throw fail(skipped + 1, "an email template starts with a 'Subject: …' line, then a blank line, then the body.")
            }
            guard lines.count >= 3, lines[1].trimmingWhitespace().isEmpty else {
                throw fail(skipped + 2, "put a blank line between the Subject line and the body.")
            }
            subjectText = String(first.dropFirst("Subject:".count)).trimmingWhitespace()
            bodyFirstLine = skipped + 3
            text = lines.dropFirst(2).joined(separator: "\n")
        }
        let variables = event.templateVariables
        if let subjectText { try checkTags(subjectText, firstLine: bodyFirstLine - 2, variables: variables, fail: fail) }
        try checkTags(text, firstLine: bodyFirstLine, variables: variables, fail: fail)
        func parse(_ text: String, firstLine: Int) throws(AvisoError) -> MustacheTemplate {
            do {
                return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
            } catch let error as MustacheTemplate.ParserError {
                throw fail(
                    firstLine + error.context.lineNumber - 1,
                    "template syntax error (\(error.error)) near '\(error.context.line.trimmingWhitespace())'.")
            } catch {
                throw fail(firstLine, "template syntax error (\(error)).")
            }
        }
        let subject = try subjectText.map { (s) throws(AvisoError) in try parse(s, firstLine: bodyFirstLine - 2) }
        let body = try parse(text, firstLine: bodyFirstLine)
        return Compiled(subject: subject, body: body, path: source.path, review: reviewLine(source.contents) ?? "not reviewed")
    }

    /// Checks every tag against the event's variables, with sections opening scopes.
    static func checkTags(
        _ text: String, firstLine: Int, variables: [String: TemplateVariable], fail: (Int, String) -> AvisoError
    ) throws(AvisoError) {
        var scopes: [[String: TemplateVariable]] = [variables]
        var open: [(name: String, line: Int)] = []
        func lookup(_ name: String) -> TemplateVariable? {
            if name == "." { return .value }
            for scope in scopes.reversed() { if let kind = scope[name] { return kind } }
            return nil
        }
        func unknown(_ tag: TemplateTag) -> AvisoError {
            let suffixes = PluralCategory.allCases.map { "_" + $0.rawValue }
            let known = scopes.flatMap(\.keys).filter { name in !suffixes.contains { name.hasSuffix($0) } }
            return fail(
                tag.line,
                "'\(tag.name)' is not a variable of this event. Available: \(Set(known).sorted().joined(separator: ", ")) (numbers also have _one, _other, … flags)."
            )
        }
        for tag in TemplateScanner.tags(in: text, firstLine: firstLine) {
            switch tag.kind {
            case .comment:
                // "{{! note {{days}} }}" ends at the first "}}" and leaves the rest as text.
                if tag.name.contains("{{") {
                    throw fail(tag.line, "a comment cannot contain '{{': the comment ends at the first '}}' and the rest would be sent as text.")
                }
                continue
            case .pragma:
                guard tag.name.hasPrefix("CONTENT_TYPE") else { throw fail(tag.line, "the pragma '\(tag.name)' is not supported.") }
            case .partial:
                throw fail(tag.line, "partials and blocks ('\(tag.name)') are not supported in Aviso templates.")
            case .delimiter:
                throw fail(tag.line, "changing delimiters is not supported in Aviso templates.")
            case .variable:
                guard let kind = lookup(tag.name) else { throw unknown(tag) }
                if case .list = kind { throw fail(tag.line, "'\(tag.name)' is a list: use {{#\(tag.name)}}…{{/\(tag.name)}}.") }
            case .sectionOpen, .invertedOpen:
                guard let kind = lookup(tag.name) else { throw unknown(tag) }
                if case .list(let items) = kind, tag.kind == .sectionOpen { scopes.append(items) } else { scopes.append([:]) }
                open.append((tag.name, tag.line))
            case .sectionClose:
                guard open.last?.name == tag.name else {
                    throw fail(
                        tag.line,
                        open.last.map { "'{{/\(tag.name)}}' closes a section that is not open; the open section is '\($0.name)'." }
                            ?? "'{{/\(tag.name)}}' closes a section that was never opened.")
                }
                open.removeLast()
                scopes.removeLast()
            }
        }
        if let unclosed = open.last { throw fail(unclosed.line, "the section '\(unclosed.name)' is never closed with {{/\(unclosed.name)}}.") }
    }

    static func parseTerms(_ source: TemplateSource) throws(AvisoError) -> [String: String] {
        var terms: [String: String] = [:]
        for (offset, rawLine) in source.contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespaceSubstring()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw .init(.configuration, title: "Invalid templates", detail: "\(source.path):\(offset + 1): expected 'key = value'.")
            }
            let key = line[..<eq].trimmingWhitespaceSubstring()
            let value = line[line.index(after: eq)...].trimmingWhitespaceSubstring()
            guard !key.isEmpty, !value.isEmpty else {
                throw .init(
                    .configuration, title: "Invalid templates",
                    detail: "\(source.path):\(offset + 1): both the key and the value must be present in 'key = value'.")
            }
            terms[key] = value
        }
        return terms
    }
}

extension TemplateCatalog {
    /// Everything the catalog provides, one entry per template and term
    /// (`es/arrest.sms`, `es/terms.txt: offense.armed_robbery`). A reload
    /// compares two catalogs' provisions, so a half-copied templates folder
    /// cannot quietly take translations away from victims who rely on them.
    public var provisions: Set<String> {
        var result: Set<String> = []
        for key in templates.keys { result.insert("\(key.language)/\(key.event.rawValue).\(key.channel.rawValue)") }
        for (language, entries) in terms {
            for term in entries.keys { result.insert("\(language)/terms.txt: \(term)") }
        }
        return result
    }
}
