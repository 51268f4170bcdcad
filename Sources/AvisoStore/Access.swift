import AvisoCore
public import Foundation
import GRDB

/// Who may see which case. A victim may be in danger if the wrong person
/// reads about them, so a captain sees the cases assigned to them (a case's
/// opener is assigned to it); supervisors and auditors see every case;
/// administrators manage accounts and see no case. What a staff account may
/// not see answers as if it did not exist.
extension AvisoStore {
    /// The ids of the cases `staff` may see; nil means every case.
    public func visibleCaseIds(for staff: StaffAccount) throws -> Set<Int64>? {
        switch staff.role {
        case .supervisor, .auditor: return nil
        case .admin: return []
        case .captain:
            return try pool.read { db in
                Set(try Int64.fetchAll(db, sql: "SELECT case_id FROM case_staff WHERE staff_id = ?", arguments: [staff.id]))
            }
        }
    }

    /// Throws "not found" unless `staff` may see the case.
    public func requireAccess(_ staff: StaffAccount, caseNumber: String) throws {
        try pool.read { db in
            let id = try Self.caseId(db, number: caseNumber)
            guard try Self.sees(db, staff, caseIds: [id]) else { throw AvisoError.notFound("case", caseNumber) }
        }
    }

    /// Throws "not found" unless the victim is on a case `staff` may see.
    public func requireAccess(_ staff: StaffAccount, victimId: Int64) throws {
        try pool.read { db in
            // A victim merged into another is seen by whoever sees the one it went to.
            let cases = try Int64.fetchAll(
                db, sql: "SELECT case_id FROM case_victims WHERE victim_id = coalesce((SELECT merged_into FROM victims WHERE id = ?1), ?1)",
                arguments: [victimId])
            guard try Self.sees(db, staff, caseIds: cases) else { throw AvisoError.notFound("victim", String(victimId)) }
        }
    }

    /// Throws "not found" unless the contact point's victim is on a case `staff` may see.
    public func requireAccess(_ staff: StaffAccount, contactPointId: Int64) throws {
        let victim = try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT victim_id FROM contact_points WHERE id = ?", arguments: [contactPointId])
        }
        guard let victim else { throw AvisoError.notFound("contact point", String(contactPointId)) }
        do { try requireAccess(staff, victimId: victim) } catch { throw AvisoError.notFound("contact point", String(contactPointId)) }
    }

    /// Throws "not found" unless the update's case (or pattern) is one `staff` may see.
    public func requireAccess(_ staff: StaffAccount, updateId: Int64) throws {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT case_id, pattern_id FROM updates WHERE id = ?", arguments: [updateId])
            let visible =
                if let patternId = row?["pattern_id"] as Int64? {
                    try Self.sees(db, staff, patternId: patternId)
                } else if let caseId = row?["case_id"] as Int64? {
                    try Self.sees(db, staff, caseIds: [caseId])
                } else {
                    false
                }
            guard visible else { throw AvisoError.notFound("update", String(updateId)) }
        }
    }

    /// Throws "not found" unless the reply belongs to a case `staff` may see.
    public func requireAccess(_ staff: StaffAccount, inboundId: Int64) throws {
        try pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM inbound_messages WHERE id = ?)", arguments: [inboundId]) == true else {
                throw AvisoError.notFound("reply", String(inboundId))
            }
            let cases = try Int64.fetchAll(db, sql: "SELECT case_id FROM inbound_cases WHERE inbound_id = ?", arguments: [inboundId])
            guard try Self.sees(db, staff, caseIds: cases) else { throw AvisoError.notFound("reply", String(inboundId)) }
        }
    }

    /// Assigns a staff account to a case.
    public func assign(staffId: Int64, toCase number: String, now: Date) throws -> [StaffAccount] {
        try pool.write { db in
            try Self.assignCaptain(db, staffId: staffId, to: .case, id: try Self.caseId(db, number: number), now: now)
        }
    }

    /// Assigns a captain to a case or a pattern (`case_staff`, `pattern_staff`) and answers its staff.
    static func assignCaptain(_ db: Database, staffId: Int64, to target: UpdateTarget, id: Int64, now: Date) throws -> [StaffAccount] {
        let (table, key) = target == .case ? ("case_staff", "case_id") : ("pattern_staff", "pattern_id")
        guard
            let role = try String.fetchOne(db, sql: "SELECT role FROM staff_accounts WHERE id = ? AND disabled_at IS NULL", arguments: [staffId])
        else {
            throw AvisoError.notFound("staff account", String(staffId))
        }
        guard role == StaffRole.captain.rawValue else {
            throw AvisoError.invalid(
                "staff_id", "Only captains are assigned to \(target.rawValue)s; supervisors and auditors already see every \(target.rawValue).")
        }
        try db.execute(
            sql: "INSERT OR IGNORE INTO \(table) (\(key), staff_id, assigned_at) VALUES (?, ?, ?)", arguments: [id, staffId, now.millis])
        return try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.name, s.role, s.languages FROM \(table) a JOIN staff_accounts s ON s.id = a.staff_id
                WHERE a.\(key) = ? ORDER BY s.id
                """,
            arguments: [id]
        ).map(Self.staff)
    }

    static func sees(_ db: Database, _ staff: StaffAccount, caseIds: [Int64]) throws -> Bool {
        switch staff.role {
        case .supervisor, .auditor: return true
        case .admin: return false
        case .captain:
            guard !caseIds.isEmpty else { return false }
            return try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM case_staff WHERE staff_id = ? AND case_id IN (\(list(caseIds))))", arguments: [staff.id])
                ?? false
        }
    }
}
