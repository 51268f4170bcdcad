import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

extension Inbox {
    /// A staff member's decision on a reply flagged "possible opt-out".
    struct OptOut: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "opt-out",
            abstract: "Decide a possible opt-out: --yes opts the number out, --no releases the messages held for it.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The reply's id.") var id: Int64
        @Flag(name: .customLong("yes"), help: "The reply asked to stop: opt the number out and send the confirmation.") var yes = false
        @Flag(name: .customLong("no"), help: "The reply did not ask to stop: routine messages resume.") var no = false

        func validate() throws {
            guard yes != no else { throw ValidationError("Give exactly one of --yes and --no.") }
        }

        func run() async throws {
            try await guarded {
                try await options.client().postNoContent("/v1/inbox/\(id)/opt-out", OptOutDecision(optOut: yes))
                if options.json {
                    print("{\"reply\": \(id), \"opt_out\": \(yes)}")
                } else {
                    print(yes ? "Reply \(id): the number is opted out; the confirmation goes now." : "Reply \(id): not an opt-out; held messages go.")
                }
            }
        }
    }
}

/// How the inbox shows a possible opt-out and its hold.
func possibleOptOutNote(_ reply: InboundView) -> String {
    guard reply.possibleOptOut else { return "" }
    if let until = reply.holdUntil {
        return " · POSSIBLE OPT-OUT: messages held until \(formatDate(until)) (aviso inbox opt-out \(reply.id) --yes|--no)"
    }
    return " · possible opt-out" + (reply.holdResolution.map { " (\($0.replacingOccurrences(of: "_", with: " ")))" } ?? "")
}
