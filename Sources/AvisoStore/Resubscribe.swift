import AvisoCore
import Foundation
import GRDB

extension AvisoStore {
    /// A victim who opted out themselves (a STOP reply, the unsubscribe
    /// link, the carrier) is opted in again by their own START, not on
    /// staff's say-so (SPEC §2.3): staff opting such a contact point in must
    /// give a reason, which the consent record keeps with the wording (and so
    /// in the hash chain). Returns the consent to record.
    static func checkVictimOptOut(_ db: Database, contactPointId: Int64, consent: ConsentInput) throws -> ConsentInput {
        guard consent.state == .optedIn,
            let last = try Row.fetchOne(
                db, sql: "SELECT state, method FROM consent_records WHERE contact_point_id = ? ORDER BY id DESC LIMIT 1",
                arguments: [contactPointId]),
            last["state"] == ConsentState.optedOut.rawValue,
            let method = ConsentMethod(rawValue: last["method"]), method != .verbal, method != .written
        else { return consent }
        let how =
            switch method {
            case .keyword: "by replying STOP (or its word in their language)"
            case .link: "with the unsubscribe link"
            default: "through their carrier"
            }
        guard let reason = consent.overrideReason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
            throw AvisoError(
                .conflict, title: "Opted out by the victim",
                detail:
                    "The victim opted this contact point out themselves, \(how). They can opt in again by replying START (or SÍ, or the word in their language). To record their renewed consent given to you in person, give the reason (override_reason; aviso consent record --override-victim-opt-out \"…\"): it is kept in the consent log.",
                field: "override_reason")
        }
        var recorded = consent
        recorded.wording = (consent.wording.map { $0 + "\n" } ?? "") + "Override of the victim's own opt-out (\(method.rawValue)): \(reason)"
        recorded.overrideReason = nil
        return recorded
    }
}
