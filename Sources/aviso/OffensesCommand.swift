import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

/// `aviso offenses`: what to type after `--offense` and `--charge`, and what victims will read.
struct Offenses: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offenses", abstract: "List the offense codes (for --offense and --charge offense=count) and their wording per language.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Show the wording in this language only (es).") var language: String?

    func run() async throws {
        try await guarded {
            let list: OffenseList = try await options.client().get("/v1/offenses")
            try options.output(list) { list in
                list.offenses.map { offense in
                    let names = offense.names.sorted { $0.key < $1.key }.filter { language == nil || $0.key == language }
                    var lines = [offense.code] + names.map { "  \($0.key): \($0.value)" }
                    if !offense.missing.isEmpty { lines.append("  no wording in: \(offense.missing.joined(separator: ", "))") }
                    return lines.joined(separator: "\n")
                }.joined(separator: "\n")
            }
        }
    }
}
