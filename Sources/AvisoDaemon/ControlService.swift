import ServiceLifecycle
import UnixSignals

/// The daemon's side of systemd's control: SIGHUP (`systemctl reload`)
/// reloads configuration and templates, and the start of a graceful
/// shutdown is announced with `STOPPING=1` before the dispatcher drains.
///
/// The signal sequence is created before the service group starts, so a
/// SIGHUP that arrives right after `READY=1` is trapped, never fatal.
struct ControlService: Service, CustomStringConvertible {
    let signals: UnixSignalsSequence
    let reloader: Reloader
    let notify: @Sendable (String) -> Void
    var description: String { "ControlService" }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() { reloader.reload() }
        } onGracefulShutdown: {
            notify("STOPPING=1\nSTATUS=stopping: finishing hand-offs in flight")
        }
    }
}
