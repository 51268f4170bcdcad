public import AvisoCore
import Foundation

/// Gateway secrets: never in the configuration file. Read, in order, from the
/// file a `*_file` key names, from systemd's credentials directory
/// (`LoadCredential=twilio-auth-token:…` → `$CREDENTIALS_DIRECTORY/twilio-auth-token`),
/// or from an environment variable (`AVISO_TWILIO_AUTH_TOKEN`). Their values
/// never reach a log, an error or the API.
///
/// The shipped unit loads each credential from `/etc/aviso/credentials/<name>`,
/// which `make install` creates empty: an empty credential means "not set", so
/// a daemon that needs no secret still starts.
public enum Secrets {
    /// Reads the secret `name` (`twilio-auth-token`, `smtp-password`); nil when not set.
    public static func read(_ name: String, file: String?, environment: [String: String]) throws(AvisoError) -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw .init(
                    .configuration, title: "Secret unreadable",
                    detail: "Cannot read the secret '\(name)' from \(file): check that the file exists and is readable by the daemon.")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                throw .init(.configuration, title: "Secret empty", detail: "The secret file \(file) for '\(name)' is empty.")
            }
            return value
        }
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
            let data = FileManager.default.contents(atPath: directory + "/" + name), let text = String(data: data, encoding: .utf8)
        {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { return value }
        }
        let variable = "AVISO_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }
}
