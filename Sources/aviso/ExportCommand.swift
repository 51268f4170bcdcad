import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Export the whole history of a case, a victim or a pattern's cases — consent, messages with every status change, replies — as JSON or CSV.",
        discussion: "Example: aviso export --case KC-2025-004512 --format csv --output KC-2025-004512.csv")
    @OptionGroup var options: ClientOptions
    @Option(name: .customLong("case"), help: "The case number.") var caseNumber: String?
    @Option(help: "The victim's id.") var victim: Int64?
    @Option(help: "A pattern's id: the history of its linked cases.") var pattern: Int64?
    @Option(help: "json or csv.") var format = "json"
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func validate() throws {
        guard [caseNumber != nil, victim != nil, pattern != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("Give one of --case, --victim or --pattern.")
        }
        guard ["json", "csv"].contains(format) else { throw ValidationError("--format is json or csv, not '\(format)'.") }
    }

    func run() async throws {
        try await guarded {
            let path =
                caseNumber.map { "/v1/cases/\(APIClient.segment($0))/export" } ?? pattern.map { "/v1/patterns/\($0)/export" }
                ?? "/v1/victims/\(victim ?? 0)/export"
            progress("Downloading the history…")
            let export: HistoryExport = try await options.client().get(path)
            if !export.chainsIntact {
                FileHandle.standardError.write(
                    Data("aviso: WARNING: the audit logs failed verification: \(export.chainBreaks.joined(separator: "; "))\n".utf8))
            }
            var text = ""
            if format == "json" || options.json {
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                text = String(decoding: try encoder.encode(export), as: UTF8.self) + "\n"
            } else {
                let rows = HistoryCSV.rows(export)
                var lines = [HistoryCSV.line(HistoryCSV.header)]
                lines.reserveCapacity(rows.count + 1)
                let step = max(1, rows.count / 10)
                for (index, row) in rows.enumerated() {
                    lines.append(HistoryCSV.line(row))
                    if rows.count >= 1000 && (index + 1) % step == 0 { progress("Exported \(index + 1) of \(rows.count) records") }
                }
                text = lines.joined(separator: "\r\n") + "\r\n"
            }
            if let output {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
                progress("Wrote \(export.messages.count) messages, \(export.victims.count) victims and \(export.inbound.count) replies to \(output).")
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }

    func progress(_ line: String) {
        FileHandle.standardError.write(Data("\(line)\n".utf8))
    }
}

struct Inbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Victims' replies: list them (yours in a language you speak first) and mark them handled.",
        subcommands: [List.self, Reply.self, Handled.self, OptOut.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List replies not yet handled.")
        @OptionGroup var options: ClientOptions
        @Option(name: .customLong("case"), help: "Only this case's replies.") var caseNumber: String?
        @Flag(help: "Include handled replies and keyword replies (STOP, HELP, …).") var all = false

        func run() async throws {
            try await guarded {
                var query: [String] = []
                if let caseNumber { query.append("case=\(APIClient.segment(caseNumber))") }
                if all { query.append("all=true") }
                let inbox: InboxList = try await options.client().get("/v1/inbox" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
                try options.output(inbox) { list in
                    list.replies.isEmpty
                        ? "No replies waiting."
                        : list.replies.map { reply in
                            "#\(reply.id) \(formatDate(reply.receivedAt)) · \(reply.victimName ?? "unknown number") · \(reply.language ?? "?") · \(reply.cases.joined(separator: ", "))"
                                + (reply.intent.map { " · keyword \($0)" } ?? "") + possibleOptOutNote(reply)
                                + (reply.handledAt == nil ? "" : " · handled") + (reply.handledNote.map { "\n  note: \($0)" } ?? "")
                                + "\n  | \(reply.body ?? "(purged)")"
                        }.joined(separator: "\n")
                }
            }
        }
    }

    struct Handled: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a reply handled, with a note on what was done (shown in aviso victim conversation).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The reply's id.") var id: Int64
        @Option(help: "What was done: 'Called her back; hearing date explained.'") var note: String?

        func run() async throws {
            try await guarded {
                try await options.client().postNoContent("/v1/inbox/\(id)/handled", HandledInput(note: note))
                try options.output(HandledOutput(handled: id, note: note)) {
                    "Reply \($0.handled) marked handled." + ($0.note == nil ? "" : " Note saved.")
                }
            }
        }
    }
}
