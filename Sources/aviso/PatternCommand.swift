import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

struct PatternCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pattern",
        abstract: "Patterns: named groups of linked cases (a robbery series). An update to a pattern tells every victim of every linked case once.",
        subcommands: [
            Create.self, Rename.self, Link.self, Unlink.self, Assign.self, List.self, Show.self, Preview.self, Queue.self, Hearings.self,
            PatternInbox.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a pattern, linking cases at once.",
            discussion: "Example: aviso pattern create '24th & Quincy robberies' --case KC-2025-004512 --case KC-2025-004519")
        @OptionGroup var options: ClientOptions
        @Argument(help: "What staff call the series.") var name: String
        @Option(name: .customLong("case"), help: "A case to link (repeat for each).") var cases: [String] = []

        func run() async throws {
            try await guarded {
                let view: PatternView = try await options.client().post("/v1/patterns", PatternCreate(name: name, caseNumbers: cases))
                try options.output(view) { "Opened pattern \($0.id) (\($0.name)).\n" + describe($0) }
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a pattern.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64
        @Argument(help: "The new name.") var name: String

        func run() async throws {
            try await guarded {
                let view: PatternView = try await options.client().patch("/v1/patterns/\(id)", PatternRename(name: name))
                try options.output(view) { "Pattern \($0.id) is now \"\($0.name)\"." }
            }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Link a case to a pattern; a case may be in several patterns.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64
        @Argument(help: "The case number.") var caseNumber: String

        func run() async throws {
            try await guarded {
                let view: PatternView = try await options.client().post("/v1/patterns/\(id)/cases", PatternCaseLink(caseNumber: caseNumber))
                try options.output(view, human: describe)
            }
        }
    }

    struct Unlink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unlink a case from a pattern.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64
        @Argument(help: "The case number.") var caseNumber: String

        func run() async throws {
            try await guarded {
                let view: PatternView = try await options.client().delete("/v1/patterns/\(id)/cases/\(APIClient.segment(caseNumber))")
                try options.output(view, human: describe)
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a captain to a pattern: they see it, and reach the linked cases assigned to them.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64
        @Option(help: "The captain's staff account id (aviso staff list).") var staff: Int64

        func run() async throws {
            try await guarded {
                let assigned: [StaffView] = try await options.client().post("/v1/patterns/\(id)/staff", PatternStaffAssignment(staffId: staff))
                try options.output(assigned) { "Assigned to pattern \(id): " + $0.map(\.name).joined(separator: ", ") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the patterns you may see.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await guarded {
                let patterns: [PatternView] = try await options.client().get("/v1/patterns")
                try options.output(patterns) {
                    $0.isEmpty ? "No patterns." : $0.map { "\($0.id)\t\($0.name)\t\($0.cases.joined(separator: ", "))" }.joined(separator: "\n")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a pattern: its cases, each victim once, and its updates.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64

        func run() async throws {
            try await guarded {
                let view: PatternView = try await options.client().get("/v1/patterns/\(id)")
                try options.output(view, human: describe)
            }
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every message an update to a pattern would send, and who would not be told and why, without queueing it.",
            discussion: "Example: aviso pattern preview 1 arrest")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64
        @OptionGroup var update: UpdateEventOptions

        func run() async throws {
            try await guarded {
                let view: UpdateView = try await options.client().post("/v1/patterns/\(id)/updates/preview", try update.body())
                try options.output(view) { describe($0, preview: true) }
            }
        }
    }

    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue an update to a pattern: every victim of every linked case is told once, in their language, with their own case number.",
            discussion: "Example: aviso pattern queue 1 arrest")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64
        @OptionGroup var update: UpdateEventOptions

        func run() async throws {
            try await guarded {
                let view: UpdateView = try await options.client().post("/v1/patterns/\(id)/updates", try update.body())
                try options.output(view) { describe($0, preview: false) }
            }
        }
    }

    struct Hearings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a pattern's hearings with the ids court_date_changed and hearing_cancelled name (--hearing-update).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64

        func run() async throws {
            try await guarded {
                let list: HearingList = try await options.client().get("/v1/patterns/\(id)/hearings")
                try options.output(list, human: describe)
            }
        }
    }

    struct PatternInbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inbox", abstract: "Replies from the victims of a pattern's cases.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The pattern's id.") var id: Int64
        @Flag(help: "Include handled replies and keyword replies (STOP, HELP, …).") var all = false

        func run() async throws {
            try await guarded {
                let inbox: InboxList = try await options.client().get("/v1/patterns/\(id)/inbox" + (all ? "?all=true" : ""))
                try options.output(inbox) { list in
                    list.replies.isEmpty
                        ? "No replies waiting."
                        : list.replies.map {
                            "#\($0.id) \(formatDate($0.receivedAt)) · \($0.victimName ?? "unknown number") · \($0.cases.joined(separator: ", "))\n  | \($0.body ?? "(purged)")"
                        }
                        .joined(separator: "\n")
                }
            }
        }
    }
}

/// `aviso update list`: a case's updates (its own and its patterns') or a pattern's.
struct UpdateList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the updates of a case (its own and its patterns') or of a pattern, newest first, with their ids.",
        discussion: "Example: aviso update list KC-2025-004512, or aviso update list --pattern 1")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The case number.") var caseNumber: String?
    @Option(help: "A pattern's id instead of a case.") var pattern: Int64?

    func validate() throws {
        guard (caseNumber == nil) != (pattern == nil) else { throw ValidationError("Give either a case number or --pattern.") }
    }

    func run() async throws {
        try await guarded {
            let path = pattern.map { "/v1/patterns/\($0)/updates" } ?? "/v1/cases/\(APIClient.segment(caseNumber ?? ""))/updates"
            let list: AvisoCore.UpdateList = try await options.client().get(path)
            try options.output(list) { list in
                list.updates.isEmpty
                    ? "No updates."
                    : list.updates.map { update in
                        let target = update.patternId.map { "pattern \($0) (\(update.patternName ?? ""))" } ?? "case \(update.caseNumber ?? "")"
                        return "#\(update.id) \(formatDate(update.createdAt)) · \(update.event.rawValue) · \(target) · \(update.progress.rawValue) · "
                            + describeStates(update.messageStates, total: update.messageCount)
                            + (update.hearingUpdateId.map { " · hearing of update \($0)" } ?? "")
                    }.joined(separator: "\n")
            }
        }
    }
}

struct CaseHearings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearings",
        abstract: "List a case's hearings (its own and its patterns') with the ids court_date_changed and hearing_cancelled name (--hearing-update).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The case number.") var number: String

    func run() async throws {
        try await guarded {
            let list: HearingList = try await options.client().get("/v1/cases/\(APIClient.segment(number))/hearings")
            try options.output(list, human: describe)
        }
    }
}

func describe(_ pattern: PatternView) -> String {
    var lines = ["Pattern \(pattern.id): \(pattern.name)"]
    lines.append(
        "  cases: " + (pattern.cases.isEmpty ? "none" : pattern.cases.joined(separator: ", "))
            + (pattern.otherCases > 0 ? " (and \(pattern.otherCases) not assigned to you)" : ""))
    if let victims = pattern.victims {
        lines.append("  \(victims.count) victim\(victims.count == 1 ? "" : "s"):")
        lines += victims.map { describe($0).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") }
    }
    if let updates = pattern.updates, !updates.isEmpty {
        lines.append("  updates:")
        lines += updates.map {
            "    #\($0.id) \($0.event.rawValue) · \($0.progress.rawValue) · " + describeStates($0.messageStates, total: $0.messageCount)
        }
    }
    return lines.joined(separator: "\n")
}

func describe(_ list: HearingList) -> String {
    guard !list.hearings.isEmpty else { return "No hearings." }
    return list.hearings.map { hearing in
        var line = "#\(hearing.updateId) \(hearing.event.rawValue)"
        if let startsAt = hearing.startsAt { line += " · \(formatDate(startsAt))" }
        if let place = hearing.place { line += " · \(place)" }
        if let patternId = hearing.patternId { line += " · pattern \(patternId)" }
        line += " · \(hearing.status.rawValue)" + (hearing.replacedBy.map { " by update \($0)" } ?? "")
        return line
    }.joined(separator: "\n")
}

/// "14 messages: 11 delivered, 3 sent (no report yet)".
func describeStates(_ states: [String: Int], total: Int) -> String {
    let parts = MessageState.allCases.sorted { $0.reachRank < $1.reachRank }.compactMap { state in
        states[state.rawValue].map { "\($0) \(state.reachPhrase)" }
    }
    return "\(total) message\(total == 1 ? "" : "s")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
}

/// The reach lines of a preview or an update: the summary, then each victim not told and why.
func describeReach(_ update: UpdateView) -> [String] {
    var lines: [String] = []
    if let states = update.messageStates, update.id != nil { lines.append("Messages: " + describeStates(states, total: update.messageCount)) }
    guard let reach = update.reach else { return lines }
    lines.append("Reach: \(reach.summary)")
    for victim in reach.victims {
        let who = "\(victim.victimName ?? "victim \(victim.victimId)") (victim \(victim.victimId)\(victim.caseNumber.map { ", \($0)" } ?? ""))"
        if victim.outcome == .told {
            let how = victim.contacts.map { contact in
                "\(contact.channel.rawValue) in \(contact.language)" + (contact.state.map { " — \($0.reachPhrase)" } ?? "")
                    + (contact.lastError.map { " (\($0))" } ?? "")
            }.joined(separator: ", ")
            lines.append("  told: \(who) by \(how)" + (victim.discreet ? " — discreet mode: \(victim.instead ?? "discreet") instead" : ""))
        } else {
            lines.append("  not told: \(who) — \(victim.outcome.phrase(1))" + (victim.detail.map { ": \($0)" } ?? ""))
        }
    }
    return lines
}

/// `aviso case show`: the victims never reached yet, and why.
func describeNeverReached(_ victims: [VictimReach]?) -> [String] {
    guard let victims, !victims.isEmpty else { return [] }
    return ["Never reached (\(victims.count)):"]
        + victims.map {
            "  \($0.victimName ?? "victim \($0.victimId)") (victim \($0.victimId)) — \($0.outcome.phrase(1))" + ($0.detail.map { ": \($0)" } ?? "")
        }
}
