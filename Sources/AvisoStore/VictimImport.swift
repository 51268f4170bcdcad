public import AvisoCore
public import Foundation
import GRDB

/// An import asked to commit was refused because rows have problems; nothing was registered.
public struct VictimImportRefused: Error, Sendable {
    public var report: VictimImportReport
}

extension AvisoStore {
    /// Imports victims into a case in one transaction (SPEC §6). Each row
    /// takes the path one victim takes (`VictimCreate.validated`, then
    /// `insertVictim`), so every rule of adding a victim holds for an
    /// import. A dry run (or any row with a problem) rolls everything back
    /// after every row was tried, so the report lists every row's problem:
    /// an address on two rows of the file, or already registered, as much as
    /// a bad phone number. Rows that look like the same person (the same
    /// name twice in the file, or a victim of that name already on the case)
    /// are warnings.
    ///
    /// `rows` holds each row's validation: the victim, or its problem.
    /// Throws `VictimImportRefused` when committing and a row has a problem.
    public func importVictims(
        _ rows: [(row: Int, victim: Result<ValidatedVictim, AvisoError>)], toCase number: String, by staff: StaffAccount,
        planner: UpdatePlanner, dryRun: Bool, now: Date
    ) throws -> VictimImportReport {
        var report = VictimImportReport(dryRun: dryRun, rows: rows.count, imported: 0, victimIds: [], welcomes: 0, problems: [], warnings: [])
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                let caseId = try Self.caseId(db, number: number)
                let firstMessage = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM messages") ?? 0) + 1
                var existingNames: [String: Int64] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT v.id, v.display_name FROM case_victims cv JOIN victims v ON v.id = cv.victim_id WHERE cv.case_id = ?",
                    arguments: [caseId])
                {
                    let key = Self.nameKey(row["display_name"])
                    existingNames[key] = existingNames[key] ?? row["id"]
                }
                var addressRows: [ContactAddress: Int] = [:]
                var nameRows: [String: Int] = [:]
                var ids: [Int64] = []
                ids.reserveCapacity(rows.count)
                for (rowNumber, result) in rows {
                    let victim: ValidatedVictim
                    switch result {
                    case .failure(let error):
                        report.problems.append(VictimImportIssue(row: rowNumber, field: error.field, detail: error.detail))
                        continue
                    case .success(let validated): victim = validated
                    }
                    let key = Self.nameKey(victim.displayName)
                    if let earlier = nameRows[key] {
                        report.warnings.append(
                            VictimImportIssue(
                                row: rowNumber, field: "display_name",
                                detail: "Row \(earlier) has the same name. If they are one person, keep one row with both contact points."))
                    } else if let existing = existingNames[key] {
                        report.warnings.append(
                            VictimImportIssue(
                                row: rowNumber, field: "display_name",
                                detail:
                                    "Victim \(existing) on this case has the same name. If they are one person, add the contact points to victim \(existing) instead."
                            ))
                    }
                    nameRows[key] = nameRows[key] ?? rowNumber
                    var repeated = false
                    for (index, point) in victim.contactPoints.enumerated() {
                        if let earlier = addressRows[point.address] {
                            let what = point.address.channel == .sms ? "phone number" : "email address"
                            report.problems.append(
                                VictimImportIssue(
                                    row: rowNumber, field: "contact_points[\(index)].address",
                                    detail: "This \(what) is also on row \(earlier). One person is one victim: keep one row for them."))
                            repeated = true
                        } else {
                            addressRows[point.address] = rowNumber
                        }
                    }
                    if repeated { continue }
                    // A savepoint per row: a row the database refuses (an address already registered)
                    // is undone alone, and the rows after it are still tried, so every problem is reported.
                    try db.inSavepoint {
                        do {
                            ids.append(try Self.insertVictim(db, victim, caseId: caseId, by: staff, planner: planner, now: now))
                            return .commit
                        } catch let error as AvisoError {
                            report.problems.append(VictimImportIssue(row: rowNumber, field: error.field, detail: error.detail))
                            return .rollback
                        }
                    }
                }
                report.welcomes =
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE id >= ? AND event = 'welcome'", arguments: [firstMessage]) ?? 0
                report.problems.sort { ($0.row, $0.field ?? "") < ($1.row, $1.field ?? "") }
                guard report.problems.isEmpty, !dryRun else { return .rollback }
                report.imported = ids.count
                report.victimIds = ids
                return .commit
            }
        }
        if !dryRun && !report.problems.isEmpty { throw VictimImportRefused(report: report) }
        return report
    }

    /// Names compared as a person reads them: case, accents and spacing aside.
    static func nameKey(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
