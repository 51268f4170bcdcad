import AvisoCore
import AvisoFuzzChecks
import AvisoTesting
import Foundation
import Testing

/// Every input a fuzzer ever found (Tests/Fuzz/findings/<target>/) runs again
/// through the same checks, so a fixed crash stays fixed.
@Suite struct FuzzRegressionTests {
    static func findings() throws -> [(target: String, file: URL)] {
        let root = repositoryRoot.appendingPathComponent("Tests/Fuzz/findings")
        var found: [(String, URL)] = []
        for target in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let folder = root.appendingPathComponent(target)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where !file.hasPrefix(".") {
                found.append((target, folder.appendingPathComponent(file)))
            }
        }
        return found
    }

    @Test func everyFindingPassesItsTargetsChecks() throws {
        let findings = try Self.findings()
        #expect(findings.count >= 3)
        for (target, file) in findings {
            #expect(FuzzChecks.targets.contains(target), "Tests/Fuzz/findings/\(target) names no fuzz target")
            // A crash here stops the test process: the run fails, naming this test.
            FuzzChecks.run(target, try Data(contentsOf: file))
        }
    }

    /// The first finding: a body of a NUL byte, a digit and an unbalanced brace crashed the duplicate-key scan.
    @Test func aBodyWithAControlCharacterIsRefusedNamingIt() {
        #expect(throws: AvisoError.self) { try StrictJSON.decode(CaseCreate.self, from: Data([0x00, 0x33, 0x7D])) }
        do {
            _ = try StrictJSON.decode(CaseCreate.self, from: Data("{\"number\": \"KC\u{1}1\"}".utf8))
            Issue.record("a raw control character in a string was accepted")
        } catch {
            #expect(error.detail.contains("0x01"))
        }
    }

    /// The second: a combining mark left behind by a dropped character landed on a letter, and a second normalization folded it away.
    @Test func normalizingAReplyIsIdempotent() {
        for text in ["ng\u{0305}\u{5}\u{0}?g\u{3cf}3", "a\u{1}\u{0301}b", "STOP\u{0308}", "¿Cuándo?"] {
            let once = KeywordBook.normalize(text)
            #expect(KeywordBook.normalize(once) == once, "\(text.debugDescription) → \(once.debugDescription)")
        }
        #expect(KeywordBook.normalize("Sí, ALTO") == "si alto")
    }
}
