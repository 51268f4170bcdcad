public import AvisoCore
import Foundation

/// Secrets (gateway passwords and tokens) never live in avisod.conf: systemd
/// copies each one from a root-only file into a private directory for the
/// service (`LoadCredential=` in the unit, `$CREDENTIALS_DIRECTORY` here).
/// A secret is a file named for what it is: `twilio-auth-token`,
/// `smtp-password`.
///
/// The shipped unit lists each credential with an empty default
/// (`/etc/aviso/credentials/<name>`, created empty by `make install`), so an
/// empty file means "not set" and a daemon that needs no secret still starts.
public struct Credentials: Sendable {
    public let directory: String?

    public init(environment: [String: String]) {
        directory = environment["CREDENTIALS_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The secret `name`, without a trailing line break; nil when absent or empty.
    public func secret(_ name: String) -> String? {
        guard let directory else { return nil }
        let path = directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The secret `name`, or an error that says where an administrator puts it.
    public func require(_ name: String, for purpose: String) throws(AvisoError) -> String {
        if let value = secret(name) { return value }
        throw AvisoError(
            .configuration, title: "Missing credential",
            detail:
                "\(purpose) needs the credential '\(name)'. Put it in /etc/aviso/credentials/\(name) (owner root, mode 0600), then run 'systemctl restart avisod'. Outside systemd, set CREDENTIALS_DIRECTORY to a directory holding a file named \(name)."
        )
    }
}
