public import AvisoCore
public import Foundation
import GRDB

extension AvisoStore {
    public func createCase(_ input: CaseCreate, by staff: StaffAccount, now: Date) throws -> CaseView {
        try pool.write { db in
            try Self.refuseDuplicateCase(db, number: input.number, by: staff)
            try db.execute(
                sql: "INSERT INTO cases (number, offense, unit, summary, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [input.number, input.offense, input.unit, input.summary, staff.id, now.millis])
            let id = db.lastInsertedRowID
            // Whoever opens a case works it: they are assigned to it.
            try db.execute(sql: "INSERT INTO case_staff (case_id, staff_id, assigned_at) VALUES (?, ?, ?)", arguments: [id, staff.id, now.millis])
            return try Self.caseView(db, id: id, withVictims: false)
        }
    }

    public func caseView(number: String, withVictims: Bool) throws -> CaseView {
        try pool.read { db in try Self.caseView(db, id: try Self.caseId(db, number: number), withVictims: withVictims) }
    }

    public func cases() throws -> [CaseView] {
        try pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM cases ORDER BY id").map { try Self.caseView(db, id: $0, withVictims: false) }
        }
    }

    static func caseId(_ db: Database, number: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM cases WHERE number = ?", arguments: [number]) else {
            throw AvisoError.notFound("case", number)
        }
        return id
    }

    static func caseView(_ db: Database, id: Int64, withVictims: Bool) throws -> CaseView {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cases WHERE id = ?", arguments: [id]) else {
            throw AvisoError.notFound("case", String(id))
        }
        let victims =
            withVictims
            ? try Int64.fetchAll(db, sql: "SELECT victim_id FROM case_victims WHERE case_id = ? ORDER BY victim_id", arguments: [id]).map {
                try victimView(db, id: $0)
            } : nil
        return CaseView(
            id: row["id"], number: row["number"], offense: row["offense"], unit: row["unit"], status: CaseStatus(rawValue: row["status"]) ?? .open,
            summary: row["summary"], createdAt: Date(millis: row["created_at"]), closedAt: (row["closed_at"] as Int64?).map(Date.init(millis:)),
            legalHold: row["legal_hold"], victims: victims)
    }

    /// Registers a victim on a case, with contact points and the consent
    /// staff recorded. Each contact point that is opted in gets its welcome.
    public func addVictim(
        _ victim: ValidatedVictim, toCase number: String, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> VictimView {
        try pool.write { db in
            let victimId = try Self.insertVictim(db, victim, caseId: try Self.caseId(db, number: number), by: staff, planner: planner, now: now)
            var view = try Self.victimView(db, id: victimId)
            let warnings = Self.reachWarnings(view)
            view.warnings = warnings.isEmpty ? nil : warnings
            return view
        }
    }

    /// Registers many victims on a case in one transaction (an import): all
    /// of them or, on the first problem, none. Returns their ids in order.
    public func addVictims(
        _ victims: [ValidatedVictim], toCase number: String, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> [Int64] {
        try pool.write { db in
            let caseId = try Self.caseId(db, number: number)
            var ids: [Int64] = []
            ids.reserveCapacity(victims.count)
            for (index, victim) in victims.enumerated() {
                do {
                    ids.append(try Self.insertVictim(db, victim, caseId: caseId, by: staff, planner: planner, now: now))
                } catch let error as AvisoError {
                    throw error.nested(in: "[\(index)]")
                }
            }
            return ids
        }
    }

    static func insertVictim(
        _ db: Database, _ victim: ValidatedVictim, caseId: Int64, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> Int64 {
        if !victim.confirmSameName { try refuseSameName(db, victim.displayName, caseId: caseId) }
        try db.execute(
            sql: "INSERT INTO victims (display_name, language, time_zone, discreet, staff_notes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [victim.displayName, victim.language.value, victim.timeZone.identifier, victim.discreet, victim.staffNotes, now.millis])
        let victimId = db.lastInsertedRowID
        try db.execute(sql: "INSERT INTO case_victims (case_id, victim_id, added_at) VALUES (?, ?, ?)", arguments: [caseId, victimId, now.millis])
        for (index, point) in victim.contactPoints.enumerated() {
            do {
                try insertContactPoint(db, victimId: victimId, point: point, by: staff, planner: planner, now: now)
            } catch let error as AvisoError {
                throw error.nested(in: "contact_points[\(index)]")
            }
        }
        return victimId
    }

    /// Adds an existing victim to another case: one person, one victim.
    public func linkVictim(_ victimId: Int64, toCase number: String, now: Date) throws -> VictimView {
        try pool.write { db in
            let caseId = try Self.caseId(db, number: number)
            _ = try Self.activeVictim(db, id: victimId, field: "victim_id")
            try db.execute(
                sql: "INSERT OR IGNORE INTO case_victims (case_id, victim_id, added_at) VALUES (?, ?, ?)", arguments: [caseId, victimId, now.millis])
            return try Self.victimView(db, id: victimId)
        }
    }

    public func addContactPoint(
        _ point: ValidatedContactPoint, victimId: Int64, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> ContactPointView {
        try pool.write { db in
            _ = try Self.activeVictim(db, id: victimId)
            let id = try Self.insertContactPoint(db, victimId: victimId, point: point, by: staff, planner: planner, now: now)
            return try Self.contactPointView(db, id: id)
        }
    }

    /// Records a consent change made by staff (verbal or written consent, or
    /// an opt-out on the victim's behalf).
    public func recordConsent(
        _ consent: ConsentInput, contactPointId: Int64, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> ContactPointView {
        try pool.write { db in
            _ = try Self.contactPointView(db, id: contactPointId)
            try Self.requireActiveContactPoint(db, id: contactPointId)
            let consent = try Self.checkVictimOptOut(db, contactPointId: contactPointId, consent: consent)
            try Self.applyStaffConsent(db, contactPointId: contactPointId, consent: consent, by: staff, planner: planner, now: now)
            return try Self.contactPointView(db, id: contactPointId)
        }
    }

    public func victim(id: Int64) throws -> VictimView {
        try pool.read { db in try Self.victimView(db, id: id) }
    }

    @discardableResult
    static func insertContactPoint(
        _ db: Database, victimId: Int64, point: ValidatedContactPoint, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> Int64 {
        let channel = point.address.channel
        if let existing = try existingContactPoint(db, point.address) {
            let owner: Int64 = existing["victim_id"]
            let what = channel == .sms ? "phone number" : "email address"
            let ownerCases = try Int64.fetchAll(db, sql: "SELECT case_id FROM case_victims WHERE victim_id = ?", arguments: [owner])
            guard try sees(db, staff, caseIds: ownerCases) else {
                // Not an oracle across cases: who the person is, and on which case, stays with those who may see it.
                throw AvisoError.conflict(
                    "This \(what) is already registered in Aviso on a case you are not assigned to, so it cannot be added here. A supervisor can link that person to this case (aviso victim link, or POST /v1/cases/{number}/victim-links) or assign you to their case."
                )
            }
            if let retiredAt: Int64 = existing["retired_at"] {
                throw AvisoError.conflict(
                    "This \(what) was victim \(owner)'s contact point \(existing["id"] as Int64) until staff retired it on \(Date(millis: retiredAt)); a retired address keeps its history and is not registered again."
                )
            }
            throw AvisoError.conflict(
                "This \(what) already belongs to victim \(owner)\(existing["address"] as String == point.address.value ? "" : " (written with other capital letters; an email address is the same whatever their case)"). A person who is a victim in two cases is one victim: add victim \(owner) to this case instead."
            )
        }
        try db.execute(
            sql: "INSERT INTO contact_points (victim_id, channel, address, created_at, unsubscribe_token) VALUES (?, ?, ?, ?, ?)",
            arguments: [victimId, channel.rawValue, point.address.value, now.millis, channel == .email ? UnsubscribeToken.generate() : nil])
        let id = db.lastInsertedRowID
        if let consent = point.consent {
            try applyStaffConsent(db, contactPointId: id, consent: consent, by: staff, planner: planner, now: now)
        }
        return id
    }

    static func applyStaffConsent(
        _ db: Database, contactPointId: Int64, consent: ConsentInput, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws {
        let recipient = try recipient(db, contactPointId: contactPointId)
        try AuditLog.appendConsent(
            db, contactPointId: contactPointId, state: consent.state, method: consent.method, actor: staff.actor, at: now,
            wordingVersion: consent.wordingVersion, wording: consent.wording, language: (consent.language ?? recipient.language).value)
        if consent.state == .optedIn {
            try queueWelcomeIfNeeded(db, contactPointId: contactPointId, recipient: recipient, planner: planner, now: now)
        }
    }

    /// A contact point's first message is its welcome (SPEC §4), queued the
    /// first time it is opted in.
    static func queueWelcomeIfNeeded(_ db: Database, contactPointId: Int64, recipient: Recipient, planner: UpdatePlanner, now: Date) throws {
        let welcomed = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE contact_point_id = ? AND event = 'welcome')", arguments: [contactPointId])
        guard welcomed != true, let address = recipient.contactPoints.first(where: { $0.contactPointId == contactPointId }) else { return }
        let planned = try planner.systemMessage(.welcome, recipient: recipient, address: address, now: now, respectQuietHours: true)
        // Listed with the case the victim was most recently registered on, so the case's history shows it.
        let caseId = try Int64.fetchOne(
            db, sql: "SELECT case_id FROM case_victims WHERE victim_id = ? ORDER BY added_at DESC, case_id DESC LIMIT 1",
            arguments: [recipient.victimId])
        try insertMessages(db, [planned], updateId: nil, caseId: caseId, expiresAt: nil, now: now)
    }

    /// The recipient view of one contact point's victim, limited to that contact point.
    static func recipient(_ db: Database, contactPointId: Int64) throws -> Recipient {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT v.id, v.language, v.time_zone, v.discreet, cp.channel FROM contact_points cp JOIN victims v ON v.id = cp.victim_id
                    WHERE cp.id = ?
                    """, arguments: [contactPointId])
        else { throw AvisoError.notFound("contact point", String(contactPointId)) }
        return try recipient(
            from: row, contactPoints: [RecipientAddress(contactPointId: contactPointId, channel: Channel(rawValue: row["channel"]) ?? .sms)])
    }

    static func recipient(from row: Row, contactPoints: [RecipientAddress]) throws -> Recipient {
        Recipient(
            victimId: row["id"], language: try LanguageTag(row["language"]), timeZone: TimeZone(identifier: row["time_zone"]) ?? .gmt,
            discreet: row["discreet"], contactPoints: contactPoints)
    }

    static func victimView(_ db: Database, id: Int64) throws -> VictimView {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM victims WHERE id = ?", arguments: [id]) else {
            throw AvisoError.notFound("victim", String(id))
        }
        let cases = try String.fetchAll(
            db, sql: "SELECT c.number FROM case_victims cv JOIN cases c ON c.id = cv.case_id WHERE cv.victim_id = ? ORDER BY c.id", arguments: [id])
        let points = try Int64.fetchAll(db, sql: "SELECT id FROM contact_points WHERE victim_id = ? ORDER BY id", arguments: [id]).map {
            try contactPointView(db, id: $0)
        }
        return VictimView(
            id: id, displayName: row["display_name"], language: row["language"], timeZone: row["time_zone"], discreet: row["discreet"],
            staffNotes: row["staff_notes"], cases: cases, contactPoints: points, mergedInto: row["merged_into"])
    }

    static func contactPointView(_ db: Database, id: Int64) throws -> ContactPointView {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM contact_points WHERE id = ?", arguments: [id]) else {
            throw AvisoError.notFound("contact point", String(id))
        }
        let records = try Row.fetchAll(db, sql: "SELECT * FROM consent_records WHERE contact_point_id = ? ORDER BY id", arguments: [id]).map {
            ConsentRecordView(
                id: $0["id"], state: ConsentState(rawValue: $0["state"]) ?? .pending, method: ConsentMethod(rawValue: $0["method"]) ?? .verbal,
                actor: $0["actor"], recordedAt: Date(millis: $0["recorded_at"]), wordingVersion: $0["wording_version"], wording: $0["wording"],
                language: $0["language"])
        }
        return ContactPointView(
            id: id, victimId: row["victim_id"], channel: Channel(rawValue: row["channel"]) ?? .sms, address: row["address"],
            consentState: ConsentState(rawValue: row["consent_state"]) ?? .pending, consent: records,
            retiredAt: (row["retired_at"] as Int64?).map(Date.init(millis:)))
    }
}
