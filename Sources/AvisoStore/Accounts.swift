public import AvisoCore
public import Foundation
import GRDB

/// The life of staff accounts and their tokens (CJIS 5.5/5.6): tokens expire,
/// are listed and revoked; accounts are disabled and enabled again. Every
/// change is one transaction with its access-log row, so the log and the
/// state never disagree.
extension AvisoStore {
    /// Every staff account, disabled ones included.
    public func staffList() throws -> [StaffView] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, languages, disabled_at FROM staff_accounts ORDER BY id").map(Self.staffView)
        }
    }

    /// One staff account, or "not found".
    public func staffView(id: Int64) throws -> StaffView {
        try pool.read { db in try Self.staffView(db, id: id) }
    }

    static func staffView(_ db: Database, id: Int64) throws -> StaffView {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, name, role, languages, disabled_at FROM staff_accounts WHERE id = ?", arguments: [id])
        else { throw AvisoError.notFound("staff account", String(id)) }
        return staffView(row)
    }

    static func staffView(_ row: Row) -> StaffView {
        let account = staff(row)
        let disabled: Int64? = row["disabled_at"]
        return StaffView(
            id: account.id, name: account.name, role: account.role, languages: account.languages, token: nil,
            disabledAt: disabled.map(Date.init(millis:)))
    }

    /// The tokens of an account, newest first, with their state at `now`.
    public func tokens(staffId: Int64, now: Date) throws -> [TokenView] {
        try pool.read { db in
            _ = try Self.staffView(db, id: staffId)
            return try Row.fetchAll(db, sql: "SELECT * FROM api_tokens WHERE staff_id = ? ORDER BY id DESC", arguments: [staffId]).map {
                Self.tokenView($0, now: now)
            }
        }
    }

    static func tokenView(_ row: Row, now: Date) -> TokenView {
        let expires: Int64? = row["expires_at"]
        let revoked: Int64? = row["revoked_at"]
        let state =
            if revoked != nil { "revoked" } else if let expires, expires <= now.millis { "expired" } else { "active" }
        return TokenView(
            id: row["id"], staffId: row["staff_id"], label: row["label"], createdAt: Date(millis: row["created_at"]), createdBy: row["created_by"],
            expiresAt: expires.map(Date.init(millis:)), revokedAt: revoked.map(Date.init(millis:)), revokedBy: row["revoked_by"], state: state)
    }

    /// Makes a new token for an enabled account; the answer carries the token, once.
    public func createToken(
        staffId: Int64, _ input: TokenCreate, defaultLifetime: TimeInterval, by actor: String, client: String?, now: Date
    ) throws -> TokenView {
        let label = try input.label.map { raw throws(AvisoError) -> String in
            let label = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            try TextInput.check(label, field: "label", lineBreaks: false)
            guard (1...100).contains(label.count) else { throw .invalid("label", "A token's label has 1 to 100 characters.") }
            return label
        }
        var lifetime = defaultLifetime
        if let days = input.lifetimeDays {
            guard (1...3650).contains(days) else {
                throw AvisoError.invalid("lifetime_days", "A token lives 1 to 3650 days; \(days) is outside that.")
            }
            lifetime = TimeInterval(days) * 86_400
        }
        let token = APIToken.generate()
        return try pool.write { db in
            let account = try Self.staffView(db, id: staffId)
            guard account.disabledAt == nil else {
                throw AvisoError(
                    .conflict, title: "Account disabled",
                    detail: "Staff account \(staffId) is disabled; enable it before giving it a token.")
            }
            try Self.insertToken(db, token: token, staffId: staffId, label: label, lifetime: lifetime, actor: actor, now: now)
            let id = db.lastInsertedRowID
            try AuditLog.appendAccess(
                db, actor: actor, action: "token.create", object: "staff account \(staffId), token \(id)", client: client, outcome: 201, at: now)
            var view = Self.tokenView(try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE id = ?", arguments: [id])!, now: now)
            view.token = token
            return view
        }
    }

    /// Revokes a token at once: the next request with it gets 401. Revoking a revoked token changes nothing.
    public func revokeToken(id: Int64, by actor: String, client: String?, now: Date) throws -> TokenView {
        try pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE id = ?", arguments: [id]) else {
                throw AvisoError.notFound("token", String(id))
            }
            let revoked: Int64? = row["revoked_at"]
            if revoked == nil {
                try db.execute(sql: "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?", arguments: [now.millis, actor, id])
                let staffId: Int64 = row["staff_id"]
                try AuditLog.appendAccess(
                    db, actor: actor, action: "token.revoke", object: "staff account \(staffId), token \(id)", client: client, outcome: 200,
                    at: now)
            }
            return Self.tokenView(try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE id = ?", arguments: [id])!, now: now)
        }
    }

    /// Disables an account (every token stops working at once) or enables it
    /// again (its tokens that are neither revoked nor expired work again).
    public func setDisabled(staffId: Int64, _ disabled: Bool, by actor: String, client: String?, now: Date) throws -> StaffView {
        try pool.write { db in
            let account = try Self.staffView(db, id: staffId)
            guard disabled != (account.disabledAt != nil) else { return account }
            if disabled {
                try db.execute(
                    sql: "UPDATE staff_accounts SET disabled_at = ?, disabled_by = ? WHERE id = ?", arguments: [now.millis, actor, staffId])
            } else {
                try db.execute(sql: "UPDATE staff_accounts SET disabled_at = NULL, disabled_by = NULL WHERE id = ?", arguments: [staffId])
            }
            try AuditLog.appendAccess(
                db, actor: actor, action: disabled ? "account.disable" : "account.enable", object: "staff account \(staffId)", client: client,
                outcome: 200, at: now)
            return try Self.staffView(db, id: staffId)
        }
    }

    /// Appends one row to the access log (CJIS 5.4): who did what to which object, from where, with what outcome.
    public func recordAccess(actor: String, action: String, object: String?, client: String?, outcome: Int, at: Date) throws {
        try pool.write { db in
            try AuditLog.appendAccess(db, actor: actor, action: action, object: object, client: client, outcome: outcome, at: at)
        }
    }

    /// The access log, oldest first, from `afterId` on; optionally one actor's rows only.
    public func accessLog(actor: String? = nil, since: Date? = nil, afterId: Int64 = 0, limit: Int) throws -> [AccessLogEntry] {
        try pool.read { db in
            var sql = "SELECT id, at, actor, action, object, client, outcome FROM access_log WHERE id > ?"
            var arguments: StatementArguments = [afterId]
            if let actor {
                sql += " AND actor = ?"
                _ = arguments.append(contentsOf: [actor])
            }
            if let since {
                sql += " AND at >= ?"
                _ = arguments.append(contentsOf: [since.millis])
            }
            sql += " ORDER BY id LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AccessLogEntry(
                    id: row["id"], at: Date(millis: row["at"]), actor: row["actor"], action: row["action"], object: row["object"],
                    client: row["client"], outcome: row["outcome"])
            }
        }
    }
}
