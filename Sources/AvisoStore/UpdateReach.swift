public import AvisoCore
import Foundation
import GRDB

/// Who an update reached and who it did not, its list per case and pattern,
/// and a case's hearings.
extension AvisoStore {
    static func outcomes(_ plan: AudiencePlan) -> [String: Int] {
        var outcomes: [String: Int] = [:]
        if plan.told > 0 { outcomes[ReachOutcome.told.rawValue] = plan.told }
        for victim in plan.unreached { outcomes[victim.outcome.rawValue, default: 0] += 1 }
        return outcomes
    }

    /// The listed victims with their names.
    static func named(_ db: Database, _ victims: [VictimReach]) throws -> [VictimReach] {
        let listed = Array(victims.prefix(ReachReport.listedLimit))
        let names = try victimNames(db, ids: Set(listed.map(\.victimId)))
        return listed.map { victim in
            var named = victim
            named.victimName = names[victim.victimId]
            return named
        }
    }

    /// The victims an update did not tell, and why, kept with it: consent changes later, the record does not.
    static func recordUnreached(_ db: Database, _ plan: AudiencePlan, updateId: Int64) throws {
        guard !plan.unreached.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO update_unreached (update_id, victim_id, case_id, reason, detail) VALUES (?, ?, ?, ?, ?)")
        for victim in plan.unreached {
            try statement.execute(arguments: [
                updateId, victim.victimId, plan.unreachedCases[victim.victimId], victim.outcome.rawValue, victim.detail,
            ])
        }
    }

    /// A queued update's reach from what was recorded: the victims not told, and
    /// each told victim's best message state (the event's message, not its reminders).
    static func reach(_ db: Database, updateId: Int64, visibleCases: Set<Int64>?) throws -> ReachReport {
        let scope = visibleCases.map { " AND m.case_id IN (\(list($0.sorted())))" } ?? ""
        let unreachedScope = visibleCases.map { " AND ur.case_id IN (\(list($0.sorted())))" } ?? ""
        var outcomes: [String: Int] = [:]
        var listed: [VictimReach] = []
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT ur.victim_id, ur.reason, ur.detail, c.number, v.discreet FROM update_unreached ur
                JOIN cases c ON c.id = ur.case_id JOIN victims v ON v.id = ur.victim_id
                WHERE ur.update_id = ?\(unreachedScope) ORDER BY ur.victim_id
                """, arguments: [updateId])
        {
            let reason: String = row["reason"]
            guard let outcome = ReachOutcome(rawValue: reason) else {
                throw AvisoError.invalid("update_unreached.reason", "The stored reason '\(reason)' is not one this version knows.")
            }
            outcomes[outcome.rawValue, default: 0] += 1
            listed.append(
                VictimReach(
                    victimId: row["victim_id"], victimName: nil, caseNumber: row["number"], outcome: outcome, discreet: row["discreet"],
                    detail: row["detail"]))
        }
        let ranked = MessageState.allCases.sorted { $0.reachRank < $1.reachRank }
        let rankSQL = "CASE m.state " + ranked.map { "WHEN '\($0.rawValue)' THEN \($0.reachRank)" }.joined(separator: " ") + " END"
        var statuses: [String: Int] = [:]
        var told = 0
        var discreet = 0
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT best, count(*) AS n, sum(discreet) AS discreet FROM (
                  SELECT m.victim_id, min(\(rankSQL)) AS best, max(m.event IN ('discreet', 'discreet_urgent')) AS discreet
                  FROM messages m WHERE m.update_id = ? AND m.event <> 'court_date_reminder'\(scope) GROUP BY m.victim_id)
                GROUP BY best
                """, arguments: [updateId])
        {
            let n: Int = row["n"]
            told += n
            discreet += row["discreet"] ?? 0
            if let state = ranked.first(where: { $0.reachRank == row["best"] }) { statuses[state.rawValue] = n }
        }
        if told > 0 { outcomes[ReachOutcome.told.rawValue] = told }
        let room = max(0, ReachReport.listedLimit - listed.count)
        var toldByVictim: [Int64: VictimReach] = [:]
        var order: [Int64] = []
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT m.id, m.victim_id, m.contact_point_id, m.channel, m.language, m.state, m.last_error, m.event, c.number
                FROM messages m LEFT JOIN cases c ON c.id = m.case_id
                WHERE m.update_id = ? AND m.event <> 'court_date_reminder'\(scope) ORDER BY m.victim_id, m.id LIMIT ?
                """, arguments: [updateId, room * 2])
        {
            let victimId: Int64 = row["victim_id"]
            let state = MessageState(rawValue: row["state"]) ?? .queued
            let event = Event(rawValue: row["event"])
            let contact = ContactReach(
                contactPointId: row["contact_point_id"], channel: Channel(rawValue: row["channel"]) ?? .sms, language: row["language"],
                messageId: row["id"], state: state, lastError: row["last_error"])
            if var known = toldByVictim[victimId] {
                known.contacts.append(contact)
                if state.reachRank < (known.status?.reachRank ?? .max) { known.status = state }
                toldByVictim[victimId] = known
                continue
            }
            guard order.count < room else { break }
            let inDiscreetMode = event == .discreet || event == .discreetUrgent
            order.append(victimId)
            toldByVictim[victimId] = VictimReach(
                victimId: victimId, victimName: nil, caseNumber: row["number"], outcome: .told, discreet: inDiscreetMode,
                instead: inDiscreetMode ? event?.rawValue : nil,
                detail: inDiscreetMode ? "in discreet mode: only a request to call, no case details" : nil, contacts: [contact], status: state)
        }
        return ReachReport(
            listed: try named(db, listed + order.compactMap { toldByVictim[$0] }), outcomes: outcomes, discreetTold: discreet, statuses: statuses)
    }

    /// The victims of a case no message has reached (sent or delivered), and why.
    public func neverReached(caseNumber: String) throws -> [VictimReach] {
        try pool.read { db in
            let caseId = try Self.caseId(db, number: caseNumber)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT v.id, v.display_name, v.discreet,
                      (SELECT count(*) FROM contact_points cp WHERE cp.victim_id = v.id AND cp.retired_at IS NULL) AS points,
                      (SELECT count(*) FROM contact_points cp WHERE cp.victim_id = v.id AND cp.retired_at IS NULL AND cp.consent_state = 'opted_in') AS opted_in,
                      (SELECT count(*) FROM contact_points cp WHERE cp.victim_id = v.id AND cp.retired_at IS NULL AND cp.consent_state = 'pending') AS pending,
                      (SELECT group_concat(DISTINCT m.state) FROM messages m WHERE m.victim_id = v.id) AS states
                    FROM case_victims cv JOIN victims v ON v.id = cv.victim_id
                    WHERE cv.case_id = ? AND NOT EXISTS (
                      SELECT 1 FROM messages m WHERE m.victim_id = v.id AND m.state IN ('sent', 'delivered'))
                    ORDER BY v.id
                    """, arguments: [caseId])
            return rows.map { row in
                let states = ((row["states"] as String?) ?? "").split(separator: ",").map(String.init).sorted()
                let (outcome, detail): (ReachOutcome, String) =
                    if row["points"] == 0 {
                        (.noContactPoint, "no phone number or email address on file")
                    } else if row["opted_in"] as Int > 0 {
                        (
                            .notReachedYet,
                            states.isEmpty
                                ? "consented, but no message has been queued for them yet" : "messages so far: \(states.joined(separator: ", "))"
                        )
                    } else if row["pending"] as Int > 0 {
                        (.consentPending, "waiting for consent")
                    } else {
                        (.optedOut, "every contact point opted out")
                    }
                return VictimReach(
                    victimId: row["id"], victimName: row["display_name"], caseNumber: caseNumber, outcome: outcome, discreet: row["discreet"],
                    detail: detail)
            }
        }
    }

    /// The updates of a case — its own and those of its patterns that told its victims — or of a pattern, newest first.
    public func updates(target: UpdateTargetReference) throws -> [UpdateSummary] {
        try pool.read { db in
            let condition: String
            let arguments: StatementArguments
            switch target {
            case .caseNumber(let number):
                let caseId = try Self.caseId(db, number: number)
                condition = """
                    u.case_id = ? OR (u.pattern_id IS NOT NULL AND (
                      EXISTS (SELECT 1 FROM messages m WHERE m.update_id = u.id AND m.case_id = ?)
                      OR EXISTS (SELECT 1 FROM update_unreached ur WHERE ur.update_id = u.id AND ur.case_id = ?)))
                    """
                arguments = [caseId, caseId, caseId]
            case .pattern(let id):
                _ = try Self.patternName(db, id: id)
                condition = "u.pattern_id = ?"
                arguments = [id]
            }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT u.*, c.number, p.name AS pattern_name FROM updates u LEFT JOIN cases c ON c.id = u.case_id
                    LEFT JOIN patterns p ON p.id = u.pattern_id WHERE \(condition) ORDER BY u.id DESC
                    """, arguments: arguments
            ).map { try Self.updateSummary(db, $0) }
        }
    }

    static func updateSummary(_ db: Database, _ row: Row) throws -> UpdateSummary {
        let id: Int64 = row["id"]
        let states = try messageStates(db, updateId: id, scope: "")
        let state = UpdateState(rawValue: row["state"]) ?? .queued
        let patternId: Int64? = row["pattern_id"]
        return UpdateSummary(
            id: id, target: patternId == nil ? .case : .pattern, caseNumber: row["number"], patternId: patternId, patternName: row["pattern_name"],
            event: Event(rawValue: row["event"]) ?? .custom, state: state, progress: UpdateProgress.of(state: state, messageStates: states),
            createdBy: "staff:\(row["created_by"] as Int64)", createdAt: Date(millis: row["created_at"]),
            sendAt: (row["send_at"] as Int64?).map(Date.init(millis:)), hearingUpdateId: row["hearing_update_id"],
            messageCount: states.values.reduce(0, +), messageStates: states)
    }

    /// The hearings announced to a case's victims (its own and its patterns') or to a pattern's,
    /// with the id a `court_date_changed` or `hearing_cancelled` names.
    public func hearings(target: UpdateTargetReference) throws -> [HearingView] {
        let hearingEvents = [Event.courtDate, .courtDateChanged, .bondHearing]
        let announced = try updates(target: target).filter { hearingEvents.contains($0.event) && $0.state == .queued }
        return try pool.read { db in
            try announced.reversed().map { summary in
                let row = try Row.fetchOne(db, sql: "SELECT fields FROM updates WHERE id = ?", arguments: [summary.id])!
                let fields = try JSONDecoder().decode(UpdateFields.self, from: Data((row["fields"] as String).utf8))
                let replacement = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, event FROM updates WHERE hearing_update_id = ? AND state = 'queued'
                          AND event IN ('court_date_changed', 'hearing_cancelled') ORDER BY id DESC LIMIT 1
                        """, arguments: [summary.id])
                let status: HearingStatus =
                    switch replacement?["event"] as String? {
                    case "court_date_changed": .changed
                    case "hearing_cancelled": .cancelled
                    default: .scheduled
                    }
                let startsAt = fields.startsAt.flatMap { try? UpdateFields.parseLocalDateTime($0, zone: .gmt, field: "starts_at") }
                return HearingView(
                    updateId: summary.id, event: summary.event, target: summary.target, patternId: summary.patternId, startsAt: startsAt,
                    place: fields.place, status: status, replacedBy: replacement?["id"])
            }
        }
    }
}
