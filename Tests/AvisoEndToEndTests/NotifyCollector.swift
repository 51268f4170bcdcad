import AvisoTesting
import Foundation
import Synchronization

/// Plays systemd's part: listens on a notification socket for a daemon and
/// keeps every datagram with the time it came. When `READY=1` arrives it
/// tries the daemon's port at once, to show readiness came after the bind.
final class NotifyCollector: Sendable {
    struct Notification: Sendable {
        let text: String
        let at: ContinuousClock.Instant
        /// For a READY=1: whether the daemon's port accepted a connection on arrival.
        let portAccepted: Bool?

        func has(_ line: String) -> Bool { text.split(separator: "\n").contains { $0 == line } }
    }

    let path: String
    let socket: NotifySocket
    let port: Int
    let received = Mutex<[Notification]>([])
    let stopped = Atomic<Bool>(false)

    init(directory: URL, port: Int) throws {
        path = directory.appendingPathComponent("notify.sock").path
        socket = try NotifySocket(path: path)
        self.port = port
        Thread.detachNewThread { [self] in
            while !stopped.load(ordering: .acquiring) {
                guard let text = socket.receive(timeout: .milliseconds(100)) else { continue }
                let ready = text.split(separator: "\n").contains("READY=1")
                let notification = Notification(
                    text: text, at: .now, portAccepted: ready ? DaemonProcess.canConnect(port: port) : nil)
                received.withLock { $0.append(notification) }
            }
        }
    }

    var all: [Notification] { received.withLock { $0 } }

    /// Waits until `condition` holds for what arrived, up to `seconds`.
    func wait(seconds: Double, for condition: ([Notification]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(all) { return true }
            usleep(20_000)
        }
        return condition(all)
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    /// Every datagram so far, one per line, for failure messages.
    var transcript: String { all.map { $0.text.replacingOccurrences(of: "\n", with: "\\n") }.joined(separator: "\n") }
}
