import Foundation

/// The case of SPEC §5: an armed robbery at 24th and Quincy, two
/// Spanish-speaking victims and one English-speaking one.
extension DaemonProcess {
    static let caseNumber = "KC-2025-004512"

    /// Opens the case and registers its three victims with the consent they
    /// gave; returns each contact point's id by its address as stored.
    @discardableResult
    func registerCase() throws -> [String: Int64] {
        let open = try aviso([
            "case", "open", Self.caseNumber, "--offense", "armed_robbery", "--unit", "Robbery Unit", "--summary", "24th and Quincy",
        ])
        guard open.status == 0 else { throw TestFailure("aviso case open: \(open.stderr)") }
        let victims: [[String]] = [
            ["--name", "José Pérez", "--language", "es", "--phone", "+1 816 555 0142", "--consent", "verbal", "--wording-version", "2026-01"],
            [
                "--name", "Luis Gómez", "--language", "es-MX", "--phone", "+18165550143", "--email", "luis@example.org", "--consent", "verbal",
                "--wording-version", "2026-01",
            ],
            ["--name", "Robert Hill", "--language", "en", "--email", "robert@example.org", "--consent", "written", "--wording-version", "2026-01"],
        ]
        var contactPoints: [String: Int64] = [:]
        for victim in victims {
            let result = try aviso(["victim", "add", Self.caseNumber] + victim + ["--json"])
            guard result.status == 0 else { throw TestFailure("aviso victim add: \(result.stderr)") }
            let view = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            for point in view?["contact_points"] as? [[String: Any]] ?? [] {
                if let address = point["address"] as? String, let id = point["id"] as? Int { contactPoints[address] = Int64(id) }
            }
        }
        return contactPoints
    }

    /// How many messages the spool holds, SMS and email together.
    var spooledCount: Int { spooled("sms").count + spooled("email").count }
}
