import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

/// `aviso staff tokens|token|revoke-token|disable|enable`: the life of an
/// account and its tokens. Administrators act on any account; everyone may
/// list and revoke their own tokens (`aviso staff tokens` with no id).
struct StaffTokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "List an account's API tokens (admin), or your own without an id.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The staff account id (aviso staff list); omit it for your own tokens.") var staff: Int64?

    func run() async throws {
        try await guarded {
            let list: TokenList = try await options.client().get(staff.map { "/v1/staff/\($0)/tokens" } ?? "/v1/me/tokens")
            try options.output(list) { list in
                list.tokens.isEmpty
                    ? "No tokens."
                    : list.tokens.map { token in
                        var line = "token \(token.id)\t\(token.state)\tmade \(formatDate(token.createdAt))"
                        if let expires = token.expiresAt { line += "\texpires \(formatDate(expires))" }
                        if let label = token.label { line += "\t\(label)" }
                        return line
                    }.joined(separator: "\n")
            }
        }
    }
}

struct StaffNewToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Make a new API token for an account (admin); it is printed once.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The staff account id.") var staff: Int64
    @Option(help: "What the token is for (laptop, console).") var label: String?
    @Option(help: "Days until it expires (default: the daemon's auth.token_lifetime_days).") var days: Int?

    func run() async throws {
        try await guarded {
            let view: TokenView = try await options.client().post(
                "/v1/staff/\(staff)/tokens", TokenCreate(label: label, lifetimeDays: days))
            if options.json {
                try options.output(view) { _ in "" }
            } else {
                let expiry = view.expiresAt.map { ", expires \(formatDate($0))" } ?? ""
                FileHandle.standardError.write(
                    Data("Token \(view.id) for account \(staff)\(expiry). Keep it secret; it is not shown again:\n".utf8))
                print(view.token ?? "")
            }
        }
    }
}

struct StaffRevokeToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-token", abstract: "Revoke an API token at once (admin, or your own token).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The token id (aviso staff tokens).") var token: Int64

    func run() async throws {
        try await guarded {
            let view: TokenView = try await options.client().post("/v1/tokens/\(token)/revoke", [String: String]())
            try options.output(view) { "Token \($0.id) of account \($0.staffId) is \($0.state)." }
        }
    }
}

struct StaffDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an account (admin): every one of its tokens stops working at once.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The staff account id.") var staff: Int64

    func run() async throws {
        try await guarded {
            let view: StaffView = try await options.client().post("/v1/staff/\(staff)/disable", [String: String]())
            try options.output(view) { "Account \($0.id) (\($0.name)) is disabled." }
        }
    }
}

struct StaffEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Enable a disabled account again (admin); its unexpired, unrevoked tokens work again.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The staff account id.") var staff: Int64

    func run() async throws {
        try await guarded {
            let view: StaffView = try await options.client().post("/v1/staff/\(staff)/enable", [String: String]())
            try options.output(view) { "Account \($0.id) (\($0.name)) is enabled." }
        }
    }
}

struct AccessLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access-log",
        abstract: "Show the access log (supervisor, auditor): who read or changed what, when, from where, with what outcome.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this actor's rows (staff:3).") var actor: String?
    @Option(help: "Only rows from this instant on, with its offset (2026-06-10T08:00:00-05:00).") var since: String?
    @Option(help: "Only rows after this id (to continue where the last call ended).") var after: Int64?
    @Option(help: "At most this many rows (1 to 10000).") var limit: Int = 1000

    func run() async throws {
        try await guarded {
            var query = ["limit=\(limit)"]
            if let actor { query.append("actor=\(APIClient.segment(actor))") }
            if let since { query.append("since=\(APIClient.segment(since))") }
            if let after { query.append("after=\(after)") }
            let list: AccessLogList = try await options.client().get("/v1/access-log?" + query.joined(separator: "&"))
            try options.output(list) { list in
                list.entries.map {
                    "\($0.id)\t\(formatDate($0.at))\t\($0.actor)\t\($0.action)\t\($0.object ?? "-")\t\($0.client ?? "-")\t\($0.outcome)"
                }
                .joined(separator: "\n")
            }
        }
    }
}
