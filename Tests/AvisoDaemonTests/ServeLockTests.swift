import AvisoCore
import AvisoDaemon
import AvisoTesting
import Foundation
import Glibc
import Testing

@Suite struct ServeLockTests {
    @Test func theLockIsExclusiveNamesItsHolderAndGoesWithIt() throws {
        let database = try temporaryDirectory("lock").appendingPathComponent("aviso.sqlite").path
        var first: ServeLock? = try ServeLock(database: database)
        #expect(first?.path == database + ".lock")
        #expect {
            _ = try ServeLock(database: database)
        } throws: { error in
            (error as? AvisoError)?.detail.contains("Another avisod (PID \(getpid())) is serving the database \(database)") == true
        }
        first = nil
        #expect(throws: Never.self) { _ = try ServeLock(database: database) }
    }
}
