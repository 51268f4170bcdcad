public import AvisoCore
public import Foundation
import GRDB

/// Patterns (SPEC §3): named groups of linked cases. A case may be in several.
/// A captain sees a pattern when assigned to it or to one of its cases, and
/// within it only the cases assigned to them; supervisors and auditors see all.
extension AvisoStore {
    public func createPattern(_ input: PatternCreate, by staff: StaffAccount, now: Date) throws -> PatternView {
        let name = try input.validatedName()
        return try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM patterns WHERE name = ?)", arguments: [name]) == true {
                throw AvisoError.conflict("A pattern named \"\(name)\" already exists. Link cases to it instead.")
            }
            try db.execute(sql: "INSERT INTO patterns (name, created_by, created_at) VALUES (?, ?, ?)", arguments: [name, staff.id, now.millis])
            let id = db.lastInsertedRowID
            // Whoever opens a pattern works it.
            try db.execute(
                sql: "INSERT INTO pattern_staff (pattern_id, staff_id, assigned_at) VALUES (?, ?, ?)", arguments: [id, staff.id, now.millis])
            for (index, number) in (input.caseNumbers ?? []).enumerated() {
                do {
                    try Self.link(db, patternId: id, caseNumber: number, by: staff, now: now)
                } catch let error as AvisoError {
                    throw error.nested(in: "case_numbers[\(index)]")
                }
            }
            return try Self.patternView(db, id: id, for: staff, detailed: false)
        }
    }

    public func renamePattern(id: Int64, to rawName: String, by staff: StaffAccount) throws -> PatternView {
        let name = try PatternCreate.validName(rawName)
        return try pool.write { db in
            _ = try Self.patternName(db, id: id)
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM patterns WHERE name = ? AND id <> ?)", arguments: [name, id]) == true {
                throw AvisoError.conflict("Another pattern is already named \"\(name)\".")
            }
            try db.execute(sql: "UPDATE patterns SET name = ? WHERE id = ?", arguments: [name, id])
            return try Self.patternView(db, id: id, for: staff, detailed: false)
        }
    }

    /// Links a case: the staff member must see the case as well as the pattern.
    public func linkCase(_ number: String, toPattern id: Int64, by staff: StaffAccount, now: Date) throws -> PatternView {
        try pool.write { db in
            _ = try Self.patternName(db, id: id)
            try Self.link(db, patternId: id, caseNumber: number, by: staff, now: now)
            return try Self.patternView(db, id: id, for: staff, detailed: false)
        }
    }

    public func unlinkCase(_ number: String, fromPattern id: Int64, by staff: StaffAccount) throws -> PatternView {
        try pool.write { db in
            _ = try Self.patternName(db, id: id)
            let caseId = try Self.caseId(db, number: number)
            guard try Self.sees(db, staff, caseIds: [caseId]) else { throw AvisoError.notFound("case", number) }
            try db.execute(sql: "DELETE FROM pattern_cases WHERE pattern_id = ? AND case_id = ?", arguments: [id, caseId])
            guard db.changesCount > 0 else { throw AvisoError.notFound("case of pattern \(id)", number) }
            return try Self.patternView(db, id: id, for: staff, detailed: false)
        }
    }

    /// Assigns a captain to a pattern, so they see it (and reach the linked cases assigned to them).
    public func assign(staffId: Int64, toPattern id: Int64, by staff: StaffAccount, now: Date) throws -> [StaffAccount] {
        try pool.write { db in
            _ = try Self.patternName(db, id: id)
            return try Self.assignCaptain(db, staffId: staffId, to: .pattern, id: id, now: now)
        }
    }

    /// The patterns `staff` may see.
    public func patterns(for staff: StaffAccount) throws -> [PatternView] {
        try pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM patterns ORDER BY id").filter { try Self.sees(db, staff, patternId: $0) }.map {
                try Self.patternView(db, id: $0, for: staff, detailed: false)
            }
        }
    }

    /// A pattern with its cases, each victim once, and its updates.
    public func pattern(id: Int64, for staff: StaffAccount) throws -> PatternView {
        try pool.read { db in try Self.patternView(db, id: id, for: staff, detailed: true) }
    }

    /// Throws "not found" unless `staff` may see the pattern.
    public func requireAccess(_ staff: StaffAccount, patternId: Int64) throws {
        try pool.read { db in
            _ = try Self.patternName(db, id: patternId)
            guard try Self.sees(db, staff, patternId: patternId) else { throw AvisoError.notFound("pattern", String(patternId)) }
        }
    }

    /// The whole history of a pattern's cases (those `staff` may see), as for one case.
    public func exportPattern(id: Int64, by staff: StaffAccount, now: Date) throws -> HistoryExport {
        let breaks = try verifyAuditChains()
        return try pool.read { db in
            let name = try Self.patternName(db, id: id)
            let caseIds = try Self.patternCaseIds(db, id: id, for: staff)
            let victimIds = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT victim_id FROM case_victims WHERE case_id IN (\(Self.list(caseIds))) ORDER BY victim_id")
            return try Self.export(
                db, scope: "pattern \(id) (\(name))", caseIds: caseIds, victimIds: victimIds,
                messageFilter: ("m.case_id IN (\(Self.list(caseIds)))", []), by: staff, breaks: breaks, now: now)
        }
    }

    /// The ids of a pattern's linked cases `staff` may see.
    public func patternCaseIds(id: Int64, for staff: StaffAccount) throws -> [Int64] {
        try pool.read { db in try Self.patternCaseIds(db, id: id, for: staff) }
    }

    static func patternCaseIds(_ db: Database, id: Int64, for staff: StaffAccount) throws -> [Int64] {
        let visible = try visibleCaseIds(db, for: staff)
        return try Int64.fetchAll(db, sql: "SELECT case_id FROM pattern_cases WHERE pattern_id = ? ORDER BY case_id", arguments: [id]).filter {
            visible?.contains($0) ?? true
        }
    }

    static func patternName(_ db: Database, id: Int64) throws -> String {
        guard let name = try String.fetchOne(db, sql: "SELECT name FROM patterns WHERE id = ?", arguments: [id]) else {
            throw AvisoError.notFound("pattern", String(id))
        }
        return name
    }

    static func link(_ db: Database, patternId: Int64, caseNumber: String, by staff: StaffAccount, now: Date) throws {
        let caseId = try caseId(db, number: caseNumber)
        guard try sees(db, staff, caseIds: [caseId]) else { throw AvisoError.notFound("case", caseNumber) }
        try db.execute(
            sql: "INSERT OR IGNORE INTO pattern_cases (pattern_id, case_id, linked_by, linked_at) VALUES (?, ?, ?, ?)",
            arguments: [patternId, caseId, staff.id, now.millis])
    }

    static func sees(_ db: Database, _ staff: StaffAccount, patternId: Int64) throws -> Bool {
        switch staff.role {
        case .supervisor, .auditor: return true
        case .admin: return false
        case .captain:
            return try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM pattern_staff WHERE pattern_id = ? AND staff_id = ?)
                      OR EXISTS (SELECT 1 FROM pattern_cases pc JOIN case_staff cs ON cs.case_id = pc.case_id WHERE pc.pattern_id = ? AND cs.staff_id = ?)
                    """, arguments: [patternId, staff.id, patternId, staff.id]) ?? false
        }
    }

    static func patternView(_ db: Database, id: Int64, for staff: StaffAccount, detailed: Bool) throws -> PatternView {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM patterns WHERE id = ?", arguments: [id]) else {
            throw AvisoError.notFound("pattern", String(id))
        }
        let linked = try Int64.fetchAll(db, sql: "SELECT case_id FROM pattern_cases WHERE pattern_id = ? ORDER BY case_id", arguments: [id])
        let visible = try patternCaseIds(db, id: id, for: staff)
        let numbers = try String.fetchAll(db, sql: "SELECT number FROM cases WHERE id IN (\(list(visible))) ORDER BY id")
        var view = PatternView(
            id: id, name: row["name"], createdBy: "staff:\(row["created_by"] as Int64)", createdAt: Date(millis: row["created_at"]),
            cases: numbers, otherCases: linked.count - visible.count)
        if detailed {
            view.victims = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT victim_id FROM case_victims WHERE case_id IN (\(list(visible))) ORDER BY victim_id"
            ).map { try victimView(db, id: $0) }
            view.updates = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.*, NULL AS number, p.name AS pattern_name FROM updates u JOIN patterns p ON p.id = u.pattern_id
                    WHERE u.pattern_id = ? ORDER BY u.id DESC
                    """, arguments: [id]
            ).map { try updateSummary(db, $0) }
        }
        return view
    }
}
