public import AvisoCore
public import AvisoStore
public import Foundation

/// The repository's root, found from this file's path.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The repository's own templates, parsed as the daemon parses them.
public func repositoryTemplates() throws -> TemplateCatalog {
    let root = repositoryRoot.appendingPathComponent("Templates")
    var sources: [TemplateSource] = []
    for language in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
        let folder = root.appendingPathComponent(language)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            let path = folder.appendingPathComponent(file).path
            sources.append(
                TemplateSource(language: language, fileName: file, path: path, contents: try String(contentsOfFile: path, encoding: .utf8)))
        }
    }
    return try TemplateCatalog(sources: sources)
}

public let chicago = TimeZone(identifier: "America/Chicago")!

/// An instant given as wall-clock time in a zone (`2026-06-10T12:00`).
public func instant(_ text: String, in zone: TimeZone = chicago) -> Date {
    try! UpdateFields.parseLocalDateTime(text, zone: zone, field: "test")
}

public func testPolicy() -> MessagePolicy {
    MessagePolicy(contactPhone: "+1 816 234 5000", departmentZone: chicago)
}

/// A fresh directory under the system's temporary directory, one per test.
public func temporaryDirectory(_ label: String = "aviso") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A store in its own temporary directory, a planner over the repository's
/// templates, a captain, and a clock standing at a weekday noon in Chicago.
public struct StoreFixture: Sendable {
    public let directory: URL
    public let store: AvisoStore
    public let planner: UpdatePlanner
    public let clock: ManualClock
    public let captain: StaffAccount
    /// The captain's API token.
    public let captainToken: String

    public init(now: Date = instant("2026-06-10T12:00")) throws {
        directory = try temporaryDirectory()
        store = try AvisoStore(path: directory.appendingPathComponent("aviso.sqlite").path)
        planner = UpdatePlanner(catalog: try repositoryTemplates(), policy: testPolicy())
        clock = ManualClock(now)
        (captain, captainToken) = try store.createStaff(
            StaffCreate(name: "Capt. Ana Ruiz", role: .captain, languages: [try LanguageTag("es")]), now: now)
    }

    /// Opens case KC-2025-004512 (armed robbery).
    @discardableResult
    public func openCase(_ number: String = "KC-2025-004512") throws -> CaseView {
        try store.createCase(
            CaseCreate(number: number, offense: "armed_robbery", unit: "Robbery Unit").validated(catalog: planner.catalog), by: captain,
            now: clock.now())
    }

    /// Registers a victim with the given contact points, consent recorded verbally.
    @discardableResult
    public func addVictim(
        _ name: String, language: String, phone: String? = nil, email: String? = nil, consent: Bool = true, discreet: Bool = false,
        caseNumber: String = "KC-2025-004512", timeZone: String = "America/Chicago"
    ) throws -> VictimView {
        let input = consent ? ConsentInput(state: .optedIn, method: .verbal, wordingVersion: "2026-01") : nil
        var points: [ContactPointCreate] = []
        if let phone { points.append(ContactPointCreate(channel: .sms, address: phone, consent: input)) }
        if let email { points.append(ContactPointCreate(channel: .email, address: email, consent: input)) }
        let victim = try VictimCreate(displayName: name, language: language, timeZone: timeZone, discreet: discreet, contactPoints: points)
            .validated(catalog: planner.catalog)
        return try store.addVictim(victim, toCase: caseNumber, by: captain, planner: planner, now: clock.now())
    }

    /// Queues (or previews) an update on the case.
    @discardableResult
    public func queue(
        _ event: Event, _ fields: UpdateFields = UpdateFields(), caseNumber: String = "KC-2025-004512", sendAt: Date? = nil, dryRun: Bool = false
    ) throws -> UpdateView {
        let validated = try fields.validated(for: event, catalog: planner.catalog, departmentZone: chicago)
        return try store.queueUpdate(
            UpdateRequest(event: event, fields: validated, sendAt: sendAt), caseNumber: caseNumber, by: captain, planner: planner, now: clock.now(),
            dryRun: dryRun)
    }

    /// Records an opt-out by staff on the victim's behalf.
    public func optOut(contactPoint: Int64) throws {
        _ = try store.recordConsent(
            ConsentInput(state: .optedOut, method: .verbal, wordingVersion: "2026-01"), contactPointId: contactPoint, by: captain, planner: planner,
            now: clock.now())
    }

    /// Every message of the database, oldest first.
    public func allMessages() throws -> [MessageView] {
        try store.messages(caseNumber: nil, state: nil, limit: 100_000).reversed()
    }
}
