public import AvisoCore
import Foundation

/// An export as one CSV timeline, so it opens in a spreadsheet for a case
/// file. It holds everything the JSON export holds, a row each, oldest first:
///
/// - `consent`: every consent record of every contact point;
/// - `message`: every message, in whatever state it is now (`queued`,
///   `cancelled`, `suppressed`, `sent`, …), at the time it was due, with its body;
/// - `message_event`: every entry of every message's history (attempt, sent,
///   delivered, retry, recovered, …), its kind in `state`;
/// - `reply`: every reply.
///
/// So the number of rows is always the consent records + the messages + their
/// history entries + the replies of the JSON export (``recordCount(_:)``).
public enum HistoryCSV {
    public static let header = [
        "time", "record", "case", "victim_id", "victim_name", "contact_point_id", "channel", "address", "message_id", "event", "language",
        "state", "actor", "detail", "body",
    ]

    /// How many rows `rows(export)` has: one per consent record, message, history entry and reply.
    public static func recordCount(_ export: HistoryExport) -> Int {
        export.victims.flatMap(\.contactPoints).map(\.consent.count).reduce(0, +) + export.messages.count
            + export.messages.map(\.history.count).reduce(0, +) + export.inbound.count
    }

    public static func rows(_ export: HistoryExport) -> [[String]] {
        var rows: [(Date, [String])] = []
        let iso = ISO8601DateFormatter()
        for victim in export.victims {
            for point in victim.contactPoints {
                for record in point.consent {
                    rows.append(
                        (
                            record.recordedAt,
                            [
                                iso.string(from: record.recordedAt), "consent", victim.cases.joined(separator: " "), String(victim.id),
                                victim.displayName,
                                String(point.id), point.channel.rawValue, point.address, "", "", record.language, record.state.rawValue, record.actor,
                                "\(record.method.rawValue)\(record.wordingVersion.map { " wording \($0)" } ?? "")", record.wording ?? "",
                            ]
                        ))
                }
            }
        }
        for item in export.messages {
            let message = item.message
            let columns = [
                message.caseNumber ?? "", String(message.victimId), message.victimName ?? "", String(message.contactPointId),
                message.channel.rawValue,
                message.address ?? "", message.id.map(String.init) ?? "", message.event.rawValue, message.language,
            ]
            var summary = ["attempts \(message.attempts)"]
            if let segments = message.segments, let encoding = message.encoding { summary.append("\(segments) segments \(encoding.rawValue)") }
            if let providerId = message.providerId { summary.append("provider id \(providerId)") }
            if let lastError = message.lastError { summary.append("last error: \(lastError)") }
            rows.append(
                (
                    message.scheduledFor,
                    [iso.string(from: message.scheduledFor), "message"] + columns + [
                        message.state.rawValue, "", summary.joined(separator: "; "),
                        [message.subject, message.body].compactMap { $0 }.joined(separator: "\n\n"),
                    ]
                ))
            for entry in item.history {
                rows.append(
                    (entry.at, [iso.string(from: entry.at), "message_event"] + columns + [entry.kind, entry.actor, entry.detail ?? "", ""]))
            }
        }
        for reply in export.inbound {
            rows.append(
                (
                    reply.receivedAt,
                    [
                        iso.string(from: reply.receivedAt), "reply", reply.cases.joined(separator: " "), reply.victimId.map(String.init) ?? "",
                        reply.victimName ?? "", "", "sms", reply.from, "", reply.intent ?? "free_text", reply.language ?? "",
                        reply.handledAt == nil ? "unhandled" : "handled", "victim", reply.handledBy ?? "", reply.body ?? "",
                    ]
                ))
        }
        return rows.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    }

    /// One CSV line (RFC 4180): fields with commas, quotes or line breaks are quoted.
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            let risky = field.contains { $0 == "," || $0 == "\"" || $0.isNewline }
            // A leading =, +, - or @ would be a formula in a spreadsheet.
            let safe = field.first.map { "=+-@".contains($0) } == true && !field.hasPrefix("+1") ? "'" + field : field
            return risky || safe != field ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}
