import AvisoTesting
import Foundation
import Glibc
import Testing

/// The test helper that runs real peers must stop a hung peer, or one hung tool hangs the suite.
@Suite struct RunToolTests {
    @Test func aToolThatHangsIsKilledWithWhatItStartedAndTheErrorSaysSo() throws {
        let directory = try temporaryDirectory("runtool")
        let pidFile = directory.appendingPathComponent("child.pid").path
        let started = ContinuousClock.now
        #expect {
            _ = try runTool("sh", ["-c", "sleep 300 & echo $! > '\(pidFile)'; wait"], timeout: 1)
        } throws: { error in
            (error as? ToolError)?.description.contains("did not finish within 1.0 s and was killed") == true
        }
        #expect(ContinuousClock.now - started < .seconds(20), "runTool waited for the hung tool")
        let child = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The background child was in the tool's process group and was killed with it (reaped by init).
        var gone = false
        for _ in 0..<100 where !gone {
            gone = kill(child, 0) != 0 || (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.contains(") Z ") == true
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the hung tool's child \(child) is still running")
    }

    @Test func aToolThatFinishesReturnsWhatItPrintedAndReadsItsInput() throws {
        #expect(try runTool("cat", [], input: "línea uno\nline two\n") == "línea uno\nline two\n")
        #expect(try runTool("echo", ["ok"]) == "ok\n")
    }

    @Test func aToolThatFailsSaysWhatItPrintedOnStandardError() throws {
        #expect {
            _ = try runTool("sh", ["-c", "echo broken >&2; exit 3"])
        } throws: { error in
            let text = (error as? ToolError)?.description ?? ""
            return text.contains("status 3") && text.contains("broken")
        }
    }
}
