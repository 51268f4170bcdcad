public import AvisoCore
public import Foundation
import GRDB

/// Two-person approval (SPEC §9): an update over the configured bar waits
/// with the preview its requester saw; a second staff member approves that
/// very preview (by its digest) or rejects it. The requester never approves.
extension AvisoStore {
    /// Records an update that waits for approval; `preview` is what the requester saw.
    public func requestApproval(
        target: UpdateTargetReference, input: UpdateCreate, preview: UpdateView, reason: String, by staff: StaffAccount, now: Date
    ) throws -> ApprovalView {
        guard let digest = preview.previewDigest else { throw AvisoError.conflict("The preview has no digest; nothing waits for approval.") }
        let request = String(decoding: try StrictJSON.encoder.encode(input), as: UTF8.self)
        let shown = String(decoding: try StrictJSON.encoder.encode(preview), as: UTF8.self)
        let (caseNumber, patternId): (String?, Int64?) =
            switch target {
            case .caseNumber(let number): (number, nil)
            case .pattern(let id): (nil, id)
            }
        return try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO update_approvals (case_number, pattern_id, event, request, preview, preview_digest, reason, requested_by, requested_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [caseNumber, patternId, preview.event.rawValue, request, shown, digest, reason, staff.id, now.millis])
            return try Self.approval(db, id: db.lastInsertedRowID)!
        }
    }

    /// One approval, or nil.
    public func approval(id: Int64) throws -> ApprovalView? {
        try pool.read { db in try Self.approval(db, id: id) }
    }

    /// Approvals, newest first; only those waiting unless `all`.
    public func approvals(all: Bool, limit: Int) throws -> [ApprovalView] {
        try pool.read { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM update_approvals \(all ? "" : "WHERE state = 'awaiting_approval'") ORDER BY id DESC LIMIT ?",
                arguments: [limit])
            return try ids.compactMap { try Self.approval(db, id: $0) }
        }
    }

    /// The request an approval holds, to queue it as it was asked for.
    public func approvalRequest(id: Int64) throws -> (target: UpdateTargetReference, input: UpdateCreate, requester: StaffAccount) {
        try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT a.case_number, a.pattern_id, a.request, s.id, s.name, s.role, s.languages
                        FROM update_approvals a JOIN staff_accounts s ON s.id = a.requested_by WHERE a.id = ?
                        """, arguments: [id])
            else { throw AvisoError.notFound("approval", String(id)) }
            let caseNumber: String? = row["case_number"]
            let patternId: Int64? = row["pattern_id"]
            let target: UpdateTargetReference = caseNumber.map { .caseNumber($0) } ?? .pattern(patternId ?? 0)
            let text: String = row["request"]
            let input = try StrictJSON.decode(UpdateCreate.self, from: Data(text.utf8))
            return (target, input, Self.staff(row))
        }
    }

    /// Records a decision on a waiting approval. `approved` carries the update it queued.
    @discardableResult
    public func decideApproval(id: Int64, state: String, by staff: StaffAccount, note: String?, updateId: Int64?, now: Date) throws -> ApprovalView {
        try pool.write { db in
            guard let current = try Self.approval(db, id: id) else { throw AvisoError.notFound("approval", String(id)) }
            guard current.state == "awaiting_approval" else {
                throw AvisoError.conflict("Approval \(id) was already decided: it is \(current.state).")
            }
            try db.execute(
                sql: "UPDATE update_approvals SET state = ?, decided_by = ?, decided_at = ?, note = ?, update_id = ? WHERE id = ?",
                arguments: [state, staff.id, now.millis, note, updateId, id])
            return try Self.approval(db, id: id)!
        }
    }

    static func approval(_ db: Database, id: Int64) throws -> ApprovalView? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM update_approvals WHERE id = ?", arguments: [id]) else { return nil }
        let decidedBy: Int64? = row["decided_by"]
        let decidedAt: Int64? = row["decided_at"]
        let requestedBy: Int64 = row["requested_by"]
        let preview: String = row["preview"]
        guard let event = Event(rawValue: row["event"]) else { throw AvisoError.conflict("Approval \(id) names an unknown event.") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return ApprovalView(
            id: id, state: row["state"], reason: row["reason"], caseNumber: row["case_number"], patternId: row["pattern_id"], event: event,
            requestedBy: "staff:\(requestedBy)", requestedAt: Date(millis: row["requested_at"]), decidedBy: decidedBy.map { "staff:\($0)" },
            decidedAt: decidedAt.map(Date.init(millis:)), note: row["note"], updateId: row["update_id"], previewDigest: row["preview_digest"],
            preview: try? decoder.decode(UpdateView.self, from: Data(preview.utf8)))
    }
}
