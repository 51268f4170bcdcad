import AvisoCore
import GRDB

/// The database schema as named, ordered migrations. A shipped migration is
/// never edited: a change is a new migration.
///
/// Invariants live in the schema (GRDB: "trust SQLite more than yourself"):
/// foreign keys, CHECK constraints, unique indexes, and triggers that make
/// the consent and contact logs append-only (G4). No column anywhere holds
/// immigration or citizenship status, country of birth or identity documents (G5).
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: cases, victims, consent, updates, messages, logs") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2: unsubscribe tokens, provider ids, delivery reports") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3: inbound messages") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4: legal hold and retention") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5: message counts, gateway status, failure index") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("v6: staff assigned to cases") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("v7: message counts added in bulk on insert") { db in
            // A per-row trigger doubled the cost of a fan-out; insertMessages, the one place
            // messages are inserted, adds its counts once per state, channel and language.
            try db.execute(sql: "DROP TRIGGER messages_count_insert")
        }
        migrator.registerMigration("v8: possible opt-outs and their holds") { db in
            try db.execute(sql: v8)
        }
        migrator.registerMigration("v9: dispatch lanes") { db in
            try db.execute(sql: v9)
            // Messages queued before lanes existed take the lane of their event.
            for event in Event.allCases where event.lane != 2 {
                try db.execute(sql: "UPDATE messages SET lane = ? WHERE event = ?", arguments: [event.lane, event.rawValue])
            }
        }
        migrator.registerMigration("v10: patterns") { db in
            try db.execute(sql: patterns)
        }
        migrator.registerMigration("v11: token lifetimes, account changes and the access log") { db in
            try db.execute(sql: v11)
        }
        migrator.registerMigration("v12: two-person approval") { db in
            try db.execute(sql: v12)
        }
        migrator.registerMigration("v13: staff replies and handled notes") { db in try db.execute(sql: staffReplies) }
        migrator.registerMigration("v14: victim changes, retired contact points, merged victims, duplicate keys") { db in
            try VictimChangeSchema.migrate(db)
        }
        return migrator
    }

    static func appendOnly(_ table: String) -> String {
        """
        CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
        BEGIN SELECT RAISE(ABORT, '\(table) is append-only: rows cannot be changed'); END;
        CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
        BEGIN SELECT RAISE(ABORT, '\(table) is append-only: rows cannot be deleted'); END;
        """
    }

    static let v1 = """
        CREATE TABLE staff_accounts (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
          role TEXT NOT NULL CHECK (role IN ('captain', 'supervisor', 'admin', 'auditor')),
          languages TEXT NOT NULL DEFAULT '',
          created_at INTEGER NOT NULL,
          disabled_at INTEGER
        );
        CREATE TABLE api_tokens (
          id INTEGER PRIMARY KEY,
          staff_id INTEGER NOT NULL REFERENCES staff_accounts(id),
          token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
          created_at INTEGER NOT NULL,
          revoked_at INTEGER
        );
        CREATE TABLE cases (
          id INTEGER PRIMARY KEY,
          number TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 64),
          offense TEXT NOT NULL CHECK (length(offense) > 0),
          unit TEXT NOT NULL CHECK (length(unit) > 0),
          status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
          summary TEXT,
          created_by INTEGER NOT NULL REFERENCES staff_accounts(id),
          created_at INTEGER NOT NULL,
          closed_at INTEGER
        );
        CREATE TABLE victims (
          id INTEGER PRIMARY KEY,
          display_name TEXT NOT NULL CHECK (length(trim(display_name)) BETWEEN 1 AND 200),
          language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 35),
          time_zone TEXT NOT NULL CHECK (length(time_zone) > 0),
          discreet INTEGER NOT NULL DEFAULT 0 CHECK (discreet IN (0, 1)),
          staff_notes TEXT,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE case_victims (
          case_id INTEGER NOT NULL REFERENCES cases(id),
          victim_id INTEGER NOT NULL REFERENCES victims(id),
          added_at INTEGER NOT NULL,
          PRIMARY KEY (case_id, victim_id)
        ) WITHOUT ROWID;
        CREATE INDEX case_victims_by_victim ON case_victims(victim_id);
        CREATE TABLE contact_points (
          id INTEGER PRIMARY KEY,
          victim_id INTEGER NOT NULL REFERENCES victims(id),
          channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
          address TEXT NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
          -- Derived from consent_records by the trigger below; never written directly.
          consent_state TEXT NOT NULL DEFAULT 'pending' CHECK (consent_state IN ('pending', 'opted_in', 'opted_out')),
          created_at INTEGER NOT NULL,
          UNIQUE (channel, address),
          CHECK (channel <> 'sms' OR address GLOB '+[1-9]*' OR address GLOB 'purged:*')
        );
        CREATE INDEX contact_points_by_victim ON contact_points(victim_id);
        CREATE TABLE consent_records (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          contact_point_id INTEGER NOT NULL REFERENCES contact_points(id),
          state TEXT NOT NULL CHECK (state IN ('opted_in', 'opted_out')),
          method TEXT NOT NULL CHECK (method IN ('verbal', 'written', 'keyword', 'link', 'carrier')),
          actor TEXT NOT NULL CHECK (length(actor) > 0),
          recorded_at INTEGER NOT NULL,
          wording_version TEXT,
          wording TEXT,
          language TEXT NOT NULL,
          prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
          hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
          CHECK (method NOT IN ('verbal', 'written') OR wording_version IS NOT NULL)
        );
        CREATE INDEX consent_records_by_contact_point ON consent_records(contact_point_id);
        CREATE TRIGGER consent_records_apply AFTER INSERT ON consent_records
        BEGIN UPDATE contact_points SET consent_state = NEW.state WHERE id = NEW.contact_point_id; END;
        \(appendOnly("consent_records"))
        CREATE TABLE updates (
          id INTEGER PRIMARY KEY,
          case_id INTEGER NOT NULL REFERENCES cases(id),
          event TEXT NOT NULL,
          fields TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(fields)),
          send_at INTEGER,
          state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'cancelled')),
          hearing_update_id INTEGER REFERENCES updates(id),
          created_by INTEGER NOT NULL REFERENCES staff_accounts(id),
          created_at INTEGER NOT NULL,
          cancelled_by INTEGER REFERENCES staff_accounts(id),
          cancelled_at INTEGER,
          CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL))
        );
        CREATE INDEX updates_by_case ON updates(case_id);
        CREATE TABLE messages (
          id INTEGER PRIMARY KEY,
          update_id INTEGER REFERENCES updates(id),
          case_id INTEGER REFERENCES cases(id),
          victim_id INTEGER NOT NULL REFERENCES victims(id),
          contact_point_id INTEGER NOT NULL REFERENCES contact_points(id),
          channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
          language TEXT NOT NULL,
          event TEXT NOT NULL,
          subject TEXT,
          -- NULL once purged under the retention policy; body_digest stays.
          body TEXT,
          body_digest TEXT NOT NULL CHECK (length(body_digest) = 64),
          encoding TEXT CHECK (encoding IN ('GSM-7', 'UCS-2')),
          segments INTEGER CHECK (segments > 0),
          state TEXT NOT NULL DEFAULT 'queued'
            CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled', 'suppressed', 'expired')),
          due_at INTEGER NOT NULL,
          expires_at INTEGER,
          attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
          last_error TEXT,
          provider_id TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          CHECK ((channel = 'sms') = (segments IS NOT NULL)),
          CHECK ((channel = 'email') = (subject IS NOT NULL)),
          CHECK (state <> 'sent' OR provider_id IS NOT NULL)
        );
        CREATE INDEX messages_due ON messages(due_at, id) WHERE state = 'queued';
        CREATE INDEX messages_in_flight ON messages(id) WHERE state = 'sending';
        CREATE INDEX messages_by_contact_point ON messages(contact_point_id, event, state);
        CREATE INDEX messages_by_case ON messages(case_id, id);
        CREATE INDEX messages_by_update ON messages(update_id);
        CREATE TABLE contact_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL CHECK (length(actor) > 0),
          message_id INTEGER REFERENCES messages(id),
          contact_point_id INTEGER REFERENCES contact_points(id),
          kind TEXT NOT NULL CHECK (kind IN (
            'attempt', 'sent', 'retry', 'failed', 'delivered', 'undelivered',
            'cancelled', 'suppressed', 'expired', 'recovered', 'inbound', 'purged')),
          detail TEXT,
          body_digest TEXT,
          prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
          hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
        );
        CREATE INDEX contact_log_by_message ON contact_log(message_id);
        \(appendOnly("contact_log"))
        """

    static let v2 = """
        -- An opaque, unguessable token per email address for its unsubscribe link.
        ALTER TABLE contact_points ADD COLUMN unsubscribe_token TEXT CHECK (unsubscribe_token IS NULL OR length(unsubscribe_token) = 64);
        UPDATE contact_points SET unsubscribe_token = lower(hex(randomblob(32))) WHERE channel = 'email';
        CREATE UNIQUE INDEX contact_points_by_unsubscribe_token ON contact_points(unsubscribe_token) WHERE unsubscribe_token IS NOT NULL;
        CREATE INDEX messages_by_provider_id ON messages(provider_id) WHERE provider_id IS NOT NULL;
        -- Every delivery status the provider reported, as received, in any order.
        CREATE TABLE delivery_reports (
          id INTEGER PRIMARY KEY,
          provider_id TEXT NOT NULL CHECK (length(provider_id) > 0),
          status TEXT NOT NULL,
          error_code TEXT,
          received_at INTEGER NOT NULL
        );
        CREATE INDEX delivery_reports_by_provider_id ON delivery_reports(provider_id);
        \(appendOnly("delivery_reports"))
        """

    static let v3 = """
        -- Replies from victims (and from numbers Aviso does not know). The body is
        -- purged under the retention policy; its digest stays in the contact log.
        CREATE TABLE inbound_messages (
          id INTEGER PRIMARY KEY,
          provider_id TEXT UNIQUE,
          received_at INTEGER NOT NULL,
          from_address TEXT NOT NULL CHECK (length(from_address) > 0),
          contact_point_id INTEGER REFERENCES contact_points(id),
          victim_id INTEGER REFERENCES victims(id),
          body TEXT,
          body_digest TEXT NOT NULL CHECK (length(body_digest) = 64),
          intent TEXT CHECK (intent IN ('opt_out', 'opt_in', 'help', 'language')),
          language TEXT,
          handled_at INTEGER,
          handled_by INTEGER REFERENCES staff_accounts(id),
          CHECK ((handled_at IS NULL) = (handled_by IS NULL)),
          CHECK ((contact_point_id IS NULL) = (victim_id IS NULL))
        );
        CREATE INDEX inbound_messages_for_staff ON inbound_messages(id) WHERE intent IS NULL;
        CREATE INDEX inbound_messages_by_contact_point ON inbound_messages(contact_point_id, received_at);
        CREATE TABLE inbound_cases (
          inbound_id INTEGER NOT NULL REFERENCES inbound_messages(id),
          case_id INTEGER NOT NULL REFERENCES cases(id),
          PRIMARY KEY (inbound_id, case_id)
        ) WITHOUT ROWID;
        CREATE INDEX inbound_cases_by_case ON inbound_cases(case_id);
        """

    static let v4 = """
        -- A case on legal hold keeps everything, whatever the retention policy says.
        ALTER TABLE cases ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0 CHECK (legal_hold IN (0, 1));
        ALTER TABLE cases ADD COLUMN purged_at INTEGER;
        ALTER TABLE victims ADD COLUMN purged_at INTEGER;
        CREATE INDEX cases_closed ON cases(closed_at) WHERE status = 'closed' AND purged_at IS NULL;
        """

    /// What operations read on every scrape, kept cheap to read: a message
    /// count per state, channel and language maintained by triggers (so
    /// `/metrics` never counts a million-row table), each gateway's last
    /// success and failure, and an index over failed messages by time.
    static let v5 = """
        CREATE TABLE message_counts (
          state TEXT NOT NULL,
          channel TEXT NOT NULL,
          language TEXT NOT NULL,
          count INTEGER NOT NULL CHECK (count >= 0),
          PRIMARY KEY (state, channel, language)
        ) WITHOUT ROWID;
        INSERT INTO message_counts (state, channel, language, count)
          SELECT state, channel, language, count(*) FROM messages GROUP BY state, channel, language;
        CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
        BEGIN
          INSERT INTO message_counts (state, channel, language, count) VALUES (NEW.state, NEW.channel, NEW.language, 1)
          ON CONFLICT (state, channel, language) DO UPDATE SET count = count + 1;
        END;
        CREATE TRIGGER messages_count_update AFTER UPDATE OF state, channel, language ON messages
        WHEN OLD.state IS NOT NEW.state OR OLD.channel IS NOT NEW.channel OR OLD.language IS NOT NEW.language
        BEGIN
          UPDATE message_counts SET count = count - 1 WHERE state = OLD.state AND channel = OLD.channel AND language = OLD.language;
          INSERT INTO message_counts (state, channel, language, count) VALUES (NEW.state, NEW.channel, NEW.language, 1)
          ON CONFLICT (state, channel, language) DO UPDATE SET count = count + 1;
        END;
        CREATE TRIGGER messages_count_delete AFTER DELETE ON messages
        BEGIN
          UPDATE message_counts SET count = count - 1 WHERE state = OLD.state AND channel = OLD.channel AND language = OLD.language;
        END;
        CREATE TABLE gateway_status (
          gateway TEXT PRIMARY KEY CHECK (length(gateway) > 0),
          last_sent_at INTEGER,
          last_failure_at INTEGER,
          last_error TEXT
        ) WITHOUT ROWID;
        CREATE INDEX messages_failed_by_time ON messages(updated_at) WHERE state = 'failed';
        """

    /// A captain sees the cases assigned to them; supervisors and auditors see every case.
    static let v6 = """
        CREATE TABLE case_staff (
          case_id INTEGER NOT NULL REFERENCES cases(id),
          staff_id INTEGER NOT NULL REFERENCES staff_accounts(id),
          assigned_at INTEGER NOT NULL,
          PRIMARY KEY (case_id, staff_id)
        ) WITHOUT ROWID;
        CREATE INDEX case_staff_by_staff ON case_staff(staff_id);
        INSERT INTO case_staff (case_id, staff_id, assigned_at) SELECT id, created_by, created_at FROM cases;
        """

    /// A reply that may be an opt-out (SPEC §2.3) is flagged for staff and holds
    /// routine messages to its contact point until staff decide, the victim
    /// replies again, or `held_until` passes (then it is an opt-out). The
    /// contact log learns two kinds, `held` and `hold_released`: SQLite cannot
    /// widen a CHECK in place, so the table is copied row for row (ids, hashes
    /// and the chain unchanged) into one with the wider CHECK.
    /// Lanes: answers to the victim, then urgent events, then routine messages,
    /// which updates share (`AvisoStore.claim`). One index serves every lane's
    /// claim: by lane, then by update, then in order of due time.
    static let v9 = """
        ALTER TABLE messages ADD COLUMN lane INTEGER NOT NULL DEFAULT 2 CHECK (lane IN (0, 1, 2));
        CREATE INDEX messages_due_by_lane ON messages(lane, update_id, due_at, id) WHERE state = 'queued';
        """

    static let v8 = """
        ALTER TABLE inbound_messages ADD COLUMN possible_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (possible_opt_out IN (0, 1));
        CREATE TABLE opt_out_holds (
          id INTEGER PRIMARY KEY,
          contact_point_id INTEGER NOT NULL REFERENCES contact_points(id),
          inbound_id INTEGER NOT NULL REFERENCES inbound_messages(id),
          held_at INTEGER NOT NULL,
          held_until INTEGER NOT NULL CHECK (held_until > held_at),
          -- The opt-out confirmation, queued for held_until and cancelled if the hold is released.
          confirmation_id INTEGER REFERENCES messages(id),
          resolved_at INTEGER,
          resolution TEXT CHECK (resolution IN ('opted_out', 'not_opt_out', 'victim_replied', 'expired')),
          resolved_by TEXT,
          CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NULL) = (resolved_by IS NULL))
        );
        CREATE UNIQUE INDEX opt_out_holds_open ON opt_out_holds(contact_point_id) WHERE resolved_at IS NULL;
        CREATE INDEX opt_out_holds_due ON opt_out_holds(held_until) WHERE resolved_at IS NULL;
        CREATE INDEX opt_out_holds_by_inbound ON opt_out_holds(inbound_id);
        CREATE TABLE contact_log_v8 (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL CHECK (length(actor) > 0),
          message_id INTEGER REFERENCES messages(id),
          contact_point_id INTEGER REFERENCES contact_points(id),
          kind TEXT NOT NULL CHECK (kind IN (
            'attempt', 'sent', 'retry', 'failed', 'delivered', 'undelivered',
            'cancelled', 'suppressed', 'expired', 'recovered', 'inbound', 'purged', 'held', 'hold_released')),
          detail TEXT,
          body_digest TEXT,
          prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
          hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
        );
        INSERT INTO contact_log_v8 (id, at, actor, message_id, contact_point_id, kind, detail, body_digest, prev_hash, hash)
          SELECT id, at, actor, message_id, contact_point_id, kind, detail, body_digest, prev_hash, hash FROM contact_log ORDER BY id;
        DROP TABLE contact_log;
        ALTER TABLE contact_log_v8 RENAME TO contact_log;
        UPDATE sqlite_sequence SET name = 'contact_log' WHERE name = 'contact_log_v8';
        CREATE INDEX contact_log_by_message ON contact_log(message_id);
        \(appendOnly("contact_log"))
        """

    /// Tokens expire (`expires_at`; tokens made before this migration have none
    /// until an administrator replaces them) and are revoked by someone; an
    /// account is disabled by someone. The access log (CJIS 5.4) records every
    /// authenticated request and every account change: who, what, when, from
    /// where, and the outcome. It is hash-chained and append-only like the
    /// contact log, and `verifyAuditChains` walks it too.
    static let v11 = """
        ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
        ALTER TABLE api_tokens ADD COLUMN label TEXT;
        ALTER TABLE api_tokens ADD COLUMN created_by TEXT;
        ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT;
        CREATE INDEX api_tokens_by_staff ON api_tokens(staff_id);
        ALTER TABLE staff_accounts ADD COLUMN disabled_by TEXT;
        CREATE TABLE access_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL CHECK (length(actor) > 0),
          action TEXT NOT NULL CHECK (length(action) > 0),
          object TEXT,
          client TEXT,
          outcome INTEGER NOT NULL CHECK (outcome BETWEEN 100 AND 599),
          prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
          hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
        );
        CREATE INDEX access_log_by_actor ON access_log(actor, at);
        \(appendOnly("access_log"))
        """

    /// An update that needs a second person waits here, with the request and
    /// the preview its requester saw, until it is approved (and queued) or
    /// rejected, or found changed (void).
    static let v12 = """
        CREATE TABLE update_approvals (
          id INTEGER PRIMARY KEY,
          case_number TEXT,
          pattern_id INTEGER REFERENCES patterns(id),
          event TEXT NOT NULL,
          request TEXT NOT NULL,
          preview TEXT NOT NULL,
          preview_digest TEXT NOT NULL CHECK (length(preview_digest) = 64),
          reason TEXT NOT NULL,
          requested_by INTEGER NOT NULL REFERENCES staff_accounts(id),
          requested_at INTEGER NOT NULL,
          state TEXT NOT NULL DEFAULT 'awaiting_approval' CHECK (state IN ('awaiting_approval', 'approved', 'rejected', 'void')),
          decided_by INTEGER REFERENCES staff_accounts(id),
          decided_at INTEGER,
          note TEXT,
          update_id INTEGER REFERENCES updates(id),
          CHECK ((case_number IS NULL) <> (pattern_id IS NULL)),
          CHECK ((state = 'awaiting_approval') = (decided_at IS NULL)),
          CHECK (state <> 'approved' OR decided_by <> requested_by)
        );
        CREATE INDEX update_approvals_waiting ON update_approvals(state, id);
        """
}
