import AvisoCore
import AvisoTesting
import Foundation
import Testing

@Suite struct QuietHoursTests {
    let window = DaytimeWindow.default

    @Test func daytimeSendsAtOnce() {
        let noon = instant("2026-06-10T12:00")
        #expect(window.earliestSend(at: noon, in: chicago, urgent: false) == noon)
    }

    @Test func nightWaitsForEightInTheMorningVictimLocal() {
        #expect(window.earliestSend(at: instant("2026-06-10T22:30"), in: chicago, urgent: false) == instant("2026-06-11T08:00"))
        #expect(window.earliestSend(at: instant("2026-06-11T03:10"), in: chicago, urgent: false) == instant("2026-06-11T08:00"))
        #expect(window.earliestSend(at: instant("2026-06-11T21:00"), in: chicago, urgent: false) == instant("2026-06-12T08:00"))
    }

    @Test func urgentEventsIgnoreQuietHours() {
        let night = instant("2026-06-10T23:45")
        #expect(window.earliestSend(at: night, in: chicago, urgent: true) == night)
    }

    @Test func springForwardNightStillOpensAtEightLocal() {
        // 2026-03-08: Chicago skips 02:00–03:00. 22:00 CST on the 7th → 08:00 CDT on the 8th = 13:00 UTC.
        let opened = window.earliestSend(at: instant("2026-03-07T22:00"), in: chicago, urgent: false)
        #expect(opened == instant("2026-03-08T13:00:00Z", in: .gmt))
        #expect(opened.timeIntervalSince(instant("2026-03-07T22:00")) == 9 * 3600)
    }

    @Test func fallBackNightStillOpensAtEightLocal() {
        // 2026-11-01: Chicago repeats 01:00–02:00. 22:00 CDT on Oct 31 → 08:00 CST = 14:00 UTC, 11 hours later.
        let opened = window.earliestSend(at: instant("2026-10-31T22:00"), in: chicago, urgent: false)
        #expect(opened == instant("2026-11-01T14:00:00Z", in: .gmt))
        #expect(opened.timeIntervalSince(instant("2026-10-31T22:00")) == 11 * 3600)
    }

    @Test func aWindowOpeningInsideTheDSTGapOpensAfterTheGap() {
        let early = DaytimeWindow(startMinute: 2 * 60 + 30, endMinute: 21 * 60)
        let opened = early.earliestSend(at: instant("2026-03-07T23:00"), in: chicago, urgent: false)
        // 02:30 does not exist on 2026-03-08; the first instant after the gap is 03:00 CDT (08:00 UTC).
        #expect(opened == instant("2026-03-08T08:00:00Z", in: .gmt))
    }

    @Test func aVictimInAnotherZoneGetsTheirOwnMorning() {
        let manila = TimeZone(identifier: "Asia/Manila")!
        // 10:00 in Chicago (CDT, UTC-5) is 23:00 in Manila: wait for 08:00 Manila = 19:00 Chicago.
        let sendAt = window.earliestSend(at: instant("2026-06-10T10:00"), in: manila, urgent: false)
        #expect(sendAt == instant("2026-06-11T08:00", in: manila))
        #expect(sendAt == instant("2026-06-10T19:00"))
    }

    @Test func windowBoundsAreValidated() throws {
        #expect(throws: AvisoError.self) { try DaytimeWindow(start: "21:00", end: "08:00") }
        #expect(throws: AvisoError.self) { try DaytimeWindow(start: "8am", end: "21:00") }
        #expect(try DaytimeWindow(start: "00:00", end: "24:00") == DaytimeWindow(startMinute: 0, endMinute: 1440))
    }
}
