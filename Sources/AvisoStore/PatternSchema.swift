import GRDB

extension Schema {
    /// Patterns: named groups of linked cases, and the captains assigned to
    /// them. An update targets a case or a pattern, never both (SQLite cannot
    /// drop NOT NULL in place, so `updates` is copied row for row, ids
    /// unchanged, into a table whose `case_id` may be NULL). What an update
    /// did not reach, and why, is kept with it in `update_unreached`.
    static let patterns = """
        CREATE TABLE patterns (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 200),
          created_by INTEGER NOT NULL REFERENCES staff_accounts(id),
          created_at INTEGER NOT NULL
        );
        CREATE TABLE pattern_cases (
          pattern_id INTEGER NOT NULL REFERENCES patterns(id),
          case_id INTEGER NOT NULL REFERENCES cases(id),
          linked_by INTEGER NOT NULL REFERENCES staff_accounts(id),
          linked_at INTEGER NOT NULL,
          PRIMARY KEY (pattern_id, case_id)
        ) WITHOUT ROWID;
        CREATE INDEX pattern_cases_by_case ON pattern_cases(case_id);
        CREATE TABLE pattern_staff (
          pattern_id INTEGER NOT NULL REFERENCES patterns(id),
          staff_id INTEGER NOT NULL REFERENCES staff_accounts(id),
          assigned_at INTEGER NOT NULL,
          PRIMARY KEY (pattern_id, staff_id)
        ) WITHOUT ROWID;
        CREATE INDEX pattern_staff_by_staff ON pattern_staff(staff_id);
        CREATE TABLE updates_patterns (
          id INTEGER PRIMARY KEY,
          case_id INTEGER REFERENCES cases(id),
          pattern_id INTEGER REFERENCES patterns(id),
          event TEXT NOT NULL,
          fields TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(fields)),
          send_at INTEGER,
          state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'cancelled')),
          hearing_update_id INTEGER REFERENCES updates(id),
          created_by INTEGER NOT NULL REFERENCES staff_accounts(id),
          created_at INTEGER NOT NULL,
          cancelled_by INTEGER REFERENCES staff_accounts(id),
          cancelled_at INTEGER,
          CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL)),
          CHECK ((case_id IS NULL) <> (pattern_id IS NULL))
        );
        INSERT INTO updates_patterns (id, case_id, event, fields, send_at, state, hearing_update_id, created_by, created_at, cancelled_by, cancelled_at)
          SELECT id, case_id, event, fields, send_at, state, hearing_update_id, created_by, created_at, cancelled_by, cancelled_at
          FROM updates ORDER BY id;
        DROP TABLE updates;
        ALTER TABLE updates_patterns RENAME TO updates;
        CREATE INDEX updates_by_case ON updates(case_id);
        CREATE INDEX updates_by_pattern ON updates(pattern_id) WHERE pattern_id IS NOT NULL;
        CREATE INDEX updates_by_hearing ON updates(hearing_update_id) WHERE hearing_update_id IS NOT NULL;
        CREATE TABLE update_unreached (
          update_id INTEGER NOT NULL REFERENCES updates(id),
          victim_id INTEGER NOT NULL REFERENCES victims(id),
          case_id INTEGER NOT NULL REFERENCES cases(id),
          reason TEXT NOT NULL CHECK (reason IN ('no_contact_point', 'consent_pending', 'opted_out', 'no_template')),
          detail TEXT,
          PRIMARY KEY (update_id, victim_id)
        ) WITHOUT ROWID;
        CREATE INDEX update_unreached_by_case ON update_unreached(case_id);
        """
}

extension AvisoStore {
    /// Migrates the database at `path` only up to `migration`, by name: a
    /// test of a migration fills an older schema with rows, then opens the store.
    public static func migrate(path: String, upTo migration: String) throws {
        try Schema.migrator.migrate(try DatabaseQueue(path: path), upTo: migration)
    }
}
