import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

/// The case an update is on, and its event and fields.
struct UpdateOptions: ParsableArguments {
    @Argument(help: "The case number.") var caseNumber: String
    @OptionGroup var event: UpdateEventOptions

    func body() throws -> UpdateCreate { try event.body() }
}

/// An update's event and fields, as options.
struct UpdateEventOptions: ParsableArguments {
    @Argument(help: "The event: \(Event.queueable.map(\.rawValue).joined(separator: ", ")).") var event: String
    @Option(help: "charges_filed: a charge and its counts, offense=count (repeat: --charge armed_robbery=2).") var charge: [String] = []
    @Option(help: "Hearings: when, 2026-03-03T09:00 in department time (or with an offset).") var startsAt: String?
    @Option(help: "Hearings: where.") var place: String?
    @Option(help: "released: bond, pretrial or sentence_end.") var reason: String?
    @Option(help: "custom: the text in one language, lang=text (repeat for every language of the case's victims).") var text: [String] = []
    @Option(help: "court_date_changed, hearing_cancelled: the update that announced the hearing.") var hearingUpdate: Int64?
    @Option(help: "Send at this time instead of now (quiet hours still apply to routine events).") var sendAt: String?

    func validate() throws { _ = try body() }

    func body() throws -> UpdateCreate {
        var fields = UpdateFields()
        if !charge.isEmpty {
            fields.charges = try charge.map { item in
                let parts = item.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let count = Int(parts[1]) else {
                    throw ValidationError("--charge takes offense=count, like armed_robbery=2; '\(item)' is not that.")
                }
                return Charge(offense: String(parts[0]), count: count)
            }
        }
        fields.startsAt = startsAt
        fields.place = place
        if let reason {
            guard let parsed = ReleaseReason(rawValue: reason) else {
                throw ValidationError("--reason is bond, pretrial or sentence_end, not '\(reason)'.")
            }
            fields.reason = parsed
        }
        if !text.isEmpty {
            var texts: [String: String] = [:]
            for item in text {
                let parts = item.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else {
                    throw ValidationError("--text takes lang=text, like es=\"Su audiencia…\"; '\(item)' is not that.")
                }
                texts[String(parts[0])] = String(parts[1])
            }
            fields.text = texts
        }
        fields.hearingUpdateId = hearingUpdate
        return UpdateCreate(event: event, fields: fields, sendAt: sendAt)
    }
}

struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Preview, queue, show and cancel case updates.",
        subcommands: [Preview.self, Queue.self, Show.self, Cancel.self, UpdateList.self])

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every message an update would send — per victim, language and channel, with SMS segments — without queueing it.",
            discussion: "Example: aviso update preview KC-2025-004512 charges_filed --charge armed_robbery=2 --charge armed_criminal_action=2")
        @OptionGroup var options: ClientOptions
        @OptionGroup var update: UpdateOptions

        func run() async throws {
            try await guarded {
                let view: UpdateView = try await options.client().post(
                    "/v1/cases/\(APIClient.segment(update.caseNumber))/updates/preview", try update.body())
                try options.output(view) { describe($0, preview: true) }
            }
        }
    }

    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue an update: every victim of the case with consent is told, in their language.",
            discussion: "Example: aviso update queue KC-2025-004512 court_date --starts-at 2026-03-03T09:00 --place 'Jackson County Courthouse'")
        @OptionGroup var options: ClientOptions
        @OptionGroup var update: UpdateOptions

        func run() async throws {
            try await guarded {
                let view: UpdateView = try await options.client().post("/v1/cases/\(APIClient.segment(update.caseNumber))/updates", try update.body())
                try options.output(view) { describe($0, preview: false) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an update and the state of its messages.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The update's id.") var id: Int64

        func run() async throws {
            try await guarded {
                let view: UpdateView = try await options.client().get("/v1/updates/\(id)")
                try options.output(view) { describe($0, preview: false) }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an update: its messages not yet handed off are not sent.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The update's id.") var id: Int64

        func run() async throws {
            try await guarded {
                let view: UpdateView = try await options.client().post("/v1/updates/\(id)/cancel", [String: String]())
                let cancelled = view.messages.filter { $0.state == .cancelled }.count
                try options.output(view) { "Update \($0.id ?? id) cancelled; \(cancelled) message\(cancelled == 1 ? "" : "s") will not be sent." }
            }
        }
    }
}
