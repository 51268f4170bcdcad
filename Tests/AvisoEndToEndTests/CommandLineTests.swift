import AvisoTesting
import Foundation
import Testing

/// The two command lines follow one convention (README, "Exit codes" and
/// "--json"): 0 done, 1 failed, 64 usage; results on standard output; each
/// default shown once. The commands are read from the binaries themselves
/// (ArgumentParser's --experimental-dump-help), not from a list kept here.
extension EndToEnd {
    @Suite struct CommandLineTests {
        struct Command {
            var path: [String]
            var arguments: [[String: Any]]
        }

        /// Every command that runs something (no subcommands of its own), with its arguments.
        static func leafCommands(_ tool: String) throws -> [Command] {
            let dump = try DaemonProcess.execute(try DaemonProcess.binary(tool), ["--experimental-dump-help"])
            let root = try #require((try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])?["command"] as? [String: Any])
            var leaves: [Command] = []
            func walk(_ command: [String: Any], _ path: [String]) {
                let subcommands = (command["subcommands"] as? [[String: Any]] ?? []).filter { $0["commandName"] as? String != "help" }
                if subcommands.isEmpty { leaves.append(Command(path: path, arguments: command["arguments"] as? [[String: Any]] ?? [])) }
                for sub in subcommands { walk(sub, path + [sub["commandName"] as? String ?? "?"]) }
            }
            walk(root, [tool])
            return leaves
        }

        @Test(arguments: ["aviso", "avisod"])
        func helpShowsEachDefaultOnce(tool: String) throws {
            let commands = try Self.leafCommands(tool)
            #expect(commands.count >= (tool == "aviso" ? 20 : 5))
            for command in commands {
                for argument in command.arguments where argument["defaultValue"] != nil {
                    let abstract = argument["abstract"] as? String ?? ""
                    #expect(!abstract.lowercased().contains("default"), "\(command.path.joined(separator: " ")): \(abstract)")
                }
                let help = try DaemonProcess.execute(try DaemonProcess.binary(tool), Array(command.path.dropFirst()) + ["--help"])
                #expect(help.status == 0)
                // ArgumentParser wraps help lines; a default written twice shows as "default" twice in one option's text.
                let options = help.stdout.components(separatedBy: "\n  -").map { $0.lowercased() }
                for option in options {
                    #expect(option.components(separatedBy: "default").count <= 2, "\(command.path.joined(separator: " ")): \(option)")
                }
            }
        }

        @Test func everyCommandsJSONIsDocumentedWithASchemaOfTheAPI() throws {
            let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
            let openapi = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
            let table = readme.split(separator: "\n").filter { $0.hasPrefix("| `aviso ") }
            for command in try Self.leafCommands("aviso") {
                let name = "`" + command.path.joined(separator: " ") + "`"
                let row = table.first { $0.contains(name) }
                #expect(row != nil, "\(name) is missing from README's --json table")
                for schema in (row ?? "").matches(of: /`([A-Z][A-Za-z]+)`/).map({ String($0.1) }) {
                    #expect(openapi.contains("\n    \(schema):\n"), "\(schema) is not a schema of docs/openapi.yaml")
                }
            }
        }

        @Test func usageErrorsExit64AndFailuresExit1() throws {
            let aviso = try DaemonProcess.binary("aviso")
            let avisod = try DaemonProcess.binary("avisod")
            let nobody = "http://127.0.0.1:\(try DaemonProcess.freePort())"
            for (tool, arguments) in [
                (aviso, ["case", "list", "--no-such-option"]), (aviso, ["messages", "--state", "lost", "--url", nobody, "--token", "t"]),
                (aviso, ["staff", "create", "--name", "A", "--role", "sheriff"]), (aviso, ["export", "--case", "X", "--victim", "1"]),
                (aviso, ["consent", "record", "1", "--state", "opted_out", "--method", "carrier", "--wording-version", "1"]),
                (aviso, ["update", "queue", "X", "charges_filed", "--charge", "armed_robbery"]), (aviso, ["no-such-command"]),
                (avisod, ["token", "create", "--role", "sheriff", "--name", "A"]), (avisod, ["check", "--no-such-option"]),
            ] {
                let result = try DaemonProcess.execute(tool, arguments)
                #expect(result.status == 64, "\(arguments): \(result.stderr)")
                #expect(result.stdout.isEmpty && result.stderr.contains("Usage:"), "\(arguments)")
            }
            let unreachable = try DaemonProcess.execute(aviso, ["case", "list", "--url", nobody, "--token", "t"])
            #expect(
                unreachable.status == 1 && unreachable.stdout.isEmpty && unreachable.stderr.contains("Cannot reach avisod"), "\(unreachable.stderr)")
        }

        @Test func aCreatedTokenIsAloneOnStandardOutputFromBothTools() throws {
            let daemon = try DaemonProcess()
            let created = try daemon.run(
                try DaemonProcess.binary("avisod"), ["token", "create", "-c", daemon.configPath, "--role", "admin", "--name", "Ana"])
            #expect(created.status == 0 && created.stderr.contains("Created admin account"))
            let admin = created.stdout.trimmingCharacters(in: .newlines)
            #expect(!admin.isEmpty && !admin.contains(" ") && created.stdout.hasSuffix("\n"))
            daemon.token = admin
            try daemon.start()
            defer { daemon.stop() }
            let staff = try daemon.aviso(["staff", "create", "--name", "Capt. Ruiz", "--role", "captain"])
            #expect(staff.status == 0 && staff.stderr.contains("Created captain account"), "\(staff.stderr)")
            let token = staff.stdout.trimmingCharacters(in: .newlines)
            #expect(!token.isEmpty && !token.contains(" ") && token != admin)
            daemon.token = token
            let me = try daemon.aviso(["whoami", "--json"])
            #expect(me.status == 0 && me.stdout.contains("\"name\" : \"Capt. Ruiz\""), "\(me.stdout) \(me.stderr)")
        }
    }
}
