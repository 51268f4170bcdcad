public import AvisoCore
public import Foundation
import GRDB

/// Aviso's one source of truth: a SQLite database in WAL mode. Every
/// operation that changes state is one transaction.
public final class AvisoStore: Sendable {
    let pool: DatabasePool
    public let path: String
    /// Consent withdrawals as they commit, for the last check before a hand-off (G1).
    public let revocations = ConsentRevocations()

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    ///
    /// `synchronous = FULL` makes a commit durable before it returns, so an
    /// accepted update survives power loss (G2).
    public init(path: String, migrate: Bool = true) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw AvisoError(
                .configuration, title: "Database unavailable",
                detail: "Cannot open the database at \(path): \(error). Check that the directory exists and is writable by the daemon.")
        }
        self.path = path
        pool.add(transactionObserver: ConsentObserver(revocations), extent: .databaseLifetime)
        if migrate { try self.migrate() }
    }

    /// Runs every migration not yet applied; returns their names.
    @discardableResult
    public func migrate() throws -> [String] {
        let before = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
        try Schema.migrator.migrate(pool)
        return Schema.migrator.migrations.filter { !before.contains($0) }
    }

    /// A cheap query, for readiness checks.
    public func ping() throws {
        _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}

extension Date {
    /// Milliseconds since 1970: how the schema stores instants.
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

/// The staff account a request acts as.
public struct StaffAccount: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: StaffRole
    public var languages: [String]

    /// How logs and consent records name this account.
    public var actor: String { "staff:\(id)" }
}

extension AvisoStore {
    /// How long a token works when nobody says otherwise (`auth.token_lifetime_days`).
    public static let defaultTokenLifetime: TimeInterval = 90 * 86_400

    /// Creates a staff account and its first API token. The token is returned
    /// once; only its hash is stored. `actor` is who made it: `staff:N` or `host`.
    public func createStaff(
        _ input: StaffCreate, now: Date, tokenLifetime: TimeInterval = AvisoStore.defaultTokenLifetime, actor: String = "host"
    ) throws -> (StaffAccount, token: String) {
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        try TextInput.check(name, field: "name", lineBreaks: false)
        guard (1...200).contains(name.count) else { throw AvisoError.invalid("name", "A staff account needs a name of 1 to 200 characters.") }
        let languages = (input.languages ?? []).map(\.value)
        let token = APIToken.generate()
        let account = try pool.write { db in
            try db.execute(
                sql: "INSERT INTO staff_accounts (name, role, languages, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, input.role.rawValue, languages.joined(separator: ","), now.millis])
            let id = db.lastInsertedRowID
            try Self.insertToken(db, token: token, staffId: id, label: nil, lifetime: tokenLifetime, actor: actor, now: now)
            return StaffAccount(id: id, name: name, role: input.role, languages: languages)
        }
        return (account, token)
    }

    static func insertToken(_ db: Database, token: String, staffId: Int64, label: String?, lifetime: TimeInterval, actor: String, now: Date) throws {
        try db.execute(
            sql: "INSERT INTO api_tokens (staff_id, token_hash, created_at, expires_at, label, created_by) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [staffId, APIToken.hash(token), now.millis, now.addingTimeInterval(lifetime).millis, label, actor])
    }

    /// The account a bearer token belongs to, or nil when the token is unknown,
    /// revoked or expired, or its account is disabled.
    public func authenticate(token: String, now: Date) throws -> StaffAccount? {
        try pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT s.id, s.name, s.role, s.languages FROM api_tokens t JOIN staff_accounts s ON s.id = t.staff_id
                    WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND s.disabled_at IS NULL
                    """, arguments: [APIToken.hash(token), now.millis]
            ).map(Self.staff)
        }
    }

    public func staffAccounts() throws -> [StaffAccount] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT id, name, role, languages FROM staff_accounts ORDER BY id").map(Self.staff) }
    }

    static func staff(_ row: Row) -> StaffAccount {
        let languages: String = row["languages"]
        return StaffAccount(
            id: row["id"], name: row["name"], role: StaffRole(rawValue: row["role"]) ?? .auditor,
            languages: languages.split(separator: ",").map(String.init))
    }
}
