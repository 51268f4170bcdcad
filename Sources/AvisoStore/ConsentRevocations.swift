import GRDB
import Synchronization

/// The contact points whose consent was withdrawn, as the withdrawals commit.
///
/// The claim checks consent in its transaction (G1), but a claimed message
/// can wait a moment before it leaves: behind the batch ahead of it, behind a
/// provider's rate limit. SPEC §7 asks for consent at the instant of
/// hand-off, so the dispatcher asks this set right before a gateway writes
/// the request. Every consent change, by any path (a keyword, an unsubscribe
/// link, the carrier, staff), is one insert into `consent_records`; an
/// observer of the database applies it here when its transaction commits,
/// before the request that made it is answered.
public final class ConsentRevocations: Sendable {
    let optedOut = Mutex<Set<Int64>>([])

    /// Whether the contact point's consent was withdrawn (and not given again) since the daemon started.
    public func isWithdrawn(_ contactPointId: Int64) -> Bool {
        optedOut.withLock { $0.contains(contactPointId) }
    }

    func apply(_ changes: [(contactPointId: Int64, optedIn: Bool)]) {
        optedOut.withLock { set in
            for change in changes {
                if change.optedIn { set.remove(change.contactPointId) } else { set.insert(change.contactPointId) }
            }
        }
    }
}

/// Watches inserts into `consent_records` and hands them to the
/// revocations when, and only when, their transaction commits.
final class ConsentObserver: TransactionObserver, Sendable {
    let revocations: ConsentRevocations
    let inserted = Mutex<[Int64]>([])

    init(_ revocations: ConsentRevocations) { self.revocations = revocations }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "consent_records" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        let id = event.rowID
        inserted.withLock { $0.append(id) }
    }

    func databaseDidCommit(_ db: Database) {
        let ids = inserted.withLock { ids in
            defer { ids.removeAll() }
            return ids
        }
        guard !ids.isEmpty else { return }
        let rows =
            (try? Row.fetchAll(
                db,
                sql: "SELECT contact_point_id, state FROM consent_records WHERE id IN (\(ids.map(String.init).joined(separator: ","))) ORDER BY id"
            )) ?? []
        revocations.apply(rows.map { (contactPointId: $0["contact_point_id"], optedIn: ($0["state"] as String) == "opted_in") })
    }

    func databaseDidRollback(_ db: Database) {
        inserted.withLock { $0.removeAll() }
    }
}
