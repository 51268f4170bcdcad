public import AvisoCore
public import Foundation

/// What each fuzz target does with one input: the code under test must not
/// crash, hang or break its own promises (a parsed address parses again to
/// itself, a signature Aviso computes is one it accepts, …). A broken promise
/// is a `preconditionFailure`, which the fuzzer reports as a crash and saves
/// the input for; `FuzzRegressionTests` runs every saved input again.
public enum FuzzChecks {
    public static let targets = ["keywords", "webhook", "json", "template", "address", "sms", "csv"]

    /// The repository's templates and keywords, read once.
    public static let catalog: TemplateCatalog = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates")
        var sources: [TemplateSource] = []
        let files = FileManager.default
        for language in ((try? files.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            let folder = root.appendingPathComponent(language)
            for file in ((try? files.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
                let path = folder.appendingPathComponent(file).path
                if let contents = try? String(contentsOfFile: path, encoding: .utf8) {
                    sources.append(TemplateSource(language: language, fileName: file, path: path, contents: contents))
                }
            }
        }
        do { return try TemplateCatalog(sources: sources) } catch { preconditionFailure("the repository's templates do not load: \(error)") }
    }()

    static let zone = TimeZone(identifier: "America/Chicago")!
    static let planner = UpdatePlanner(catalog: catalog, policy: MessagePolicy(contactPhone: "+1 816 234 5000", departmentZone: zone))
    static let now = Date(timeIntervalSince1970: 1_781_110_800)  // 2026-06-10 12:00 in Chicago

    /// Runs one input through `target`.
    public static func run(_ target: String, _ data: Data) {
        switch target {
        case "keywords": keywords(data)
        case "webhook": webhook(data)
        case "json": json(data)
        case "template": template(data)
        case "address": address(data)
        case "sms": sms(data)
        case "csv": csv(data)
        default: preconditionFailure("no fuzz target '\(target)'; targets: \(targets.joined(separator: ", "))")
        }
    }

    /// The reply keywords of every language: any text is read without a crash, and reading is stable.
    static func keywords(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        let book = catalog.keywords
        let reading = book.read(text)
        precondition(book.read(text) == reading, "reading the same reply twice gave two answers")
        _ = book.intent(of: text)
        let normalized = KeywordBook.normalize(text)
        precondition(KeywordBook.normalize(normalized) == normalized, "normalizing is not idempotent for \(text.debugDescription)")
    }

    /// The webhook form decoder and signature check: a form decodes, encodes
    /// and decodes again to the same fields, and Aviso accepts the signature
    /// it computes over them, and not one with a character changed.
    static func webhook(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        let (head, body) = text.firstIndex(of: "\n").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) } ?? ("", text)
        let fields = FormEncoding.decode(body)
        let again = FormEncoding.decode(FormEncoding.encode(fields))
        precondition(again.map(\.0) == fields.map(\.0) && again.map(\.1) == fields.map(\.1), "form fields changed in a round trip")
        let url = "https://aviso.kcpd.example/webhooks/twilio/inbound"
        _ = TwilioSignature.isValid(signature: head, authToken: "token", url: url, parameters: fields)
        let signature = TwilioSignature.compute(authToken: "token", url: url, parameters: fields)
        precondition(TwilioSignature.isValid(signature: signature, authToken: "token", url: url, parameters: fields), "own signature refused")
        var forged = Array(signature)
        forged[0] = forged[0] == "A" ? "B" : "A"
        precondition(
            !TwilioSignature.isValid(signature: String(forged), authToken: "token", url: url, parameters: fields), "forged signature accepted")
    }

    /// Every route's JSON body: decoded strictly and validated as the route does, without a crash.
    /// The first byte picks the body type, the rest is the document.
    static func json(_ data: Data) {
        guard let first = data.first else { return }
        let document = data.dropFirst()
        let catalog = Self.catalog
        switch first % 11 {
        case 0: _ = try? StrictJSON.decode(CaseCreate.self, from: document).validated(catalog: catalog)
        case 1: _ = try? StrictJSON.decode(VictimCreate.self, from: document).validated(catalog: catalog)
        case 2: _ = try? StrictJSON.decode(ContactPointCreate.self, from: document).validated()
        case 3: try? StrictJSON.decode(ConsentInput.self, from: document).validateFromStaff()
        case 4:
            if let update = try? StrictJSON.decode(UpdateCreate.self, from: document), let event = Event(rawValue: update.event) {
                _ = try? (update.fields ?? UpdateFields()).validated(for: event, catalog: catalog, departmentZone: zone)
            }
        case 5: _ = try? StrictJSON.decode(StaffCreate.self, from: document)
        case 6: _ = try? StrictJSON.decode(CaseVictimLink.self, from: document)
        case 7: _ = try? StrictJSON.decode(OptOutDecision.self, from: document)
        case 8: _ = try? StrictJSON.decode(CaseStaffAssignment.self, from: document)
        case 9: _ = try? StrictJSON.decode(LegalHoldInput.self, from: document)
        default: _ = try? StrictJSON.decode(TokenCreate.self, from: document)
        }
    }

    /// Template rendering with hostile field values: an update's fields as
    /// JSON, planned for a victim in every language, in both modes, on every
    /// channel. Whatever the fields hold, planning either refuses them with
    /// an error or renders; and a discreet message never carries the place.
    static func template(_ data: Data) {
        guard let first = data.first else { return }
        let queueable = Event.queueable
        let event = queueable[Int(first) % queueable.count]
        guard let fields = try? StrictJSON.decode(UpdateFields.self, from: data.dropFirst()),
            let validated = try? fields.validated(for: event, catalog: catalog, departmentZone: zone)
        else { return }
        var recipients: [Recipient] = []
        var id: Int64 = 0
        for language in catalog.languages {
            guard let tag = try? LanguageTag(language) else { continue }
            for discreet in [false, true] {
                id += 1
                recipients.append(
                    Recipient(
                        victimId: id, language: tag, timeZone: zone, discreet: discreet,
                        contactPoints: [
                            RecipientAddress(contactPointId: id * 2, channel: .sms), RecipientAddress(contactPointId: id * 2 + 1, channel: .email),
                        ]))
            }
        }
        guard
            let planned = try? planner.plan(
                event: event, fields: validated, caseFacts: CaseFacts(number: "KC-2025-004512", offense: "armed_robbery"), recipients: recipients,
                previousHearing: nil, sendAt: nil, now: now)
        else { return }
        let discreetPoints = Set(recipients.filter(\.discreet).flatMap { $0.contactPoints.map(\.contactPointId) })
        if let place = validated.fields.place?.trimmingCharacters(in: .whitespacesAndNewlines), place.count >= 6 {
            for message in planned where discreetPoints.contains(message.contactPointId) {
                precondition(!message.body.contains(place), "a discreet message carries the place \(place.debugDescription)")
            }
        }
    }

    /// The phone and email parsers: what parses, parses again to itself.
    static func address(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        if let phone = try? PhoneNumber(text) {
            precondition((try? PhoneNumber(phone.e164))?.e164 == phone.e164, "\(phone.e164) does not parse to itself")
        }
        if let email = try? EmailAddress(text) {
            precondition((try? EmailAddress(email.address))?.address == email.address, "\(email.address) does not parse to itself")
        }
        _ = try? TextInput.check(text, field: "fuzz", lineBreaks: false)
    }

    /// SMS encoding and segments: a body is measured the same way twice, and
    /// one that fits one segment has at most its single-segment length.
    static func sms(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        let normalized = SMSEncoding.normalized(text)
        precondition(SMSEncoding.normalized(normalized) == normalized, "normalizing an SMS is not idempotent")
        let measure = SMSEncoding.measure(normalized)
        precondition(measure == SMSEncoding.measure(normalized), "measuring twice gave two answers")
        precondition(measure.segments >= (normalized.isEmpty ? 0 : 1), "a non-empty body of no segments")
        let single = measure.encoding == .gsm7 ? SMSEncoding.gsm7Single : SMSEncoding.ucs2Single
        if measure.segments == 1 { precondition(measure.units <= single, "one segment holds \(measure.units) units") }
        let split = SMSEncoding.parts(normalized)
        precondition(split.parts.joined() == normalized, "the segments do not join back to the body")
        precondition(
            split.parts.count == max(measure.segments, normalized.isEmpty ? 0 : 1), "\(split.parts.count) parts for \(measure.segments) segments")
    }

    /// The CSV parser of the victim import: any bytes parse or are refused
    /// with an error, and what parses, written back with every field quoted,
    /// parses to the same fields.
    static func csv(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        guard let records = try? CSV.parse(text) else { return }
        let meaningful = records.map(\.fields).filter { $0 != [""] }
        let written = meaningful.map { fields in
            fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
        }.joined(separator: "\r\n")
        guard let again = try? CSV.parse(written) else { preconditionFailure("quoted CSV written from parsed records was refused") }
        precondition(again.map(\.fields).filter { $0 != [""] } == meaningful, "a CSV round trip changed the fields")
    }
}
