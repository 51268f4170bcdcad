import AvisoCore
import Foundation
import Glibc

/// One daemon per database: `serve` holds an exclusive `flock` on
/// `<database>.lock` for as long as it runs, with its PID written inside, so
/// a second `serve` on the same database refuses to start and names the
/// first. The kernel drops the lock when the process dies, even by SIGKILL,
/// so a crash never leaves a stale lock behind.
public final class ServeLock: Sendable {
    public let path: String
    let descriptor: Int32

    public init(database: String) throws {
        path = database + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw AvisoError(
                .configuration, title: "Cannot lock the database",
                detail: "Cannot open \(path): \(String(cString: strerror(errno))). Check that the database's directory is writable by the daemon.")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw AvisoError(
                .configuration, title: "Another avisod is running",
                detail:
                    "Another avisod\(holder.isEmpty ? "" : " (PID \(holder))") is serving the database \(database) (it holds \(path)). Stop it first, or give this one its own state.directory or database.path."
            )
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
