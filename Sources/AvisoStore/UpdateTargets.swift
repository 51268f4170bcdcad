import AvisoCore
import Foundation
import GRDB

/// What an update is queued on: a case, by number, or a pattern, by id.
public enum UpdateTargetReference: Sendable {
    case caseNumber(String)
    case pattern(Int64)
}

/// A target resolved for one staff member: the open cases it reaches.
struct ResolvedTarget {
    struct TargetCase {
        var id: Int64
        var number: String
        var offense: String
    }

    var caseId: Int64?
    var caseNumber: String?
    var patternId: Int64?
    var patternName: String?
    /// The open cases whose victims the update tells, in order of id.
    var cases: [TargetCase]
    /// What a captain should know: linked cases left out, and why.
    var notes: [String]

    var kind: UpdateTarget { patternId == nil ? .case : .pattern }
    var label: String { patternId.map { "pattern \($0) (\(patternName ?? ""))" } ?? "case \(caseNumber ?? "")" }
}

/// A victim of the target with every contact point, whatever its consent.
struct AudienceVictim {
    struct Point {
        var id: Int64
        var channel: Channel
        var consent: ConsentState
    }

    var id: Int64
    /// The victim's own case among the target's: the lowest id when they are on two.
    var caseId: Int64
    var language: LanguageTag
    var timeZone: TimeZone
    var discreet: Bool
    var points: [Point]
}

/// The victims an update tells (by case) and those it does not, and why.
struct AudiencePlan {
    var recipientsByCase: [Int64: [Recipient]] = [:]
    var unreached: [VictimReach] = []
    /// Unreached victims' cases, for `update_unreached`.
    var unreachedCases: [Int64: Int64] = [:]
    var told = 0
    var discreetTold = 0
    var toldListed: [VictimReach] = []
    /// What a failing shape would say when the update is queued (G6).
    var missing: [String] = []

    var recipientCount: Int { recipientsByCase.values.reduce(0) { $0 + $1.count } }
}

extension AvisoStore {
    static func resolveTarget(_ db: Database, _ target: UpdateTargetReference, for staff: StaffAccount) throws -> ResolvedTarget {
        switch target {
        case .caseNumber(let number):
            let caseId = try caseId(db, number: number)
            let row = try Row.fetchOne(db, sql: "SELECT number, offense, status FROM cases WHERE id = ?", arguments: [caseId])!
            guard row["status"] == CaseStatus.open.rawValue else {
                throw AvisoError.conflict("Case \(number) is closed; updates cannot be queued on it.")
            }
            return ResolvedTarget(
                caseId: caseId, caseNumber: row["number"], cases: [.init(id: caseId, number: row["number"], offense: row["offense"])], notes: [])
        case .pattern(let id):
            let name = try patternName(db, id: id)
            let visible = try visibleCaseIds(db, for: staff)
            var cases: [ResolvedTarget.TargetCase] = []
            var notes: [String] = []
            var hidden = 0
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT c.id, c.number, c.offense, c.status FROM pattern_cases pc JOIN cases c ON c.id = pc.case_id WHERE pc.pattern_id = ? ORDER BY c.id",
                arguments: [id])
            {
                let caseId: Int64 = row["id"]
                if let visible, !visible.contains(caseId) {
                    hidden += 1
                } else if row["status"] == CaseStatus.closed.rawValue {
                    notes.append("Case \(row["number"] as String) is closed: its victims are not told.")
                } else {
                    cases.append(.init(id: caseId, number: row["number"], offense: row["offense"]))
                }
            }
            if hidden > 0 {
                notes.append(
                    "\(hidden) linked case\(hidden == 1 ? " is" : "s are") not assigned to you: \(hidden == 1 ? "its" : "their") victims are not told by this update."
                )
            }
            guard !cases.isEmpty else {
                throw AvisoError.conflict(
                    "Pattern \(id) (\(name)) has no open case you may reach, so nothing would be sent. Link an open case with 'aviso pattern link'.")
            }
            return ResolvedTarget(patternId: id, patternName: name, cases: cases, notes: notes)
        }
    }

    /// The ids of the cases `staff` may see, read inside a transaction; nil means every case.
    static func visibleCaseIds(_ db: Database, for staff: StaffAccount) throws -> Set<Int64>? {
        switch staff.role {
        case .supervisor, .auditor: return nil
        case .admin: return []
        case .captain: return Set(try Int64.fetchAll(db, sql: "SELECT case_id FROM case_staff WHERE staff_id = ?", arguments: [staff.id]))
        }
    }

    /// Every victim of the target's cases, each once, with all their contact
    /// points. The cases are read in order of id, each through its index in
    /// victim order (no sort, no grouping), so a victim on two of them is met
    /// first on the lowest, which becomes their own case.
    static func audience(_ db: Database, _ target: ResolvedTarget) throws -> [AudienceVictim] {
        var result: [AudienceVictim] = []
        var seen: Set<Int64> = []
        // The victims share a few languages and zones: parse each once.
        var languages: [String: LanguageTag] = [:]
        var zones: [String: TimeZone] = [:]
        let statement = try db.cachedStatement(
            sql: """
                SELECT v.id, v.language, v.time_zone, v.discreet, cp.id AS contact_point_id, cp.channel, cp.consent_state
                FROM case_victims cv JOIN victims v ON v.id = cv.victim_id LEFT JOIN contact_points cp ON cp.victim_id = v.id AND cp.retired_at IS NULL
                WHERE cv.case_id = ? ORDER BY cv.victim_id, cp.id
                """)
        for targetCase in target.cases.sorted(by: { $0.id < $1.id }) {
            let first = result.count
            let rows = try Row.fetchCursor(statement, arguments: [targetCase.id])
            while let row = try rows.next() {
                let victimId: Int64 = row[0]
                let point = (row[4] as Int64?).map { pointId in
                    AudienceVictim.Point(
                        id: pointId, channel: Channel(rawValue: row[5]) ?? .sms, consent: ConsentState(rawValue: row[6]) ?? .pending)
                }
                if result.count > first, result[result.count - 1].id == victimId {
                    if let point { result[result.count - 1].points.append(point) }
                    continue
                }
                if target.cases.count > 1 {
                    guard seen.insert(victimId).inserted else { continue }
                }
                let languageText: String = row[1]
                let zoneText: String = row[2]
                let language = try languages[languageText] ?? LanguageTag(languageText)
                languages[languageText] = language
                let zone = zones[zoneText] ?? TimeZone(identifier: zoneText) ?? .gmt
                zones[zoneText] = zone
                result.append(
                    AudienceVictim(
                        id: victimId, caseId: targetCase.id, language: language, timeZone: zone, discreet: row[3], points: point.map { [$0] } ?? []))
            }
        }
        return result
    }

    /// Sorts the audience into those told and those not, and why. A contact
    /// point whose language has no template (or custom text) for the event is
    /// found by planning one message of each shape, so the reason is the one
    /// queueing would give (G6).
    static func planAudience(
        _ audience: [AudienceVictim], target: ResolvedTarget, request: UpdateRequest, previousHearing: Hearing?, planner: UpdatePlanner,
        now: Date, listTold: Int
    ) -> AudiencePlan {
        struct Shape: Hashable {
            var caseId: Int64
            var language: LanguageTag
            var discreet: Bool
            var channel: Channel
        }
        let facts = Dictionary(uniqueKeysWithValues: target.cases.map { ($0.id, CaseFacts(number: $0.number, offense: $0.offense)) })
        let numbers = Dictionary(uniqueKeysWithValues: target.cases.map { ($0.id, $0.number) })
        var failures: [Shape: String?] = [:]
        func failure(_ victim: AudienceVictim, _ point: AudienceVictim.Point) -> String? {
            let shape = Shape(caseId: victim.caseId, language: victim.language, discreet: victim.discreet, channel: point.channel)
            if let known = failures[shape] { return known }
            let probe = Recipient(
                victimId: victim.id, language: victim.language, timeZone: victim.timeZone, discreet: victim.discreet,
                contactPoints: [RecipientAddress(contactPointId: point.id, channel: point.channel)])
            var result: String?
            do {
                _ = try planner.plan(
                    event: request.event, fields: request.fields, caseFacts: facts[victim.caseId]!, recipients: [probe],
                    previousHearing: previousHearing, sendAt: request.sendAt, now: now)
            } catch let error where error.kind == .missingTranslation {
                result = error.detail.split(separator: "\n").dropFirst().joined(separator: "; ")
                if result?.isEmpty != false { result = error.detail }
            } catch {
                // Not a matter of language (a hearing in the past): queueing reports it whole.
                result = nil
            }
            failures[shape] = result
            return result
        }
        var plan = AudiencePlan()
        for victim in audience {
            let consented = victim.points.filter { $0.consent == .optedIn }
            var told: [RecipientAddress] = []
            var missing: [String] = []
            for point in consented {
                if let detail = failure(victim, point) {
                    missing.append(detail)
                } else {
                    told.append(RecipientAddress(contactPointId: point.id, channel: point.channel))
                }
            }
            plan.missing += missing
            if !told.isEmpty {
                plan.recipientsByCase[victim.caseId, default: []].append(
                    Recipient(
                        victimId: victim.id, language: victim.language, timeZone: victim.timeZone, discreet: victim.discreet, contactPoints: told)
                )
                plan.told += 1
                if victim.discreet { plan.discreetTold += 1 }
                if plan.toldListed.count < listTold {
                    plan.toldListed.append(
                        VictimReach(
                            victimId: victim.id, victimName: nil, caseNumber: numbers[victim.caseId], outcome: .told, discreet: victim.discreet,
                            instead: victim.discreet ? request.event.discreetForm.rawValue : nil,
                            detail: victim.discreet ? "in discreet mode: only a request to call, no case details" : nil,
                            contacts: told.map {
                                ContactReach(contactPointId: $0.contactPointId, channel: $0.channel, language: victim.language.value)
                            }
                        ))
                }
                continue
            }
            let outcome: ReachOutcome
            let detail: String
            if victim.points.isEmpty {
                (outcome, detail) = (.noContactPoint, "no phone number or email address on file")
            } else if !consented.isEmpty {
                (outcome, detail) = (.noTemplate, Array(Set(missing)).sorted().joined(separator: "; "))
            } else if let pending = victim.points.first(where: { $0.consent == .pending }) {
                (outcome, detail) = (.consentPending, "contact point \(pending.id) (\(pending.channel.rawValue)) is waiting for consent")
            } else {
                (outcome, detail) = (.optedOut, "every contact point opted out")
            }
            plan.unreached.append(
                VictimReach(
                    victimId: victim.id, victimName: nil, caseNumber: numbers[victim.caseId], outcome: outcome, discreet: victim.discreet,
                    detail: detail))
            plan.unreachedCases[victim.id] = victim.caseId
        }
        return plan
    }
}
