public import AvisoCore
public import Foundation
import GRDB

/// Staff's changes to a victim after registration: their fields, their
/// contact points, their cases, and merging two victims who are one person.
/// Each change is attributed and appended to `victim_changes` in the
/// transaction that makes it (G4).
extension AvisoStore {
    /// Changes a victim's name, language, time zone, discreet mode or notes.
    /// Messages already queued to the victim were written in the old language
    /// or without discreet mode: when either changes they are cancelled (the
    /// answer's warnings say how many), since sending them would break G6 or G11.
    public func editVictim(_ edit: ValidatedVictimEdit, victimId: Int64, by staff: StaffAccount, now: Date) throws -> VictimView {
        try pool.write { db in
            let row = try Self.activeVictim(db, id: victimId)
            var changed: [String] = []
            var assignments: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            func set(_ column: String, _ value: (any DatabaseValueConvertible)?, description: String) {
                assignments.append("\(column) = ?")
                arguments.append(value)
                changed.append(description)
            }
            let oldLanguage: String = row["language"]
            let oldZone: String = row["time_zone"]
            let oldDiscreet: Bool = row["discreet"]
            if let name = edit.displayName, name != row["display_name"] { set("display_name", name, description: "display_name changed") }
            if let language = edit.language, language.value != oldLanguage {
                set("language", language.value, description: "language \(oldLanguage) → \(language.value)")
            }
            if let zone = edit.timeZone, zone.identifier != oldZone {
                set("time_zone", zone.identifier, description: "time_zone \(oldZone) → \(zone.identifier)")
            }
            if let discreet = edit.discreet, discreet != oldDiscreet {
                set("discreet", discreet, description: "discreet \(oldDiscreet) → \(discreet)")
            }
            if let notes = edit.staffNotes, notes != row["staff_notes"] {
                set("staff_notes", notes, description: notes == nil ? "staff_notes removed" : "staff_notes changed")
            }
            var warnings: [String] = []
            if !changed.isEmpty {
                try db.execute(
                    sql: "UPDATE victims SET \(assignments.joined(separator: ", ")) WHERE id = ?",
                    arguments: StatementArguments(arguments + [victimId]))
                let rewrites = (edit.language.map { $0.value != oldLanguage } ?? false) || (edit.discreet == true && !oldDiscreet)
                if rewrites {
                    let queued =
                        try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE victim_id = ? AND state = 'queued'", arguments: [victimId])
                        ?? 0
                    if queued > 0 {
                        try Self.cancelQueued(
                            db, sql: "victim_id = ?", arguments: [victimId], actor: staff.actor, now: now,
                            reason: "victim's language or discreet mode changed; written before the change")
                        warnings.append(
                            "\(queued) message\(queued == 1 ? " was" : "s were") queued in the victim's old language or without discreet mode and \(queued == 1 ? "was" : "were") cancelled. Queue the update again to send it as the victim now needs."
                        )
                    }
                }
                try AuditLog.appendVictimChange(
                    db, .init(victimId: victimId, kind: "edited", detail: changed.joined(separator: "; ")), actor: staff.actor, at: now)
            }
            var view = try Self.victimView(db, id: victimId)
            view.warnings = Self.reachWarnings(view) + warnings
            if view.warnings?.isEmpty == true { view.warnings = nil }
            return view
        }
    }

    /// Retires a contact point: nothing is sent to it again (what was queued
    /// is cancelled), replies from it are not matched to the victim, and its
    /// consent records and contact history stay in the logs and exports.
    public func retireContactPoint(_ contactPointId: Int64, by staff: StaffAccount, now: Date) throws -> ContactPointView {
        try pool.write { db in
            let victimId = try Self.retire(db, contactPointId: contactPointId, by: staff, now: now)
            try AuditLog.appendVictimChange(
                db, .init(victimId: victimId, kind: "contact_point_retired", contactPointId: contactPointId, detail: "retired"), actor: staff.actor,
                at: now)
            return try Self.contactPointView(db, id: contactPointId)
        }
    }

    /// Replaces a contact point with a new one in one step: the old one is
    /// retired, the new one added (with the consent given for it, if any).
    public func replaceContactPoint(
        _ contactPointId: Int64, with point: ValidatedContactPoint, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> ContactPointView {
        try pool.write { db in
            let victimId = try Self.retire(db, contactPointId: contactPointId, by: staff, now: now)
            let newId: Int64
            do {
                newId = try Self.insertContactPoint(db, victimId: victimId, point: point, by: staff, planner: planner, now: now)
            } catch let error as AvisoError where error.kind == .conflict {
                throw AvisoError.conflict("Contact point \(contactPointId) was not replaced: \(error.detail)")
            }
            try AuditLog.appendVictimChange(
                db,
                .init(
                    victimId: victimId, kind: "contact_point_replaced", contactPointId: contactPointId,
                    detail: "replaced by contact point \(newId) (\(point.address.channel.rawValue))"), actor: staff.actor, at: now)
            return try Self.contactPointView(db, id: newId)
        }
    }

    /// Takes a victim off a case (registered on the wrong one): messages of
    /// that case still queued to them are cancelled; their history stays.
    /// A victim stays on at least one case, or no captain could find them.
    public func removeVictim(_ victimId: Int64, fromCase number: String, by staff: StaffAccount, now: Date) throws -> VictimView {
        try pool.write { db in
            let caseId = try Self.caseId(db, number: number)
            _ = try Self.activeVictim(db, id: victimId)
            let cases = try Int64.fetchAll(db, sql: "SELECT case_id FROM case_victims WHERE victim_id = ?", arguments: [victimId])
            guard cases.contains(caseId) else { throw AvisoError.notFound("victim on case \(number)", String(victimId)) }
            guard cases.count > 1 else {
                throw AvisoError.conflict(
                    "Case \(number) is victim \(victimId)'s only case, so they cannot be taken off it: a victim on no case is seen by no captain and never purged. Add them to the right case first (aviso victim link), then take them off this one."
                )
            }
            try db.execute(sql: "DELETE FROM case_victims WHERE case_id = ? AND victim_id = ?", arguments: [caseId, victimId])
            try Self.cancelQueued(
                db, sql: "victim_id = ? AND case_id = ?", arguments: [victimId, caseId], actor: staff.actor, now: now,
                reason: "victim taken off case \(number)")
            try AuditLog.appendVictimChange(
                db, .init(victimId: victimId, kind: "removed_from_case", caseId: caseId, detail: "taken off case \(number)"), actor: staff.actor,
                at: now)
            return try Self.victimView(db, id: victimId)
        }
    }

    /// Merges `duplicateId` into `keptId`: one person registered twice. The
    /// duplicate's contact points (with their consent and contact history),
    /// cases, messages and replies move to the kept victim; the duplicate
    /// stays as a row that says where it went. The kept victim's fields stay,
    /// except that discreet mode wins: if either needed it, the person does.
    public func mergeVictims(keep keptId: Int64, duplicate duplicateId: Int64, by staff: StaffAccount, now: Date) throws -> VictimView {
        try pool.write { db in
            guard keptId != duplicateId else { throw AvisoError.invalid("duplicate_victim_id", "A victim cannot be merged into themself.") }
            let kept = try Self.activeVictim(db, id: keptId)
            let duplicate = try Self.activeVictim(db, id: duplicateId, field: "duplicate_victim_id")
            let keptDiscreet: Bool = kept["discreet"]
            let duplicateDiscreet: Bool = duplicate["discreet"]
            let keptLanguage: String = kept["language"]
            let duplicateLanguage: String = duplicate["language"]
            let keptPoints = try Int64.fetchAll(db, sql: "SELECT id FROM contact_points WHERE victim_id = ?", arguments: [keptId])
            let movedPoints = try Int64.fetchAll(db, sql: "SELECT id FROM contact_points WHERE victim_id = ?", arguments: [duplicateId])
            // What was queued for one of them in a language or a manner the person no longer has is not sent (G6, G11).
            var stale: [Int64] = []
            if keptLanguage != duplicateLanguage || (keptDiscreet && !duplicateDiscreet) { stale += movedPoints }
            if duplicateDiscreet && !keptDiscreet { stale += keptPoints }
            let cancelled =
                stale.isEmpty
                ? 0
                : try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM messages WHERE state = 'queued' AND contact_point_id IN (\(Self.list(stale)))") ?? 0
            if cancelled > 0 {
                try Self.cancelQueued(
                    db, sql: "contact_point_id IN (\(Self.list(stale)))", arguments: [], actor: staff.actor, now: now,
                    reason: "victims merged; written for the other victim's language or discreet mode")
            }
            try db.execute(sql: "UPDATE contact_points SET victim_id = ? WHERE victim_id = ?", arguments: [keptId, duplicateId])
            try db.execute(
                sql:
                    "INSERT OR IGNORE INTO case_victims (case_id, victim_id, added_at) SELECT case_id, ?, added_at FROM case_victims WHERE victim_id = ?",
                arguments: [keptId, duplicateId])
            try db.execute(sql: "DELETE FROM case_victims WHERE victim_id = ?", arguments: [duplicateId])
            try db.execute(sql: "UPDATE messages SET victim_id = ? WHERE victim_id = ?", arguments: [keptId, duplicateId])
            try db.execute(sql: "UPDATE inbound_messages SET victim_id = ? WHERE victim_id = ?", arguments: [keptId, duplicateId])
            // Whoever was merged into the duplicate before now points at the kept victim: one hop, always.
            try db.execute(sql: "UPDATE victims SET merged_into = ? WHERE merged_into = ?", arguments: [keptId, duplicateId])
            try db.execute(sql: "UPDATE victims SET merged_into = ?, merged_at = ? WHERE id = ?", arguments: [keptId, now.millis, duplicateId])
            var detail = "victim \(duplicateId) merged into this victim"
            if duplicateDiscreet && !keptDiscreet {
                try db.execute(sql: "UPDATE victims SET discreet = 1 WHERE id = ?", arguments: [keptId])
                detail += "; discreet false → true"
            }
            try AuditLog.appendVictimChange(
                db, .init(victimId: keptId, kind: "merged", otherVictimId: duplicateId, detail: detail), actor: staff.actor, at: now)
            try AuditLog.appendVictimChange(
                db, .init(victimId: duplicateId, kind: "merged", otherVictimId: keptId, detail: "merged into victim \(keptId)"), actor: staff.actor,
                at: now)
            var view = try Self.victimView(db, id: keptId)
            var warnings = Self.reachWarnings(view)
            if cancelled > 0 {
                warnings.append(
                    "\(cancelled) queued message\(cancelled == 1 ? " was" : "s were") written for the other victim's language or discreet mode and cancelled. Queue the update again to send it as this victim needs."
                )
            }
            view.warnings = warnings.isEmpty ? nil : warnings
            return view
        }
    }

    /// Every change staff made to a victim, oldest first.
    public func victimChanges(victimId: Int64) throws -> [VictimChangeView] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM victim_changes WHERE victim_id = ? ORDER BY id", arguments: [victimId]).map {
                VictimChangeView(
                    id: $0["id"], victimId: $0["victim_id"], kind: $0["kind"], contactPointId: $0["contact_point_id"],
                    caseNumber: try String.fetchOne(db, sql: "SELECT number FROM cases WHERE id = ?", arguments: [$0["case_id"] as Int64?]),
                    otherVictimId: $0["other_victim_id"], detail: $0["detail"], actor: $0["actor"], at: Date(millis: $0["at"]))
            }
        }
    }

    /// What to tell staff about a victim just registered or changed.
    static func reachWarnings(_ view: VictimView) -> [String] {
        let active = view.contactPoints.filter { $0.retiredAt == nil }
        if active.isEmpty {
            return [
                "Victim \(view.id) has no contact point, so nothing can reach them: add a phone number or email address (aviso contact add \(view.id) --phone … or --email …)."
            ]
        }
        return []
    }

    /// The victim's row, unless it was merged into another (then a conflict says where it went).
    static func activeVictim(_ db: Database, id: Int64, field: String? = nil) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM victims WHERE id = ?", arguments: [id]) else {
            var error = AvisoError.notFound("victim", String(id))
            error.field = field
            throw error
        }
        if let target: Int64 = row["merged_into"] {
            var error = AvisoError.conflict("Victim \(id) was merged into victim \(target) (one person): make the change on victim \(target).")
            error.field = field
            throw error
        }
        return row
    }

    /// Marks a contact point retired and cancels what was queued to it; returns its victim.
    static func retire(_ db: Database, contactPointId: Int64, by staff: StaffAccount, now: Date) throws -> Int64 {
        guard let row = try Row.fetchOne(db, sql: "SELECT victim_id, retired_at FROM contact_points WHERE id = ?", arguments: [contactPointId])
        else { throw AvisoError.notFound("contact point", String(contactPointId)) }
        if let retiredAt: Int64 = row["retired_at"] {
            throw AvisoError.conflict("Contact point \(contactPointId) was already retired on \(Date(millis: retiredAt)); nothing is sent to it.")
        }
        try db.execute(
            sql: "UPDATE contact_points SET retired_at = ?, retired_by = ? WHERE id = ?", arguments: [now.millis, staff.id, contactPointId])
        try cancelQueued(
            db, sql: "contact_point_id = ?", arguments: [contactPointId], actor: staff.actor, now: now, reason: "contact point retired by staff")
        return row["victim_id"]
    }

    /// Refuses a change to a retired contact point.
    static func requireActiveContactPoint(_ db: Database, id: Int64) throws {
        if let retiredAt = try Int64.fetchOne(db, sql: "SELECT retired_at FROM contact_points WHERE id = ?", arguments: [id]) {
            throw AvisoError.conflict(
                "Contact point \(id) was retired on \(Date(millis: retiredAt)): nothing is sent to it and its consent cannot change. Add the victim's current address as a new contact point."
            )
        }
    }
}

extension AuditLog {
    /// One victim-change entry to append.
    struct VictimChange {
        var victimId: Int64
        var kind: String
        var contactPointId: Int64? = nil
        var caseId: Int64? = nil
        var otherVictimId: Int64? = nil
        var detail: String
    }

    /// The fields of a victim-change row, in the order the chain hashes them.
    static func victimChangeFields(
        id: Int64, victimId: Int64, kind: String, contactPointId: Int64?, caseId: Int64?, otherVictimId: Int64?, detail: String, actor: String,
        at: Int64
    ) -> [String?] {
        [
            String(id), String(victimId), kind, contactPointId.map(String.init), caseId.map(String.init), otherVictimId.map(String.init), detail,
            actor, String(at),
        ]
    }

    static func appendVictimChange(_ db: Database, _ change: VictimChange, actor: String, at: Date) throws {
        let previous = try lastHash(db, table: "victim_changes")
        let id = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'victim_changes'") ?? 0) + 1
        let hash = AuditChain.hash(
            previous: previous,
            fields: victimChangeFields(
                id: id, victimId: change.victimId, kind: change.kind, contactPointId: change.contactPointId, caseId: change.caseId,
                otherVictimId: change.otherVictimId, detail: change.detail, actor: actor, at: at.millis))
        try db.execute(
            sql: """
                INSERT INTO victim_changes (id, victim_id, kind, contact_point_id, case_id, other_victim_id, detail, actor, at, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, change.victimId, change.kind, change.contactPointId, change.caseId, change.otherVictimId, change.detail, actor, at.millis,
                previous,
                hash,
            ])
    }
}

extension AvisoStore {
    /// The first break of the victim-change chain, if any.
    static func victimChangeBreak(_ db: Database) throws -> ChainBreak? {
        var previous = AuditChain.genesis
        var expectedId: Int64 = 1
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM victim_changes ORDER BY id")
        while let row = try rows.next() {
            let id: Int64 = row["id"]
            let fields = AuditLog.victimChangeFields(
                id: id, victimId: row["victim_id"], kind: row["kind"], contactPointId: row["contact_point_id"], caseId: row["case_id"],
                otherVictimId: row["other_victim_id"], detail: row["detail"], actor: row["actor"], at: row["at"])
            if let problem = check(row, id: id, expectedId: expectedId, previous: previous, fields: fields) {
                return ChainBreak(table: "victim_changes", rowId: id, reason: problem)
            }
            previous = row["hash"]
            expectedId = id + 1
        }
        return try tailBreak(db, table: "victim_changes", lastId: expectedId - 1)
    }
}
