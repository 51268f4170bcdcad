public import ArgumentParser
import AvisoCore
import AvisoDaemon
import AvisoStore
import Foundation
import Logging

struct ConfigOption: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: "The configuration file (default: $AVISO_CONFIG, else /etc/aviso/avisod.conf if it exists, else $CONFIGURATION_DIRECTORY/avisod.conf).")
    var config: String?

    func load() throws -> DaemonConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var path = config ?? environment["AVISO_CONFIG"]
        if path == nil, FileManager.default.fileExists(atPath: "/etc/aviso/avisod.conf") { path = "/etc/aviso/avisod.conf" }
        if path == nil, let directory = environment["CONFIGURATION_DIRECTORY"] { path = directory + "/avisod.conf" }
        return try DaemonConfiguration.load(path: path, environment: environment)
    }
}

@main
struct Avisod: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "avisod",
        abstract: "Aviso's daemon: tells victims about their cases, in their language, with their consent.",
        subcommands: [Serve.self, Migrate.self, Check.self, Replies.self, Token.self, Account.self, Audit.self],
        defaultSubcommand: Serve.self)

    /// Runs a subcommand body, turning Aviso's errors into a message and exit code 1.
    static func guarded(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AvisoError {
            FileHandle.standardError.write(Data("avisod: \(error.title): \(error.detail)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Every logger of the process writes through AvisoLogHandler (journal
    /// priorities under systemd, redaction always) at one shared level.
    static func logger(level: String) -> (Logger, LogLevelControl) {
        let control = LogLevelControl(Logger.Level(rawValue: level) ?? .info)
        let style = AvisoLogHandler.style(environment: ProcessInfo.processInfo.environment)
        LoggingSystem.bootstrap { label in AvisoLogHandler(label: label, style: style, control: control) }
        return (Logger(label: "avisod"), control)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP listener, the scheduler and the dispatcher (the default).")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await Avisod.guarded {
            let configuration = try options.load()
            let (logger, level) = Avisod.logger(level: configuration.logLevel)
            for warning in configuration.warnings { logger.warning("\(warning)") }
            let daemon = try Daemon(configuration: configuration, logger: logger, logLevel: level)
            let options = self.options
            try await daemon.run(notify: SystemdNotify(environment: ProcessInfo.processInfo.environment), reload: { try options.load() })
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await Avisod.guarded {
            let configuration = try options.load()
            try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
            let store = try AvisoStore(path: configuration.resolvedDatabasePath, migrate: false)
            let applied = try store.migrate()
            print(applied.isEmpty ? "The database \(store.path) is up to date." : "Applied to \(store.path): \(applied.joined(separator: "; "))")
        }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens on the host (for the first admin, or one locked out).", subcommands: [Create.self, List.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens of a staff account.")
        @OptionGroup var options: ConfigOption
        @Option(help: "The staff account id.") var staff: Int64

        func run() async throws {
            try await Avisod.guarded {
                let store = try AvisoStore(path: try options.load().resolvedDatabasePath)
                for token in try store.tokens(staffId: staff, now: Date()) {
                    print(
                        "token \(token.id)\t\(token.state)\tmade \(token.createdAt)"
                            + (token.expiresAt.map { "\texpires \($0)" } ?? "\tno expiry") + (token.label.map { "\t\($0)" } ?? ""))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once; the access log records it as done on the host.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The token id (avisod token list).") var token: Int64

        func run() async throws {
            try await Avisod.guarded {
                let store = try AvisoStore(path: try options.load().resolvedDatabasePath)
                let view = try store.revokeToken(id: token, by: "host", client: "local", now: Date())
                print("Token \(view.id) of account \(view.staffId) is \(view.state).")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a staff account with an API token (the first admin, for example). The token is printed once.")
        @OptionGroup var options: ConfigOption
        @Option(help: "The account's role.") var role: StaffRole
        @Option(help: "The person's name.") var name: String
        @Option(help: "Languages the person speaks, comma-separated BCP 47 tags (es,en).") var languages: String?

        func run() async throws {
            try await Avisod.guarded {
                let tags = try (languages ?? "").split(separator: ",").map { try LanguageTag(String($0)) }
                let configuration = try options.load()
                try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
                let store = try AvisoStore(path: configuration.resolvedDatabasePath)
                let (account, token) = try store.createStaff(
                    StaffCreate(name: name, role: role, languages: tags), now: Date(), tokenLifetime: configuration.tokenLifetime, actor: "host")
                FileHandle.standardError.write(
                    Data("Created \(role.rawValue) account \(account.id) for \(account.name). Keep this token secret; it is not shown again:\n".utf8))
                print(token)
            }
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Audit the logs.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the hash chains of the contact, consent, access and victim-change logs; name the first broken row.")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await Avisod.guarded {
                let configuration = try options.load()
                let store = try AvisoStore(path: configuration.resolvedDatabasePath, migrate: false)
                let breaks = try store.verifyAuditChains()
                if breaks.isEmpty {
                    print("Every chain is intact: contact_log, consent_records, access_log and victim_changes.")
                } else {
                    for problem in breaks { print("BROKEN: \(problem)") }
                    throw ExitCode(1)
                }
            }
        }
    }
}

struct Account: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Disable or enable a staff account on the host; a disabled account's tokens stop working at once.",
        subcommands: [Disable.self, Enable.self, NewToken.self])

    /// Disables (`--disable`) or enables an account; the access log records it as done on the host.
    static func set(_ staff: Int64, disabled: Bool, options: ConfigOption) async throws {
        try await Avisod.guarded {
            let store = try AvisoStore(path: try options.load().resolvedDatabasePath)
            let view = try store.setDisabled(staffId: staff, disabled, by: "host", client: "local", now: Date())
            print("Account \(view.id) (\(view.name)) is \(disabled ? "disabled" : "enabled").")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a staff account.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The staff account id.") var staff: Int64
        func run() async throws { try await Account.set(staff, disabled: true, options: options) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled staff account.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The staff account id.") var staff: Int64
        func run() async throws { try await Account.set(staff, disabled: false, options: options) }
    }

    struct NewToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token", abstract: "Make a new token for an existing account (an admin who lost theirs); printed once.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The staff account id.") var staff: Int64
        @Option(help: "What the token is for.") var label: String?

        func run() async throws {
            try await Avisod.guarded {
                let configuration = try options.load()
                let store = try AvisoStore(path: configuration.resolvedDatabasePath)
                let view = try store.createToken(
                    staffId: staff, TokenCreate(label: label), defaultLifetime: configuration.tokenLifetime, by: "host", client: "local", now: Date())
                FileHandle.standardError.write(Data("Token \(view.id) for account \(staff). Keep it secret; it is not shown again:\n".utf8))
                print(view.token ?? "")
            }
        }
    }
}

extension StaffRole: ExpressibleByArgument {}
