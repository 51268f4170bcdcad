import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

@main
struct Aviso: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aviso",
        abstract: "Aviso for staff: register victims, queue case updates, see who was reached.",
        discussion: """
            Every command talks to avisod's HTTP API with your token. Set AVISO_URL and AVISO_TOKEN, or put
            'url = …' and 'token = …' in ~/.config/aviso/config.
            """,
        subcommands: [
            CaseCommand.self, PatternCommand.self, VictimCommand.self, ContactCommand.self, ConsentCommand.self, UpdateCommand.self, Messages.self,
            Inbox.self,
            Export.self,
            StaffCommand.self, AccessLog.self, ApprovalCommand.self, Status.self, WhoAmI.self, Offenses.self,
        ])
}

struct WhoAmI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the staff account your token belongs to.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await guarded {
            let me: StaffView = try await options.client().get("/v1/me")
            try options.output(me) { "\($0.name) (\($0.role.rawValue), account \($0.id))" }
        }
    }
}

struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "Open, list, show and close cases; legal hold.",
        subcommands: [Open.self, List.self, Show.self, Assign.self, Close.self, Hold.self, CaseHearings.self])

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign a captain to a case: captains see only the cases assigned to them.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var number: String
        @Option(help: "The captain's staff account id (aviso staff list).") var staff: Int64

        func run() async throws {
            try await guarded {
                let assigned: [StaffView] = try await options.client().post(
                    "/v1/cases/\(APIClient.segment(number))/staff", CaseStaffAssignment(staffId: staff))
                try options.output(assigned) { "Assigned to \(number): " + $0.map(\.name).joined(separator: ", ") }
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a case: no more updates; retention starts counting.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var number: String

        func run() async throws {
            try await guarded {
                let view: CaseView = try await options.client().post("/v1/cases/\(APIClient.segment(number))/close", [String: String]())
                try options.output(view) { "Closed case \($0.number)." }
            }
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a case on legal hold (nothing is purged) or lift it (supervisor).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var number: String
        @Flag(inversion: .prefixedNo, help: "--hold to put on hold, --no-hold to lift it.") var hold: Bool

        func run() async throws {
            try await guarded {
                let view: CaseView = try await options.client().post("/v1/cases/\(APIClient.segment(number))/legal-hold", LegalHoldInput(hold: hold))
                try options.output(view) { "Case \($0.number) is \($0.legalHold ? "on legal hold" : "not on legal hold")." }
            }
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a case.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number as the department writes it (KC-2025-004512).") var number: String
        @Option(help: "The offense code (armed_robbery; see Templates/<language>/terms.txt).") var offense: String
        @Option(help: "The unit (Robbery Unit).") var unit: String
        @Option(help: "A summary for staff only; never sent to a victim.") var summary: String?

        func run() async throws {
            try await guarded {
                let view: CaseView = try await options.client().post(
                    "/v1/cases", CaseCreate(number: number, offense: offense, unit: unit, summary: summary))
                try options.output(view) { "Opened case \($0.number) (\($0.offense), \($0.unit))." }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cases.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await guarded {
                let cases: [CaseView] = try await options.client().get("/v1/cases")
                try options.output(cases) { $0.map { "\($0.number)\t\($0.status.rawValue)\t\($0.offense)\t\($0.unit)" }.joined(separator: "\n") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a case and its victims.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var number: String

        func run() async throws {
            try await guarded {
                let view: CaseView = try await options.client().get("/v1/cases/\(APIClient.segment(number))")
                try options.output(view) { view in
                    (["Case \(view.number): \(view.offense), \(view.unit), \(view.status.rawValue)"] + (view.victims ?? []).map(describe)
                        + describeNeverReached(view.neverReached)).joined(separator: "\n")
                }
            }
        }
    }
}

/// Options that describe a contact point and the consent recorded with it.
struct ContactOptions: ParsableArguments {
    @Option(help: "A phone number in E.164 form (+18165550142).") var phone: [String] = []
    @Option(help: "An email address.") var email: [String] = []
    @Option(help: "How consent was given: verbal or written. Without it, the contact point waits for consent.") var consent: String?
    @Option(help: "The version of the consent wording read or shown to the victim (2026-01).") var wordingVersion: String?

    func validate() throws { _ = try contactPoints() }

    func contactPoints() throws -> [ContactPointCreate] {
        var consentInput: ConsentInput?
        if let consent {
            guard let method = ConsentMethod(rawValue: consent), method == .verbal || method == .written else {
                throw ValidationError("--consent is 'verbal' or 'written', not '\(consent)'.")
            }
            guard let wordingVersion else {
                throw ValidationError("--consent needs --wording-version: the version of the wording read to the victim.")
            }
            consentInput = ConsentInput(state: .optedIn, method: method, wordingVersion: wordingVersion)
        }
        return phone.map { ContactPointCreate(channel: .sms, address: $0, consent: consentInput) }
            + email.map { ContactPointCreate(channel: .email, address: $0, consent: consentInput) }
    }
}

struct VictimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "victim", abstract: "Register, import, show, change and merge victims.",
        subcommands: [Add.self, Import.self, Link.self, Show.self, Edit.self, Unlink.self, Merge.self, Changes.self, Conversation.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a victim on a case, with contact points and the consent they gave.",
            discussion:
                "Example: aviso victim add KC-2025-004512 --name 'José Pérez' --language es --phone +18165550142 --consent verbal --wording-version 2026-01"
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var caseNumber: String
        @Option(help: "The victim's name as staff call them.") var name: String
        @Option(help: "Preferred language, a BCP 47 tag (es, es-MX, en).") var language: String
        @Option(help: "IANA time zone.") var timeZone = "America/Chicago"
        @Flag(help: "Discreet mode: messages carry no case details, only a request to call.") var discreet = false
        @Option(help: "Notes for staff.") var notes: String?
        @Flag(help: "Register them even though a victim of the same name is on the case: they are two people.") var confirmSameName = false
        @OptionGroup var contact: ContactOptions

        func run() async throws {
            try await guarded {
                let body = VictimCreate(
                    displayName: name, language: language, timeZone: timeZone, discreet: discreet, staffNotes: notes,
                    contactPoints: try contact.contactPoints(), confirmSameName: confirmSameName ? true : nil)
                let view: VictimView = try await options.client().post("/v1/cases/\(APIClient.segment(caseNumber))/victims", body)
                try options.output(view) { "Registered on \(caseNumber).\n" + describe($0) }
            }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an existing victim to another case.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var caseNumber: String
        @Option(help: "The victim's id.") var victim: Int64

        func run() async throws {
            try await guarded {
                let view: VictimView = try await options.client().post(
                    "/v1/cases/\(APIClient.segment(caseNumber))/victim-links", CaseVictimLink(victimId: victim))
                try options.output(view, human: describe)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a victim, their cases and contact points.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The victim's id.") var id: Int64

        func run() async throws {
            try await guarded {
                let view: VictimView = try await options.client().get("/v1/victims/\(id)")
                try options.output(view, human: describe)
            }
        }
    }
}

struct ContactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact", abstract: "Add, retire or replace a victim's phone numbers and email addresses.",
        subcommands: [Add.self, Retire.self, Replace.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add contact points to a victim.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The victim's id.") var victim: Int64
        @OptionGroup var contact: ContactOptions

        func validate() throws {
            guard try !contact.contactPoints().isEmpty else { throw ValidationError("Give --phone or --email.") }
        }

        func run() async throws {
            try await guarded {
                let points = try contact.contactPoints()
                var views: [ContactPointView] = []
                for point in points { views.append(try await options.client().post("/v1/victims/\(victim)/contact-points", point)) }
                try options.output(views) {
                    $0.map { "Contact point \($0.id): \($0.channel.rawValue) \($0.address) — \($0.consentState.rawValue)" }.joined(separator: "\n")
                }
            }
        }
    }
}

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent", abstract: "Record consent, or an opt-out on the victim's behalf.", subcommands: [Record.self])

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a consent change for a contact point.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The contact point's id.") var contactPoint: Int64
        @Option(help: "opted_in or opted_out.") var state: String
        @Option(help: "verbal or written: what the victim told staff or signed.") var method: String
        @Option(help: "The version of the wording read or shown (2026-01).") var wordingVersion: String
        @Option(
            name: .customLong("override-victim-opt-out"),
            help: "Opting in a number the victim opted out themselves (STOP, the link, the carrier): why, kept in the consent log.")
        var overrideReason: String?

        /// Staff record only these; the other states and methods come from the victim or the carrier.
        var consent: (state: ConsentState, method: ConsentMethod)? {
            guard let state = ConsentState(rawValue: state), state != .pending, let method = ConsentMethod(rawValue: method),
                method == .verbal || method == .written
            else { return nil }
            return (state, method)
        }

        func validate() throws {
            guard consent != nil else {
                throw ValidationError("--state is opted_in or opted_out and --method verbal or written, not '\(state)' and '\(method)'.")
            }
        }

        func run() async throws {
            try await guarded {
                guard let (state, method) = consent else { throw ValidationError("--state or --method is not valid.") }
                let view: ContactPointView = try await options.client().post(
                    "/v1/contact-points/\(contactPoint)/consent",
                    ConsentInput(state: state, method: method, wordingVersion: wordingVersion, overrideReason: overrideReason))
                try options.output(view) { "Contact point \($0.id) is now \($0.consentState.rawValue)." }
            }
        }
    }
}

struct Messages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "messages", abstract: "List messages and their state, newest first.")
    @OptionGroup var options: ClientOptions
    @Option(name: .customLong("case"), help: "Only this case's messages.") var caseNumber: String?
    @Option(help: "Only messages in this state.") var state: MessageState?
    @Option(help: "At most this many (the daemon's default: 500).") var limit: Int?

    func run() async throws {
        try await guarded {
            var query: [String] = []
            if let caseNumber { query.append("case=\(APIClient.segment(caseNumber))") }
            if let state { query.append("state=\(state.rawValue)") }
            if let limit { query.append("limit=\(limit)") }
            let list: MessageList = try await options.client().get("/v1/messages" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            try options.output(list) { $0.messages.isEmpty ? "No messages." : $0.messages.map(describe).joined(separator: "\n\n") }
        }
    }
}

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Manage staff accounts and their API tokens.",
        subcommands: [
            Create.self, List.self, StaffTokens.self, StaffNewToken.self, StaffRevokeToken.self, StaffDisable.self, StaffEnable.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff account; its token is printed once.")
        @OptionGroup var options: ClientOptions
        @Option(help: "The person's name.") var name: String
        @Option(help: "The account's role.") var role: StaffRole
        @Option(help: "Languages spoken, comma-separated (es,en).") var languages: String?

        func run() async throws {
            try await guarded {
                let tags = try (languages ?? "").split(separator: ",").map { try LanguageTag(String($0)) }
                let view: StaffView = try await options.client().post("/v1/staff", StaffCreate(name: name, role: role, languages: tags))
                // As with avisod token create: the token alone on standard output, what it is on standard error.
                if options.json {
                    try options.output(view) { _ in "" }
                } else {
                    FileHandle.standardError.write(
                        Data(
                            "Created \(view.role.rawValue) account \(view.id) for \(view.name). Keep this token secret; it is not shown again:\n".utf8
                        ))
                    print(view.token ?? "")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff accounts.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await guarded {
                let staff: [StaffView] = try await options.client().get("/v1/staff")
                try options.output(staff) {
                    $0.map {
                        "\($0.id)\t\($0.role.rawValue)\t\($0.name)\t\($0.languages.joined(separator: ","))"
                            + ($0.disabledAt.map { "\tdisabled \(formatDate($0))" } ?? "")
                    }.joined(separator: "\n")
                }
            }
        }
    }
}
