import AvisoCore
import Foundation
import GRDB

/// The checks that keep one thing from being registered twice: a case
/// number however it is written, an email address whatever the case of its
/// letters, and a second victim of the same name on a case unless staff
/// confirm they are two people. Unique indexes (migration v10) back the first two.
extension AvisoStore {
    /// Refuses a case number that is an existing case's, ignoring case, spaces
    /// and dashes. Who may not see the existing case learns only that it exists.
    static func refuseDuplicateCase(_ db: Database, number: String, by staff: StaffAccount) throws {
        let key = VictimChangeSchema.caseNumberKey("number")
        guard
            let existing = try Row.fetchOne(
                db, sql: "SELECT id, number FROM cases WHERE \(key) = \(VictimChangeSchema.caseNumberKey("?")) LIMIT 1", arguments: [number])
        else { return }
        let existingNumber: String = existing["number"]
        var error: AvisoError
        if try sees(db, staff, caseIds: [existing["id"]]) {
            let same =
                existingNumber == number ? "" : " (case numbers are compared ignoring capitals, spaces and dashes, so '\(number)' is that case)"
            error = AvisoError.conflict(
                "Case \(existingNumber) already exists\(same). Add victims or updates to it instead of opening it again.")
        } else {
            // Not an oracle across units: nothing of the other case but that it exists.
            error = AvisoError.conflict(
                "A case with the number '\(number)' already exists (compared ignoring capitals, spaces and dashes). Ask a supervisor to assign you to it if it is yours."
            )
        }
        error.field = "number"
        throw error
    }

    /// Refuses a second victim of the same name on a case unless confirmed
    /// (`confirm_same_name`): more often one person registered twice than two.
    static func refuseSameName(_ db: Database, _ name: String, caseId: Int64) throws {
        let key = sameNameKey(name)
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT v.id, v.display_name FROM case_victims cv JOIN victims v ON v.id = cv.victim_id WHERE cv.case_id = ? ORDER BY v.id",
            arguments: [caseId])
        guard let same = rows.first(where: { sameNameKey($0["display_name"]) == key }) else { return }
        var error = AvisoError.conflict(
            "Victim \(same["id"] as Int64) on this case has the same name. If this is the same person, add the contact point to victim \(same["id"] as Int64) instead (aviso contact add); if they are two people, register again with confirm_same_name: true (aviso victim add --confirm-same-name)."
        )
        error.field = "display_name"
        throw error
    }

    /// Names compared ignoring capitals, accents and spacing: "José  Pérez" is "jose perez".
    static func sameNameKey(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The contact point already holding an address (an email address compared ignoring case), retired or not.
    static func existingContactPoint(_ db: Database, _ address: ContactAddress) throws -> Row? {
        switch address {
        case .sms(let phone):
            try Row.fetchOne(
                db, sql: "SELECT id, victim_id, address, retired_at FROM contact_points WHERE channel = 'sms' AND address = ?",
                arguments: [phone.e164])
        case .email(let email):
            try Row.fetchOne(
                db,
                sql: "SELECT id, victim_id, address, retired_at FROM contact_points WHERE channel = 'email' AND lower(address) = lower(?) LIMIT 1",
                arguments: [email.address])
        }
    }
}
