import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

/// `aviso approval`: updates that wait for a second person.
struct ApprovalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approval", abstract: "Updates waiting for a second person's approval: list, show, approve, reject.",
        subcommands: [List.self, Show.self, Approve.self, Reject.self])

    static func describe(_ approval: ApprovalView) -> String {
        var lines = [
            "Approval \(approval.id): \(approval.event.rawValue) on \(approval.caseNumber ?? approval.patternId.map { "pattern \($0)" } ?? "-") — \(approval.state)",
            "  \(approval.reason); asked by \(approval.requestedBy) at \(formatDate(approval.requestedAt))",
        ]
        if let decided = approval.decidedBy { lines.append("  decided by \(decided)\(approval.note.map { ": \($0)" } ?? "")") }
        if let preview = approval.preview {
            if let summary = preview.reach?.summary { lines.append("  \(summary)") }
            for message in preview.messages.prefix(20) {
                lines.append(
                    "  → \(message.channel.rawValue) \(message.language): \((message.body ?? "(purged)").replacingOccurrences(of: "\n", with: " "))")
            }
            if preview.messages.count > 20 { lines.append("  … \(preview.messages.count - 20) more (--json shows all)") }
        }
        lines.append("  preview digest \(approval.previewDigest)")
        return lines.joined(separator: "\n")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List updates waiting for approval.")
        @OptionGroup var options: ClientOptions
        @Flag(help: "Also approved, rejected and void ones.") var all = false

        func run() async throws {
            try await guarded {
                let list: ApprovalList = try await options.client().get("/v1/approvals" + (all ? "?all=true" : ""))
                try options.output(list) { list in
                    list.approvals.isEmpty
                        ? "No update waits for approval."
                        : list.approvals.map {
                            "\($0.id)\t\($0.state)\t\($0.event.rawValue)\t\($0.caseNumber ?? "pattern \($0.patternId ?? 0)")\t\($0.requestedBy)\t\($0.reason)"
                        }.joined(separator: "\n")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an update waiting for approval and the preview that was shown.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The approval id (aviso approval list).") var id: Int64

        func run() async throws {
            try await guarded {
                let approval: ApprovalView = try await options.client().get("/v1/approvals/\(id)")
                try options.output(approval, human: ApprovalCommand.describe)
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve an update (supervisor, not its requester): it is queued only if it still sends exactly the preview shown.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The approval id.") var id: Int64
        @Option(help: "The digest of the preview you read (aviso approval show); without it, the preview is shown here first and approved.")
        var digest: String?
        @Option(help: "A note for the record.") var note: String?

        func run() async throws {
            try await guarded {
                let client = try options.client()
                var approved = digest
                if approved == nil {
                    let approval: ApprovalView = try await client.get("/v1/approvals/\(id)")
                    if !options.json { FileHandle.standardError.write(Data((ApprovalCommand.describe(approval) + "\n").utf8)) }
                    approved = approval.previewDigest
                }
                let view: UpdateView = try await client.post("/v1/approvals/\(id)/approve", ApprovalDecision(previewDigest: approved, note: note))
                try options.output(view) { "Approved: update \($0.id.map(String.init) ?? "-") queued, \($0.messageCount) messages." }
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject an update waiting for approval (supervisor), or withdraw your own.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The approval id.") var id: Int64
        @Option(help: "Why, for the record.") var note: String?

        func run() async throws {
            try await guarded {
                let view: ApprovalView = try await options.client().post("/v1/approvals/\(id)/reject", ApprovalDecision(note: note))
                try options.output(view) { "Approval \($0.id) is \($0.state)." }
            }
        }
    }
}
