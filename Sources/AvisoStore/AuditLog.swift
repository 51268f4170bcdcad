import AvisoCore
import Foundation
import GRDB

/// Appends to the hash-chained logs (G4). Must run inside the write
/// transaction that makes the change it records, so the log and the state
/// never disagree.
enum AuditLog {
    static func lastHash(_ db: Database, table: String) throws -> String {
        try String.fetchOne(db, sql: "SELECT hash FROM \(table) ORDER BY id DESC LIMIT 1") ?? AuditChain.genesis
    }

    /// The fields of a contact-log row, in the order the chain hashes them.
    static func contactFields(
        id: Int64, at: Int64, actor: String, messageId: Int64?, contactPointId: Int64?, kind: String, detail: String?, bodyDigest: String?
    ) -> [String?] {
        [String(id), String(at), actor, messageId.map(String.init), contactPointId.map(String.init), kind, detail, bodyDigest]
    }

    /// One contact-log entry to append.
    struct ContactEntry {
        var messageId: Int64?
        var contactPointId: Int64?
        var kind: String
        var detail: String?
        var bodyDigest: String?
    }

    /// Appends entries in order, chaining each to the one before.
    static func appendContact(_ db: Database, _ entries: [ContactEntry], actor: String, at: Date) throws {
        guard !entries.isEmpty else { return }
        var previous = try lastHash(db, table: "contact_log")
        var nextId = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'contact_log'") ?? 0) + 1
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO contact_log (id, at, actor, message_id, contact_point_id, kind, detail, body_digest, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let millis = at.millis
        for entry in entries {
            let hash = AuditChain.hash(
                previous: previous,
                fields: contactFields(
                    id: nextId, at: millis, actor: actor, messageId: entry.messageId, contactPointId: entry.contactPointId, kind: entry.kind,
                    detail: entry.detail, bodyDigest: entry.bodyDigest))
            try statement.execute(arguments: [
                nextId, millis, actor, entry.messageId, entry.contactPointId, entry.kind, entry.detail, entry.bodyDigest, previous, hash,
            ])
            previous = hash
            nextId += 1
        }
    }

    static func consentFields(
        id: Int64, contactPointId: Int64, state: String, method: String, actor: String, recordedAt: Int64, wordingVersion: String?,
        wording: String?, language: String
    ) -> [String?] {
        [String(id), String(contactPointId), state, method, actor, String(recordedAt), wordingVersion, wording, language]
    }

    /// Appends a consent record; the trigger `consent_records_apply` derives the contact point's state from it.
    @discardableResult
    static func appendConsent(
        _ db: Database, contactPointId: Int64, state: ConsentState, method: ConsentMethod, actor: String, at: Date, wordingVersion: String?,
        wording: String?, language: String
    ) throws -> Int64 {
        let previous = try lastHash(db, table: "consent_records")
        let id = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'consent_records'") ?? 0) + 1
        let hash = AuditChain.hash(
            previous: previous,
            fields: consentFields(
                id: id, contactPointId: contactPointId, state: state.rawValue, method: method.rawValue, actor: actor, recordedAt: at.millis,
                wordingVersion: wordingVersion, wording: wording, language: language))
        try db.execute(
            sql: """
                INSERT INTO consent_records (id, contact_point_id, state, method, actor, recorded_at, wording_version, wording, language, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, contactPointId, state.rawValue, method.rawValue, actor, at.millis, wordingVersion, wording, language, previous, hash])
        return id
    }
}

extension AuditLog {
    /// Every hash-chained table and how a row's fields are read for its hash, in the order `verifyAuditChains` walks them.
    static let chains: [(String, @Sendable (Row) -> [String?])] = [
        (
            "contact_log",
            { row in
                contactFields(
                    id: row["id"], at: row["at"], actor: row["actor"], messageId: row["message_id"], contactPointId: row["contact_point_id"],
                    kind: row["kind"], detail: row["detail"], bodyDigest: row["body_digest"])
            }
        ),
        (
            "consent_records",
            { row in
                consentFields(
                    id: row["id"], contactPointId: row["contact_point_id"], state: row["state"], method: row["method"], actor: row["actor"],
                    recordedAt: row["recorded_at"], wordingVersion: row["wording_version"], wording: row["wording"], language: row["language"])
            }
        ),
        (
            "access_log",
            { row in
                accessFields(
                    id: row["id"], at: row["at"], actor: row["actor"], action: row["action"], object: row["object"], client: row["client"],
                    outcome: row["outcome"])
            }
        ),
    ]

    static func accessFields(id: Int64, at: Int64, actor: String, action: String, object: String?, client: String?, outcome: Int) -> [String?] {
        [String(id), String(at), actor, action, object, client, String(outcome)]
    }

    /// Appends one access-log row, chained to the one before.
    static func appendAccess(_ db: Database, actor: String, action: String, object: String?, client: String?, outcome: Int, at: Date) throws {
        let previous = try lastHash(db, table: "access_log")
        let id = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'access_log'") ?? 0) + 1
        let hash = AuditChain.hash(
            previous: previous,
            fields: accessFields(id: id, at: at.millis, actor: actor, action: action, object: object, client: client, outcome: outcome))
        try db.execute(
            sql: "INSERT INTO access_log (id, at, actor, action, object, client, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [id, at.millis, actor, action, object, client, outcome, previous, hash])
    }
}

/// The first row of a log whose hash does not match its content or its place.
public struct ChainBreak: Sendable, Equatable, CustomStringConvertible {
    public var table: String
    public var rowId: Int64
    public var reason: String
    public var description: String { "\(table) row \(rowId): \(reason)" }

    public init(table: String, rowId: Int64, reason: String) {
        self.table = table
        self.rowId = rowId
        self.reason = reason
    }
}

extension AvisoStore {
    /// Walks every hash chain from its first row — the contact log, the
    /// consent records, the access log and the victim changes — and returns
    /// the first break of each, or an empty list when all are intact.
    public func verifyAuditChains() throws -> [ChainBreak] {
        try pool.read { db in
            var breaks: [ChainBreak] = []
            for (table, fields) in AuditLog.chains {
                if let problem = try Self.firstBreak(db, table: table, fields: fields) { breaks.append(problem) }
            }
            if let victimChanges = try Self.victimChangeBreak(db) { breaks.append(victimChanges) }
            return breaks
        }
    }

    /// The first row of `table` whose hash, place or predecessor is wrong, or rows missing from its end.
    static func firstBreak(_ db: Database, table: String, fields: (Row) -> [String?]) throws -> ChainBreak? {
        var previous = AuditChain.genesis
        var expectedId: Int64 = 1
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY id")
        while let row = try rows.next() {
            let id: Int64 = row["id"]
            if let problem = Self.check(row, id: id, expectedId: expectedId, previous: previous, fields: fields(row)) {
                return ChainBreak(table: table, rowId: id, reason: problem)
            }
            previous = row["hash"]
            expectedId = id + 1
        }
        return try Self.tailBreak(db, table: table, lastId: expectedId - 1)
    }

    /// Rows removed from the end of a chain leave no gap, but SQLite's
    /// AUTOINCREMENT counter still remembers the highest id ever used.
    static func tailBreak(_ db: Database, table: String, lastId: Int64) throws -> ChainBreak? {
        let highest = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table]) ?? 0
        guard highest > lastId else { return nil }
        return ChainBreak(table: table, rowId: lastId + 1, reason: "rows \(lastId + 1) to \(highest) were deleted from the end of the log")
    }

    static func check(_ row: Row, id: Int64, expectedId: Int64, previous: String, fields: [String?]) -> String? {
        if id != expectedId { return "expected row \(expectedId) here; rows are missing or were deleted before it" }
        let prevHash: String = row["prev_hash"]
        if prevHash != previous { return "prev_hash does not match the hash of the row before it (rows were removed or reordered)" }
        let hash: String = row["hash"]
        if hash != AuditChain.hash(previous: previous, fields: fields) { return "the content does not match its hash (the row was altered)" }
        return nil
    }
}
