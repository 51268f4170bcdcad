import AvisoCore
import Foundation
import Glibc
public import Logging
import Synchronization

/// The level every logger of the daemon logs at, changed in one place when a
/// reload changes `log.level`.
public final class LogLevelControl: Sendable {
    private let current: Mutex<Logger.Level>

    public init(_ level: Logger.Level) { current = Mutex(level) }

    public var level: Logger.Level {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

/// One line per event on standard error, `message key=value …` with the
/// metadata sorted by key.
///
/// Under systemd (`$JOURNAL_STREAM` or `$INVOCATION_ID` set) each line starts
/// with its syslog priority (`<3>` error … `<7>` debug) and carries no
/// timestamp, since journald records both; otherwise the line starts with
/// an ISO 8601 time and the level's name.
///
/// Every line passes through `Redact.scrub` (G8): Aviso's own code logs only
/// ids and redacted addresses, and the scrub catches a phone number or email
/// address that arrives inside someone else's text, such as a provider's
/// error message.
public struct AvisoLogHandler: LogHandler {
    public enum Style: Sendable, Equatable {
        /// `2026-03-03T15:00:00.123Z notice avisod: listening address=…`
        case plain
        /// `<5>listening address=…`
        case journal
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let style: Style
    let control: LogLevelControl
    let write: @Sendable (String) -> Void
    /// Set when code sets `logger.logLevel` on one logger; otherwise the shared level applies.
    private var ownLevel: Logger.Level?

    public init(label: String, style: Style, control: LogLevelControl, write: @escaping @Sendable (String) -> Void = AvisoLogHandler.standardError) {
        self.label = label
        self.style = style
        self.control = control
        self.write = write
    }

    /// The style for this process: journal when systemd connected standard error to the journal.
    public static func style(environment: [String: String]) -> Style {
        environment["JOURNAL_STREAM"] != nil || environment["INVOCATION_ID"] != nil ? .journal : .plain
    }

    public var logLevel: Logger.Level {
        get { ownLevel ?? control.level }
        set { ownLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        write(format(level: event.level, message: event.message.description, metadata: merged, at: Date()))
    }

    func format(level: Logger.Level, message: String, metadata: Logger.Metadata, at date: Date) -> String {
        var line: String
        switch style {
        case .journal: line = "<\(Self.priority(level))>"
        case .plain: line = "\(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))) \(level.rawValue) \(label): "
        }
        line += Self.oneLine(message)
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.quoted(Self.oneLine(metadata[key].map { "\($0)" } ?? "")))"
        }
        return Redact.scrub(line) + "\n"
    }

    /// syslog(3) priorities, as journald reads them from a line's `<N>` prefix.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// A line break inside a message would start a journal entry without a priority.
    static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.split(whereSeparator: \.isNewline).joined(separator: " | ")
    }

    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// One `write(2)` per line, so lines from concurrent tasks never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
