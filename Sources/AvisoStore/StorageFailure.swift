import Foundation
import GRDB

/// A write the database could not make because its disk is full or failing
/// (SQLite's SQLITE_FULL, SQLITE_IOERR). The transaction rolled back, so
/// nothing was changed; the daemon keeps running, answers 503 and retries its
/// own writes until the disk has room again.
extension AvisoStore {
    public static func isStorageFailure(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR
    }

    /// Makes the database behave as if its disk just filled up: it may not
    /// grow past its current size, so the next write that needs a new page
    /// fails with SQLITE_FULL, as on a full disk. For fault tests;
    /// `endSimulatedFullDisk` lifts it.
    public func simulateFullDisk() throws {
        try pool.barrierWriteWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
    }

    public func endSimulatedFullDisk() throws {
        try pool.barrierWriteWithoutTransaction { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 4294967294") }
    }
}
