import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

extension VictimCommand {
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a victim's name, language, time zone, discreet mode or staff notes.",
            discussion: """
                Only the options given change; each change is logged with your account. When the language changes, or
                discreet mode is turned on, messages already queued to the victim are cancelled (they were written for the
                old settings): queue the update again. Example: aviso victim edit 12 --language es-MX --discreet
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "The victim's id.") var id: Int64
        @Option(help: "The victim's name as staff call them.") var name: String?
        @Option(help: "Preferred language, a BCP 47 tag (es, es-MX, en).") var language: String?
        @Option(help: "IANA time zone (America/Chicago).") var timeZone: String?
        @Flag(inversion: .prefixedNo, help: "--discreet turns discreet mode on, --no-discreet off.") var discreet: Bool?
        @Option(help: "Notes for staff (replace the old notes).") var notes: String?
        @Flag(help: "Remove the staff notes.") var clearNotes = false

        func validate() throws {
            if notes != nil && clearNotes { throw ValidationError("Give --notes or --clear-notes, not both.") }
            guard name != nil || language != nil || timeZone != nil || discreet != nil || notes != nil || clearNotes else {
                throw ValidationError(
                    "Give at least one change: --name, --language, --time-zone, --discreet/--no-discreet, --notes or --clear-notes.")
            }
        }

        func run() async throws {
            try await guarded {
                let edit = VictimEdit(
                    displayName: name, language: language, timeZone: timeZone, discreet: discreet, staffNotes: clearNotes ? "" : notes)
                let view: VictimView = try await options.client().patch("/v1/victims/\(id)", edit)
                try options.output(view) { "Changed victim \($0.id).\n" + describe($0) }
            }
        }
    }

    struct Unlink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a victim off a case (registered on the wrong one); their history stays.",
            discussion: "Messages of that case still queued to the victim are cancelled. A victim stays on at least one case.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var caseNumber: String
        @Option(help: "The victim's id.") var victim: Int64

        func run() async throws {
            try await guarded {
                let view: VictimView = try await options.client().delete("/v1/cases/\(APIClient.segment(caseNumber))/victims/\(victim)")
                try options.output(view) { "Took victim \($0.id) off case \(caseNumber).\n" + describe($0) }
            }
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge two victims who are one person into the first.",
            discussion: """
                The duplicate's contact points (with their consent and history), cases, messages and replies move to the
                kept victim; the duplicate answers with where it went. Example: aviso victim merge 12 --duplicate 31
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "The id of the victim to keep.") var id: Int64
        @Option(help: "The id of the victim who is the same person.") var duplicate: Int64

        func run() async throws {
            try await guarded {
                let view: VictimView = try await options.client().post("/v1/victims/\(id)/merge", VictimMerge(duplicateVictimId: duplicate))
                try options.output(view) { "Merged victim \(duplicate) into victim \($0.id).\n" + describe($0) }
            }
        }
    }

    struct Changes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show who changed a victim, when and how.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The victim's id.") var id: Int64

        func run() async throws {
            try await guarded {
                let list: VictimChangeList = try await options.client().get("/v1/victims/\(id)/changes")
                try options.output(list) {
                    $0.changes.isEmpty
                        ? "No changes to victim \(id)."
                        : $0.changes.map { "\(formatDate($0.at))\t\($0.actor)\t\($0.kind)\t\($0.detail)" }.joined(separator: "\n")
                }
            }
        }
    }
}

extension ContactCommand {
    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a contact point: nothing is sent to it again; its consent and history stay.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The contact point's id.") var contactPoint: Int64

        func run() async throws {
            try await guarded {
                let view: ContactPointView = try await options.client().post("/v1/contact-points/\(contactPoint)/retire", [String: String]())
                try options.output(view) { "Retired contact point \($0.id) (\($0.channel.rawValue) \($0.address)); nothing more is sent to it." }
            }
        }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a contact point with a new phone number or email address (the old one is retired).",
            discussion:
                "Example: aviso contact replace 7 --phone +18165550177 --consent verbal --wording-version 2026-01")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The contact point's id.") var contactPoint: Int64
        @OptionGroup var contact: ContactOptions

        func validate() throws {
            guard try contact.contactPoints().count == 1 else { throw ValidationError("Give one --phone or one --email.") }
        }

        func run() async throws {
            try await guarded {
                guard let point = try contact.contactPoints().first else { throw ValidationError("Give one --phone or one --email.") }
                let view: ContactPointView = try await options.client().post("/v1/contact-points/\(contactPoint)/replace", point)
                try options.output(view) {
                    "Retired contact point \(contactPoint); new contact point \($0.id): \($0.channel.rawValue) \($0.address) — \($0.consentState.rawValue)"
                }
            }
        }
    }
}
