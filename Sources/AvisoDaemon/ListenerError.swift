import AvisoCore
import Glibc
import NIOCore
import Synchronization

extension Daemon {
    /// A listener that could not start, said with the address, the port and
    /// the keys that set them, instead of NIO's `bind(descriptor:ptr:bytes:)`.
    static func listenerError(_ error: any Error, configuration: DaemonConfiguration) -> any Error {
        if error is AvisoError { return error }
        let place =
            "\(configuration.httpAddress):\(configuration.httpPort) (http.address = \(configuration.httpAddress), http.port = \(configuration.httpPort))"
        let advice: String
        switch (error as? IOError)?.errnoCode {
        case EADDRINUSE:
            advice =
                "the address is already in use: another process (perhaps another avisod) listens on port \(configuration.httpPort). Stop it ('ss -ltnp' names it) or set http.port to a free port."
        case EADDRNOTAVAIL:
            advice = "this host has no such address. Set http.address to one of this host's addresses, such as 127.0.0.1."
        case EACCES:
            advice = "permission denied: ports below 1024 need privileges avisod does not have. Set http.port to 1024 or above, such as 8750."
        default:
            advice = "\(error). Set http.address to an address of this host (such as 127.0.0.1) and http.port to a free port from 1 to 65535."
        }
        return AvisoError(.configuration, title: "Cannot listen", detail: "Cannot listen on \(place): \(advice)")
    }
}

/// Set once the listener is bound, so an error before it is reported as the listener's.
final class ListenerStarted: Sendable {
    let flag = Atomic(false)
}
