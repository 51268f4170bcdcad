public import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

/// Options every command takes: where the daemon is, the token, and `--json`.
struct ClientOptions: ParsableArguments {
    @Option(help: "avisod's address (default: $AVISO_URL, the config file, else http://127.0.0.1:8750).") var url: String?
    @Option(help: "Your API token (default: $AVISO_TOKEN or the config file).") var token: String?
    @Option(help: "A file holding your API token.") var tokenFile: String?
    @Flag(help: "Print the answer as JSON, for scripts.") var json = false

    func client() throws -> APIClient {
        let settings = try ClientSettings.resolve(url: url, token: token, tokenFile: tokenFile, environment: ProcessInfo.processInfo.environment)
        return APIClient(baseURL: settings.url, token: settings.token)
    }

    /// Prints `value` as JSON with `--json`, else as `human` renders it.
    func output<T: Encodable>(_ value: T, human: (T) -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } else {
            print(human(value))
        }
    }
}

/// Runs a command body; errors print what was wrong and exit non-zero.
func guarded(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("aviso: \(error.message)\n".utf8))
        if let field = error.problem?.field { FileHandle.standardError.write(Data("       (\(FlagNames.flag(for: field)))\n".utf8)) }
        throw ExitCode(1)
    } catch let error as AvisoError {
        FileHandle.standardError.write(Data("aviso: \(error.detail)\n".utf8))
        throw ExitCode(1)
    }
}

/// A time as a captain reads it: in the department's time zone (the one
/// avisod names in its answers), never bare UTC; with `victimZone`, also the
/// victim's local time where it differs.
func formatDate(_ date: Date, victimZone: TimeZone? = nil) -> String {
    DepartmentTime.format(date, victimZone: victimZone)
}

func describe(_ victim: VictimView) -> String {
    var lines = [
        "Victim \(victim.id): \(victim.displayName) — language \(victim.language), \(victim.timeZone)\(victim.discreet ? ", discreet mode" : "")"
    ]
    if let target = victim.mergedInto {
        lines.append("  merged into victim \(target): aviso victim show \(target)")
        return lines.joined(separator: "\n")
    }
    if !victim.cases.isEmpty { lines.append("  cases: \(victim.cases.joined(separator: ", "))") }
    for point in victim.contactPoints {
        let retired = point.retiredAt.map { " — retired \(formatDate($0))" } ?? ""
        lines.append("  contact point \(point.id): \(point.channel.rawValue) \(point.address) — \(point.consentState.rawValue)\(retired)")
    }
    if !victim.reachable { lines.append("  not reachable: no contact point in use is opted in") }
    for warning in victim.warnings ?? [] { lines.append("Warning: \(warning)") }
    return lines.joined(separator: "\n")
}

func describe(_ message: MessageView) -> String {
    var head = message.id.map { "#\($0) " } ?? ""
    head += "\(message.victimName ?? "victim \(message.victimId)") · \(message.language) · \(message.channel.rawValue)"
    if let segments = message.segments, let encoding = message.encoding {
        head += " · \(segments) segment\(segments == 1 ? "" : "s") (\(encoding.rawValue))"
    }
    head += " · \(message.event.rawValue) · \(message.state.rawValue) · \(formatDate(message.scheduledFor))"
    if let review = message.review { head += " · template \(review)" }
    if let error = message.lastError { head += "\n  last error: \(error)" }
    var lines = [head]
    if let subject = message.subject { lines.append("  Subject: \(subject)") }
    if let body = message.body {
        lines.append(body.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n"))
    }
    return lines.joined(separator: "\n")
}

func describe(_ update: UpdateView, preview: Bool) -> String {
    var lines: [String] = []
    if let approval = update.approval {
        lines.append(
            "Not queued yet: \(approval.reason). It waits as approval \(approval.id) for a supervisor other than you (aviso approval show \(approval.id)). The preview below is what they approve."
        )
    } else if preview {
        lines.append(
            "Preview of \(update.event.rawValue) on \(update.targetLabel): \(update.messageCount) message\(update.messageCount == 1 ? "" : "s") would be sent. Nothing was queued."
        )
    } else {
        lines.append(
            "Update \(update.id.map(String.init) ?? "?") (\(update.event.rawValue)) on \(update.targetLabel): \(update.progress?.rawValue ?? update.state.rawValue), \(update.messageCount) message\(update.messageCount == 1 ? "" : "s")\(update.messageCount > update.messages.count ? " (the first \(update.messages.count) shown; aviso messages --case lists them all)" : "")."
        )
    }
    let segments = update.messages.compactMap(\.segments).reduce(0, +)
    if segments > 0 { lines.append("SMS segments in all: \(segments)") }
    for warning in update.warnings ?? [] { lines.append("Warning: \(warning)") }
    lines += describeReach(update)
    for message in update.messages { lines.append(""); lines.append(describe(message)) }
    return lines.joined(separator: "\n")
}

// Typed options: ArgumentParser lists their values in the help and refuses
// any other as a usage error (exit 64) of the command that takes it.
extension StaffRole: ExpressibleByArgument {}
extension MessageState: ExpressibleByArgument {}
