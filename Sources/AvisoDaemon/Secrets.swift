public import AvisoCore
import Foundation

/// Gateway secrets: never in the configuration file. Read, in order, from the
/// file a `*_file` key names, from systemd's credentials directory
/// (`LoadCredential=twilio-auth-token:…` → `$CREDENTIALS_DIRECTORY/twilio-auth-token`),
/// or from an environment variable. Their values never reach a log, an error or the API.
public enum Secrets {
    /// Reads the secret `name` (`twilio-auth-token`, `smtp-password`).
    public static func read(_ name: String, file: String?, environment: [String: String]) throws(AvisoError) -> String? {
        var candidates: [String] = []
        if let file { candidates.append(file) }
        if let directory = environment["CREDENTIALS_DIRECTORY"] { candidates.append(directory + "/" + name) }
        for path in candidates where FileManager.default.fileExists(atPath: path) || path == file {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw .init(.configuration, title: "Secret unreadable", detail: "Cannot read the secret '\(name)' from \(path): check that the file exists and is readable by the daemon.")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw .init(.configuration, title: "Secret empty", detail: "The secret file \(path) for '\(name)' is empty.") }
            return value
        }
        let variable = "AVISO_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }
}
