import GRDB

/// The schema of staff's changes to victims (migration v10):
///
/// - `victim_changes`, an append-only, hash-chained log (G4) like the consent
///   and contact logs: who changed which victim, when and how. It names the
///   fields changed and never their old or new text, so a name or a note
///   purged under the retention policy does not live on in the log.
/// - A contact point is retired, never deleted: `retired_at` and `retired_by`.
///   Its consent records and contact log stay; nothing is sent to it.
/// - A victim merged into another keeps its row and says where it went: `merged_into`.
/// - Duplicates are refused by unique indexes: a case number ignoring case,
///   spaces and dashes (`KC 2025 004512` is `KC-2025-004512`), an email
///   address ignoring case. Rows from before this migration that already
///   collide are left as they are (the partial indexes start after them);
///   the store's checks still find them.
enum VictimChangeSchema {
    /// The key a case number is compared by, in SQL over `column`.
    static func caseNumberKey(_ column: String) -> String {
        "upper(replace(replace(\(column), ' ', ''), '-', ''))"
    }

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE victim_changes (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  victim_id INTEGER NOT NULL REFERENCES victims(id),
                  kind TEXT NOT NULL CHECK (kind IN (
                    'edited', 'contact_point_retired', 'contact_point_replaced', 'removed_from_case', 'merged')),
                  contact_point_id INTEGER REFERENCES contact_points(id),
                  case_id INTEGER REFERENCES cases(id),
                  other_victim_id INTEGER REFERENCES victims(id),
                  detail TEXT NOT NULL,
                  actor TEXT NOT NULL CHECK (length(actor) > 0),
                  at INTEGER NOT NULL,
                  prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
                  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
                );
                CREATE INDEX victim_changes_by_victim ON victim_changes(victim_id);
                \(Schema.appendOnly("victim_changes"))
                ALTER TABLE contact_points ADD COLUMN retired_at INTEGER;
                ALTER TABLE contact_points ADD COLUMN retired_by INTEGER REFERENCES staff_accounts(id);
                ALTER TABLE victims ADD COLUMN merged_into INTEGER REFERENCES victims(id);
                ALTER TABLE victims ADD COLUMN merged_at INTEGER;
                CREATE INDEX victims_merged_into ON victims(merged_into) WHERE merged_into IS NOT NULL;
                """)
        let caseKey = caseNumberKey("number")
        let lastCaseDuplicate =
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(c.id) FROM cases c
                    WHERE EXISTS (SELECT 1 FROM cases o WHERE o.id <> c.id AND \(caseNumberKey("o.number")) = \(caseNumberKey("c.number")))
                    """) ?? 0
        try db.execute(sql: "CREATE UNIQUE INDEX cases_by_number_key ON cases(\(caseKey)) WHERE id > \(lastCaseDuplicate)")
        try db.execute(sql: "CREATE INDEX cases_by_number_key_all ON cases(\(caseKey))")
        let lastEmailDuplicate =
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(c.id) FROM contact_points c
                    WHERE c.channel = 'email' AND EXISTS (
                      SELECT 1 FROM contact_points o WHERE o.channel = 'email' AND o.id <> c.id AND lower(o.address) = lower(c.address))
                    """) ?? 0
        try db.execute(
            sql:
                "CREATE UNIQUE INDEX contact_points_by_email_key ON contact_points(lower(address)) WHERE channel = 'email' AND id > \(lastEmailDuplicate)"
        )
        try db.execute(sql: "CREATE INDEX contact_points_by_email_key_all ON contact_points(lower(address)) WHERE channel = 'email'")
    }
}
