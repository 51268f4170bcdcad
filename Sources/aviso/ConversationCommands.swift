import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

extension Inbox {
    /// A person answers a person (SPEC §2.5).
    struct Reply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a victim's reply, in your own words, on the number they wrote from.",
            discussion: """
                The answer goes at once, whatever the hour (the victim just wrote), through the outbox: it is sent only if the number
                is opted in when it is handed to the gateway. You are warned when your account does not list the victim's language,
                and when the victim is in discreet mode: your text is sent exactly as written, so it must not name the department,
                the police, a case, an offense, a court or a place.
                Example: aviso inbox reply 42 --text "Sí, la audiencia es el 3 de marzo a las 9:00. Le llamo mañana."
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "The reply's id (aviso inbox).") var id: Int64
        @Option(help: "Your answer, in the victim's language.") var text: String

        func run() async throws {
            try await guarded {
                let view: StaffReplyView = try await options.client().post("/v1/inbox/\(id)/reply", StaffReplyInput(text: text))
                for warning in view.warnings where !options.json { FileHandle.standardError.write(Data("Warning: \(warning)\n".utf8)) }
                try options.output(view) { view in
                    "Answer to reply \(id) queued as message #\(view.message.id ?? 0) to \(view.message.address ?? "the victim") (\(view.message.language)); it goes now.\n"
                        + describe(view.message)
                }
            }
        }
    }
}

struct HandledOutput: Codable {
    var handled: Int64
    var note: String?
}

extension VictimCommand {
    struct Conversation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a victim's whole thread: every message sent to them and every reply they sent, staff answers included, in order.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The victim's id.") var id: Int64

        func run() async throws {
            try await guarded {
                let view: ConversationView = try await options.client().get("/v1/victims/\(id)/conversation")
                try options.output(view, human: describe)
            }
        }
    }
}

func describe(_ view: ConversationView) -> String {
    var lines = [
        "Conversation with victim \(view.victimId), \(view.victimName) — \(view.language), \(view.timeZone)\(view.discreet ? ", discreet mode" : "")"
    ]
    if view.entries.isEmpty { lines.append("Nothing sent or received yet.") }
    let zone = TimeZone(identifier: view.timeZone)
    for entry in view.entries {
        var head = formatDate(entry.at, victimZone: zone)
        if entry.direction == "inbound" {
            head += " ← from \(entry.address ?? "?") · reply #\(entry.id)" + (entry.event.map { " · keyword \($0)" } ?? "") + " · \(entry.state)"
            if let staff = entry.staff, entry.state == "handled" { head += " by \(staff)" }
        } else {
            let what = entry.event == Event.staffReply.rawValue ? "answer by \(entry.staff ?? "staff")" : (entry.event ?? "message")
            head += " → to \(entry.address ?? "?") · \(what)"
            if let inReplyTo = entry.inReplyTo { head += " (to reply #\(inReplyTo))" }
            head += " · #\(entry.id) \(entry.state)"
        }
        if let number = entry.caseNumber { head += " · \(number)" }
        lines.append(head)
        lines.append(
            (entry.body ?? "(purged)").split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n"))
        if let note = entry.note { lines.append("  note: \(note)") }
    }
    return lines.joined(separator: "\n")
}
