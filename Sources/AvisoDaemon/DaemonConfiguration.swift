public import AvisoCore
public import Foundation

/// avisod's settings: a `key = value` file in the manner of Postfix's
/// main.cf (Config/avisod.conf documents every key), each key overridable by
/// an environment variable: `http.port` by `AVISO_HTTP_PORT`. An unknown key,
/// or a value that does not parse, stops the daemon with the file and line.
public struct DaemonConfiguration: Sendable {
    public var stateDirectory: String = "/var/lib/aviso"
    public var databasePath: String?
    public var templatesDirectory: String = "/usr/share/aviso/templates"
    public var httpAddress: String = "127.0.0.1"
    public var httpPort: Int = 8750
    public var departmentPhone: String = "+1 816 234 5000"
    public var departmentZone: TimeZone = TimeZone(identifier: "America/Chicago")!
    public var daytime: DaytimeWindow = .default
    public var reminderDays: [Int] = [7, 1]
    public var reminderMinute: Int = 10 * 60
    public var batchSize: Int = 200
    public var concurrency: Int = 32
    public var pollInterval: Duration = .seconds(1)
    public var retry = RetryPolicy()
    public var shutdownGrace: Duration = .seconds(10)
    public var messageLifetime: TimeInterval = 72 * 3600
    public var smsGateway: String = "spool"
    public var emailGateway: String = "spool"
    public var spoolDirectory: String?
    public var smsFrom: String = "+18165550100"
    public var emailFromAddress: String = "avisos@kcpd.example"
    public var emailFromName: String = "Kansas City Police Department"
    /// The mailbox a victim's email reply goes to (`Reply-To`); Aviso reads no mail, so staff read it there.
    public var emailReplyTo: String?
    public var logLevel: String = "info"
    public var publicURL: String = "http://127.0.0.1:8750"
    public var smartEncoding = false
    public var smsWarnSegments = 4
    public var twilio = TwilioConfiguration()
    public var smtp = SMTPConfiguration()
    public var unsubscribeMailto: String?
    /// Days after a case closes before its message bodies and its victims' contact details are purged.
    public var retentionDays = 365
    /// Refuse to queue messages from templates no qualified translator signed.
    public var requireReview = false
    /// How long routine messages wait after a possible opt-out before it counts as one.
    public var possibleOptOutHold: TimeInterval = 24 * 3600
    /// How long a new API token works.
    public var tokenLifetime: TimeInterval = 90 * 86_400
    /// A connection that sends no complete request (or lies idle between requests) this long is closed.
    public var idleTimeout: Duration = .seconds(15)
    /// Take the client's address from X-Forwarded-For (set only behind a reverse proxy that writes it).
    public var trustForwardedFor = false
    /// Which updates wait for a second person's approval.
    public var approval = ApprovalPolicy()
    /// The configuration file these settings were read from; nil when none was (built-in defaults and the environment).
    public var file: String?
    /// The `AVISO_*` variables that overrode a key.
    public var overrides: [String] = []
    /// Settings that work but are probably a mistake (`avisod check` prints them, `serve` logs them).
    public var warnings: [String] = []

    public init() {}

    /// The database file: `database.path`, or `aviso.sqlite` in the state directory.
    public var resolvedDatabasePath: String { databasePath ?? stateDirectory + "/aviso.sqlite" }
    /// The spool directory: `spool.directory`, or `spool` in the state directory.
    public var resolvedSpoolDirectory: String { spoolDirectory ?? stateDirectory + "/spool" }

    public var policy: MessagePolicy {
        MessagePolicy(
            daytime: daytime, reminderDays: reminderDays, reminderMinute: reminderMinute, contactPhone: departmentPhone,
            departmentZone: departmentZone,
            smartEncoding: smartEncoding, requireReview: requireReview, possibleOptOutHold: possibleOptOutHold, smsWarnSegments: smsWarnSegments)
    }

    static let keys: [String] = [
        "state_directory", "database.path", "templates.directory", "http.address", "http.port", "department.phone", "department.time_zone",
        "quiet_hours.day_starts", "quiet_hours.day_ends", "reminders.days_before", "reminders.time", "dispatch.batch_size",
        "dispatch.concurrency", "dispatch.poll_interval_ms", "dispatch.max_attempts", "dispatch.retry_base_seconds",
        "dispatch.retry_max_seconds", "shutdown.grace_seconds", "messages.lifetime_hours", "gateway.sms", "gateway.email", "spool.directory",
        "sms.from",
        "email.from_address", "email.from_name", "email.reply_to", "log.level", "http.public_url", "sms.smart_encoding", "sms.warn_segments",
        "email.unsubscribe_mailto",
        "twilio.base_url", "twilio.account_sid", "twilio.from", "twilio.messaging_service_sid", "twilio.rate_per_second",
        "twilio.timeout_seconds", "twilio.auth_token_file", "smtp.host", "smtp.port", "smtp.security", "smtp.username", "smtp.password_file",
        "smtp.ca_file", "smtp.timeout_seconds", "smtp.connections", "retention.days_after_close", "templates.require_review",
        "inbound.possible_opt_out_hold_hours", "auth.token_lifetime_days", "http.idle_timeout_seconds", "http.trust_forwarded_for",
        "approval.events", "approval.recipients_over", "approval.urgent_skips",
    ]

    /// The environment variable that overrides `key`.
    public static func environmentName(_ key: String) -> String {
        "AVISO_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// `AVISO_*` variables that are not keys: the daemon's own (the
    /// configuration file, the secrets) and those of the `aviso` client, the
    /// build and the tests, which an administrator's shell may hold as well.
    static let otherVariables: Set<String> = [
        "AVISO_CONFIG", "AVISO_TWILIO_AUTH_TOKEN", "AVISO_SMTP_PASSWORD", "AVISO_URL", "AVISO_TOKEN", "AVISO_TOKEN_FILE", "AVISO_CLIENT_CONFIG",
        "AVISO_TEST_PYTHON", "AVISO_CCURL_SHIM_H",
    ]

    /// The key closest in spelling to `name` (a key or an environment variable's name).
    static func closestKey(to name: String) -> String {
        let isVariable = name.hasPrefix("AVISO_")
        return keys.min {
            editDistance(name, isVariable ? environmentName($0) : $0) < editDistance(name, isVariable ? environmentName($1) : $1)
        } ?? keys[0]
    }

    /// Levenshtein distance, by characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased())
        let b = Array(b.lowercased())
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Reads the file at `path` (when given), then the environment's overrides.
    /// An `AVISO_*` variable that overrides no key is an error, as an unknown
    /// key in the file is: a misspelled override must not be silently ignored.
    public static func load(path: String?, environment: [String: String]) throws(AvisoError) -> DaemonConfiguration {
        let variables = Set(keys.map(environmentName))
        for name in environment.keys.sorted() where name.hasPrefix("AVISO_") && !variables.contains(name) && !otherVariables.contains(name) {
            let closest = closestKey(to: name)
            throw .init(
                .configuration, title: "Invalid configuration",
                detail:
                    "environment variable \(name): no configuration key is called that. Did you mean \(environmentName(closest)) (\(closest))? Every key is listed in avisod.conf."
            )
        }
        var values: [String: (value: String, origin: String)] = [:]
        if let path {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw .init(
                    .configuration, title: "Configuration unreadable",
                    detail: "Cannot read the configuration file \(path): \(error.localizedDescription)")
            }
            for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let origin = "\(path):\(index + 1)"
                let line = rawLine.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") { continue }
                guard let eq = line.firstIndex(of: "=") else {
                    throw .init(.configuration, title: "Invalid configuration", detail: "\(origin): expected 'key = value', found '\(line)'.")
                }
                let key = line[..<eq].trimmingCharacters(in: .whitespaces)
                guard keys.contains(key) else {
                    throw .init(
                        .configuration, title: "Invalid configuration",
                        detail:
                            "\(origin): unknown key '\(key)'. Did you mean '\(closestKey(to: key))'? Every key is listed in the example avisod.conf.")
                }
                values[key] = (line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces), origin)
            }
        }
        for key in keys {
            let name = environmentName(key)
            if let value = environment[name] { values[key] = (value, "environment variable \(name)") }
        }
        var config = DaemonConfiguration()
        config.file = path
        config.overrides = keys.map(environmentName).filter { environment[$0] != nil }
        for (key, entry) in values.sorted(by: { $0.key < $1.key }) where !entry.value.isEmpty {
            do {
                try config.apply(key: key, value: entry.value)
            } catch {
                throw .init(.configuration, title: "Invalid configuration", detail: "\(entry.origin): \(key): \(error.detail)")
            }
        }
        try config.validate()
        return config
    }

    mutating func apply(key: String, value: String) throws(AvisoError) {
        func bool() throws(AvisoError) -> Bool {
            switch value.lowercased() {
            case "on", "yes", "true": return true
            case "off", "no", "false": return false
            default: throw .invalid(key, "'\(value)' is not on or off.")
            }
        }
        func int(_ range: ClosedRange<Int>) throws(AvisoError) -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw .invalid(key, "'\(value)' is not a whole number from \(range.lowerBound) to \(range.upperBound).")
            }
            return number
        }
        switch key {
        case "state_directory": stateDirectory = value
        case "database.path": databasePath = value
        case "templates.directory": templatesDirectory = value
        case "http.address": httpAddress = value
        case "http.port": httpPort = try int(0...65535)
        case "department.phone":
            // Templates show it as written ("+1 816 234 5000"); it must still be a number a victim can call.
            _ = try PhoneNumber(value)
            departmentPhone = value
        case "department.time_zone": departmentZone = try validTimeZone(value)
        case "quiet_hours.day_starts": daytime = DaytimeWindow(startMinute: try DaytimeWindow.parse(value, field: key), endMinute: daytime.endMinute)
        case "quiet_hours.day_ends": daytime = DaytimeWindow(startMinute: daytime.startMinute, endMinute: try DaytimeWindow.parse(value, field: key))
        case "reminders.days_before":
            var days: [Int] = []
            for part in value.split(separator: ",") {
                guard let day = Int(part.trimmingCharacters(in: .whitespaces)), (1...60).contains(day) else {
                    throw .invalid(key, "'\(value)' is not a list of days from 1 to 60, like '7, 1'.")
                }
                days.append(day)
            }
            reminderDays = days
        case "reminders.time": reminderMinute = try DaytimeWindow.parse(value, field: key)
        case "dispatch.batch_size": batchSize = try int(1...10_000)
        case "dispatch.concurrency": concurrency = try int(1...1024)
        case "dispatch.poll_interval_ms": pollInterval = .milliseconds(try int(10...60_000))
        case "dispatch.max_attempts": retry.maxAttempts = try int(1...100)
        case "dispatch.retry_base_seconds": retry.baseDelay = TimeInterval(try int(1...86_400))
        case "dispatch.retry_max_seconds": retry.maxDelay = TimeInterval(try int(1...604_800))
        case "shutdown.grace_seconds": shutdownGrace = .seconds(try int(0...600))
        case "messages.lifetime_hours": messageLifetime = TimeInterval(try int(1...24 * 60)) * 3600
        case "inbound.possible_opt_out_hold_hours": possibleOptOutHold = TimeInterval(try int(1...24 * 14)) * 3600
        case "gateway.sms":
            guard ["spool", "twilio"].contains(value) else { throw .invalid(key, "'\(value)' is not an SMS gateway. Available: spool, twilio.") }
            smsGateway = value
        case "gateway.email":
            guard ["spool", "smtp"].contains(value) else { throw .invalid(key, "'\(value)' is not an email gateway. Available: spool, smtp.") }
            emailGateway = value
        case "http.public_url":
            let (url, warning) = try Self.publicURL(value)
            publicURL = url
            if let warning { warnings.append(warning) }
        case "sms.smart_encoding": smartEncoding = try bool()
        case "auth.token_lifetime_days": tokenLifetime = TimeInterval(try int(1...3650)) * 86_400
        case "http.idle_timeout_seconds": idleTimeout = .seconds(try int(1...3600))
        case "http.trust_forwarded_for": trustForwardedFor = try bool()
        case "approval.events":
            var events: Set<Event> = []
            for name in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let event = Event(rawValue: name), event.isQueueable else {
                    throw AvisoError(
                        .configuration, title: "Invalid configuration",
                        detail:
                            "approval.events: '\(name)' is not an event staff queue. Events: \(Event.queueable.map(\.rawValue).joined(separator: ", "))."
                    )
                }
                events.insert(event)
            }
            approval.events = events
        case "approval.recipients_over":
            let count = try int(0...10_000_000)
            approval.recipientsOver = count == 0 ? nil : count
        case "approval.urgent_skips": approval.urgentSkips = try bool()
        case "sms.warn_segments": smsWarnSegments = try int(1...20)
        case "email.unsubscribe_mailto": unsubscribeMailto = try EmailAddress(value).address
        case "twilio.base_url":
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw .invalid(key, "'\(value)' is not an http(s) URL like https://api.twilio.com.")
            }
            twilio.baseURL = value
        case "twilio.account_sid": twilio.accountSid = value
        case "twilio.from": twilio.from = try PhoneNumber(value).e164
        case "twilio.messaging_service_sid": twilio.messagingServiceSid = value
        case "twilio.rate_per_second": twilio.ratePerSecond = Double(try int(1...100_000))
        case "twilio.timeout_seconds": twilio.timeout = Int64(try int(1...300))
        case "twilio.auth_token_file": twilio.authTokenFile = value
        case "smtp.host": smtp.host = value
        case "smtp.port": smtp.port = try int(1...65535)
        case "smtp.security":
            guard let security = SMTPSecurityName(rawValue: value) else {
                throw .invalid(
                    key, "'\(value)' is not an SMTP security mode: starttls (required, never plain text) or implicit (TLS from the first byte).")
            }
            smtp.security = security
        case "smtp.username": smtp.username = value
        case "smtp.password_file": smtp.passwordFile = value
        case "smtp.ca_file": smtp.caFile = value
        case "smtp.timeout_seconds": smtp.timeout = try int(1...600)
        case "smtp.connections": smtp.connections = try int(1...64)
        case "retention.days_after_close": retentionDays = try int(1...36_500)
        case "templates.require_review": requireReview = try bool()
        case "spool.directory": spoolDirectory = value
        case "sms.from": smsFrom = try PhoneNumber(value).e164
        case "email.from_address": emailFromAddress = try EmailAddress(value).address
        case "email.from_name": emailFromName = value
        case "email.reply_to": emailReplyTo = try EmailAddress(value).address
        case "log.level":
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(value) else {
                throw .invalid(key, "'\(value)' is not a log level: trace, debug, info, notice, warning, error or critical.")
            }
            logLevel = value
        default: throw .invalid(key, "unknown key")
        }
    }

    /// `http.public_url` as webhook signatures and unsubscribe links need it:
    /// an absolute http(s) URL without query, fragment or credentials, its path
    /// prefix kept and its trailing slashes removed, since Aviso appends
    /// `/webhooks/twilio/status` to it. Plain http is a warning outside loopback.
    static func publicURL(_ value: String) throws(AvisoError) -> (url: String, warning: String?) {
        let allowed = "an absolute http or https URL with a host and no query, such as https://aviso.kcpd.example or https://kcpd.example/aviso"
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw .invalid("http.public_url", "'\(value)' is not \(allowed).")
        }
        guard components.query == nil, components.fragment == nil, components.user == nil, components.password == nil else {
            throw .invalid("http.public_url", "'\(value)' has a query, a fragment or credentials; it must be \(allowed).")
        }
        var url = value
        while url.hasSuffix("/") { url.removeLast() }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "[::1]" || host == "::1"
        let warning =
            scheme == "http" && !loopback
            ? "http.public_url \(url) is plain http on a host other than loopback: the provider's webhooks and victims' unsubscribe links would cross the network unencrypted. Put a TLS proxy in front and use https."
            : nil
        return (url, warning)
    }

    /// Minutes after midnight as HH:MM.
    public static func clockTime(_ minute: Int) -> String {
        let hours = String(minute / 60)
        let minutes = String(minute % 60)
        return String(repeating: "0", count: 2 - hours.count) + hours + ":" + String(repeating: "0", count: 2 - minutes.count) + minutes
    }

    func validate() throws(AvisoError) {
        if smsGateway == "twilio" {
            guard !twilio.accountSid.isEmpty else {
                throw .init(.configuration, title: "Invalid configuration", detail: "gateway.sms is twilio: set twilio.account_sid.")
            }
            guard twilio.from != nil || twilio.messagingServiceSid != nil else {
                throw .init(
                    .configuration, title: "Invalid configuration",
                    detail: "gateway.sms is twilio: set twilio.from (the sending number) or twilio.messaging_service_sid.")
            }
        }
        if emailGateway == "smtp", smtp.host.isEmpty {
            throw .init(.configuration, title: "Invalid configuration", detail: "gateway.email is smtp: set smtp.host.")
        }
        guard daytime.startMinute < daytime.endMinute else {
            throw .init(
                .configuration, title: "Invalid configuration",
                detail:
                    "quiet_hours.day_starts (\(Self.clockTime(daytime.startMinute))) must be before quiet_hours.day_ends (\(Self.clockTime(daytime.endMinute))), like 08:00 and 21:00."
            )
        }
        guard retry.baseDelay <= retry.maxDelay else {
            throw .init(
                .configuration, title: "Invalid configuration",
                detail:
                    "dispatch.retry_base_seconds (\(Int(retry.baseDelay))) must not exceed dispatch.retry_max_seconds (\(Int(retry.maxDelay))).")
        }
    }
}

public enum SMTPSecurityName: String, Sendable {
    case starttls
    case implicit
}

/// The Twilio-compatible SMS gateway's settings; the auth token is a secret, read apart.
public struct TwilioConfiguration: Sendable {
    public var baseURL = "https://api.twilio.com"
    public var accountSid = ""
    public var from: String?
    public var messagingServiceSid: String?
    public var ratePerSecond: Double = 10
    public var timeout: Int64 = 15
    public var authTokenFile: String?
}

/// The SMTP gateway's settings; the password is a secret, read apart.
public struct SMTPConfiguration: Sendable {
    public var host = ""
    public var port = 587
    public var security = SMTPSecurityName.starttls
    public var username: String?
    public var passwordFile: String?
    public var caFile: String?
    public var timeout = 60
    public var connections = 4
}

extension DaemonConfiguration {
    /// Keys read once at start: the listener, the store, the dispatcher and
    /// the gateways are built from them. A reload that changes one says it
    /// needs a restart and leaves it as it was; everything else (templates,
    /// department, quiet hours, reminders, message lifetime, log level) a
    /// reload applies.
    static let restartOnlyKeys: [(key: String, value: @Sendable (DaemonConfiguration) -> String)] = [
        ("state_directory", { $0.stateDirectory }), ("database.path", { $0.resolvedDatabasePath }), ("http.address", { $0.httpAddress }),
        ("http.port", { "\($0.httpPort)" }), ("dispatch.batch_size", { "\($0.batchSize)" }), ("dispatch.concurrency", { "\($0.concurrency)" }),
        ("dispatch.poll_interval_ms", { "\($0.pollInterval)" }), ("dispatch.max_attempts", { "\($0.retry.maxAttempts)" }),
        ("dispatch.retry_base_seconds", { "\($0.retry.baseDelay)" }), ("dispatch.retry_max_seconds", { "\($0.retry.maxDelay)" }),
        ("shutdown.grace_seconds", { "\($0.shutdownGrace)" }), ("gateway.sms", { $0.smsGateway }), ("gateway.email", { $0.emailGateway }),
        ("spool.directory", { $0.resolvedSpoolDirectory }), ("sms.from", { $0.smsFrom }), ("email.from_address", { $0.emailFromAddress }),
        ("email.from_name", { $0.emailFromName }), ("http.public_url", { $0.publicURL }), ("twilio.base_url", { $0.twilio.baseURL }),
        ("twilio.account_sid", { $0.twilio.accountSid }), ("twilio.from", { $0.twilio.from ?? "" }),
        ("twilio.messaging_service_sid", { $0.twilio.messagingServiceSid ?? "" }), ("twilio.rate_per_second", { "\($0.twilio.ratePerSecond)" }),
        ("smtp.host", { $0.smtp.host }), ("smtp.port", { "\($0.smtp.port)" }), ("smtp.security", { $0.smtp.security.rawValue }),
        ("smtp.username", { $0.smtp.username ?? "" }), ("retention.days_after_close", { "\($0.retentionDays)" }),
        ("email.unsubscribe_mailto", { $0.unsubscribeMailto ?? "" }), ("email.reply_to", { $0.emailReplyTo ?? "" }),
    ]

    /// The keys whose value differs from `running` and that only a restart applies.
    public func restartOnlyChanges(from running: DaemonConfiguration) -> [String] {
        Self.restartOnlyKeys.filter { $0.value(self) != $0.value(running) }.map(\.key)
    }
}
