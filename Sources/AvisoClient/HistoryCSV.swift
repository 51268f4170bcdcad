public import AvisoCore
import Foundation

/// An export as one CSV timeline: a row per consent record, message status
/// change and reply, oldest first, so it opens in a spreadsheet for a case file.
public enum HistoryCSV {
    public static let header = [
        "time", "record", "case", "victim_id", "victim_name", "contact_point_id", "channel", "address", "message_id", "event", "language",
        "state", "actor", "detail", "body",
    ]

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
            for entry in item.history {
                rows.append(
                    (
                        entry.at,
                        [
                            iso.string(from: entry.at), "message", message.caseNumber ?? "", String(message.victimId), message.victimName ?? "",
                            String(message.contactPointId), message.channel.rawValue, message.address ?? "", message.id.map(String.init) ?? "",
                            message.event.rawValue, message.language, entry.kind, entry.actor, entry.detail ?? "",
                            entry.kind == "attempt" ? (message.body ?? "") : "",
                        ]
                    ))
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
