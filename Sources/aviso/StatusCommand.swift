import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show whether avisod is ready: the queue, failures in the last hour, and each gateway's last send.",
        discussion: "Exits 0 when the daemon is ready, 1 when it is not, so scripts and checks can rely on it.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await guarded {
            let status: StatusView = try await options.client().get("/v1/status")
            try options.output(status) { describe($0) }
            if status.status != "ready" { throw ExitCode(1) }
        }
    }
}

func describe(_ status: StatusView) -> String {
    func ago(_ date: Date) -> String {
        let seconds = Int(max(0, status.now.timeIntervalSince(date)))
        switch seconds {
        case ..<120: return "\(seconds) s ago"
        case ..<7200: return "\(seconds / 60) min ago"
        default: return "\(seconds / 3600) h ago"
        }
    }
    var lines = ["avisod: \(status.status)" + (status.problems.isEmpty ? "" : " — " + status.problems.joined(separator: "; "))]
    lines.append("Templates: \(status.languages.isEmpty ? "none" : status.languages.joined(separator: ", "))")
    lines.append("Dispatcher: " + (status.dispatcherHeartbeat.map { "last pass \(ago($0))" } ?? "not started"))
    let queue = status.queue
    var due = "Queue: \(queue.due) due"
    if let oldest = queue.oldestDueAt { due += " (oldest due \(ago(oldest)))" }
    lines.append(due + ", \(queue.scheduled) scheduled for later, \(queue.sending) being handed off")
    lines.append("Last hour: \(status.lastHour.failed) message\(status.lastHour.failed == 1 ? "" : "s") failed")
    if status.gateways.isEmpty {
        lines.append("Gateways: nothing handed off yet")
    } else {
        lines.append("Gateways:")
        for gateway in status.gateways {
            var line = "  \(gateway.gateway): last send " + (gateway.lastSentAt.map { "\(formatDate($0)) (\(ago($0)))" } ?? "never")
            if let failure = gateway.lastFailureAt {
                line += "; last failure \(formatDate(failure)) (\(ago(failure)))" + (gateway.lastError.map { ": \($0)" } ?? "")
            }
            lines.append(line)
        }
    }
    return lines.joined(separator: "\n")
}
