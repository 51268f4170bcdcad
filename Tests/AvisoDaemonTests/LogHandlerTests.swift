import AvisoDaemon
import Foundation
import Logging
import Synchronization
import Testing

/// Collects the lines a handler writes.
final class LineSink: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func write(_ line: String) { lines.withLock { $0.append(line) } }
}

func logger(_ style: AvisoLogHandler.Style, level: Logger.Level = .trace) -> (Logger, LineSink, LogLevelControl) {
    let sink = LineSink()
    let control = LogLevelControl(level)
    let logger = Logger(label: "avisod") { label in AvisoLogHandler(label: label, style: style, control: control, write: { sink.write($0) }) }
    return (logger, sink, control)
}

@Suite struct LogHandlerTests {
    @Test func underSystemdEachLineStartsWithItsSyslogPriority() {
        let (log, sink, _) = logger(.journal)
        log.trace("t")
        log.debug("d")
        log.info("i")
        log.notice("n")
        log.warning("w")
        log.error("e")
        log.critical("c")
        #expect(sink.all == ["<7>t\n", "<7>d\n", "<6>i\n", "<5>n\n", "<4>w\n", "<3>e\n", "<2>c\n"])
    }

    @Test func theStyleFollowsWhatSystemdSetInTheEnvironment() {
        #expect(AvisoLogHandler.style(environment: ["JOURNAL_STREAM": "8:12345"]) == .journal)
        #expect(AvisoLogHandler.style(environment: ["INVOCATION_ID": "a1b2"]) == .journal)
        #expect(AvisoLogHandler.style(environment: ["HOME": "/root"]) == .plain)
    }

    @Test func plainLinesCarryTimeLevelLabelAndSortedMetadata() throws {
        let (log, sink, _) = logger(.plain)
        log.notice("handed off", metadata: ["message": "42", "channel": "sms", "reason": "rate limited = 429"])
        let line = try #require(sink.all.first)
        #expect(line.hasSuffix(" notice avisod: handed off channel=sms message=42 reason=\"rate limited = 429\"\n"))
        #expect(line.prefix(4).allSatisfy(\.isNumber) && line.dropFirst(10).hasPrefix("T"))
    }

    @Test func aMultiLineMessageStaysOneJournalEntry() {
        let (log, sink, _) = logger(.journal)
        log.error("reload rejected", metadata: ["reason": "es/arrest.sms.mustache:3: syntax error\nes/welcome.sms.mustache:1: unknown tag"])
        #expect(sink.all.count == 1)
        #expect(sink.all[0].filter { $0 == "\n" }.count == 1)
        #expect(sink.all[0].contains("syntax error | es/welcome"))
    }

    @Test func G8_numbersAndAddressesInsideAnyTextAreMasked() {
        let (log, sink, _) = logger(.journal)
        log.warning(
            "hand-off failed", metadata: ["reason": "The 'To' number +1 816 555 0142 is not valid; bounce from luis.gomez@example.org"])
        let line = sink.all[0]
        #expect(!line.contains("555 0142") && !line.contains("luis.gomez"))
        #expect(line.contains("…42") && line.contains("…@example.org"))
    }

    @Test func theSharedLevelChangesEveryLoggerAtOnce() {
        let (log, sink, control) = logger(.journal, level: .info)
        log.debug("hidden")
        control.level = .debug
        log.debug("shown")
        #expect(sink.all == ["<7>shown\n"])
    }
}
