import ArgumentParser
import AvisoClient
import AvisoCore
import Foundation

extension VictimCommand {
    /// `aviso victim import CASE victims.csv`: checks the file (by default) or
    /// imports it all or nothing (`--commit`).
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import victims from a CSV file: a dry run that lists every row's problem, or --commit to register them all at once.",
            discussion: """
                Columns (the header row names them, in any order; only name and language are required):
                  \(VictimImportColumn.allCases.map(\.rawValue).joined(separator: ", "))
                UTF-8, with or without a byte order mark, as spreadsheets save 'CSV UTF-8'. Row numbers are the spreadsheet's
                (the header is row 1). A row with a consent_method (verbal or written) and a wording_version records consent
                for its phone and email, and each gets its welcome. Without --commit nothing is registered.
                Example: aviso victim import KC-2025-004512 victims.csv --commit
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "The case number.") var caseNumber: String
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Register the victims (all of them, or none if any row has a problem). Without it, only check.") var commit = false
        @Option(help: "The time zone of rows whose time_zone cell is empty.") var timeZone = "America/Chicago"

        func run() async throws {
            try await guarded {
                let parsed = try read()
                let progress = parsed.rows.count >= 100
                if progress { note("Read \(parsed.rows.count + parsed.problems.count) rows from \(file).") }
                guard !parsed.rows.isEmpty else {
                    if parsed.problems.isEmpty { throw ValidationError("\(file) has a header but no rows.") }
                    return try finish(
                        VictimImportReport(
                            dryRun: true, rows: parsed.problems.count, imported: 0, victimIds: [], welcomes: 0, problems: parsed.problems,
                            warnings: []), parsed)
                }
                // A file that cannot be read whole is only checked: all or nothing means all.
                let dryRun = !commit || !parsed.problems.isEmpty
                if progress {
                    note(dryRun ? "Checking \(parsed.rows.count) rows on avisod…" : "Importing \(parsed.rows.count) rows in one transaction…")
                }
                var report: VictimImportReport
                do {
                    report = try await options.client().post(
                        "/v1/cases/\(APIClient.segment(caseNumber))/victims/import", VictimImportRequest(dryRun: dryRun, rows: parsed.rows))
                } catch let error as ClientError {
                    guard let body = error.body, let refusal = try? JSONDecoder().decode(VictimImportRefusal.self, from: body) else { throw error }
                    report = VictimImportReport(
                        dryRun: false, rows: parsed.rows.count, imported: 0, victimIds: [], welcomes: 0, problems: refusal.problems,
                        warnings: refusal.warnings)
                }
                report.problems = (report.problems + parsed.problems).sorted { $0.row < $1.row }
                report.rows = parsed.rows.count + parsed.problems.count
                if progress { note("Done.") }
                try finish(report, parsed)
            }
        }

        func note(_ line: String) { FileHandle.standardError.write(Data("\(line)\n".utf8)) }

        func read() throws -> VictimImportFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("Cannot read \(file): no such file, or it is not readable.")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("\(file) is not UTF-8. Save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'.")
            }
            do {
                return try VictimImportFile(csv: text, defaultTimeZone: timeZone)
            } catch {
                throw ValidationError("\(file): \(error.detail)")
            }
        }

        /// Prints the report with the file's column names; exits 1 when a row has a problem.
        func finish(_ report: VictimImportReport, _ parsed: VictimImportFile) throws {
            var named = report
            named.problems = report.problems.map {
                VictimImportIssue(row: $0.row, field: parsed.column(for: $0.field, row: $0.row), detail: $0.detail)
            }
            named.warnings = report.warnings.map {
                VictimImportIssue(row: $0.row, field: parsed.column(for: $0.field, row: $0.row), detail: $0.detail)
            }
            try options.output(named) { describe($0, caseNumber: caseNumber, committing: commit) }
            if !named.problems.isEmpty { throw ExitCode(1) }
        }
    }
}

func describe(_ report: VictimImportReport, caseNumber: String, committing: Bool) -> String {
    func line(_ issue: VictimImportIssue) -> String { "  row \(issue.row)\(issue.field.map { " (\($0))" } ?? ""): \(issue.detail)" }
    var lines: [String] = []
    let rowsWithProblems = Set(report.problems.map(\.row)).count
    if !report.problems.isEmpty {
        lines.append(
            "\(rowsWithProblems) of \(report.rows) row\(report.rows == 1 ? "" : "s") \(rowsWithProblems == 1 ? "has a problem" : "have problems"); nothing was imported:"
        )
        lines += report.problems.map(line)
    }
    if !report.warnings.isEmpty {
        lines.append("Warnings (the import goes ahead; check them):")
        lines += report.warnings.map(line)
    }
    if report.problems.isEmpty {
        if report.dryRun {
            lines.append(
                "All \(report.rows) row\(report.rows == 1 ? "" : "s") can be imported into \(caseNumber) (\(report.welcomes) welcome message\(report.welcomes == 1 ? "" : "s") would be queued). Nothing was imported: run again with --commit."
            )
        } else {
            lines.append(
                "Imported \(report.imported) victim\(report.imported == 1 ? "" : "s") into \(caseNumber); \(report.welcomes) welcome message\(report.welcomes == 1 ? "" : "s") queued."
            )
        }
    } else if !committing {
        lines.append("Fix the rows and run again; add --commit to import.")
    }
    return lines.joined(separator: "\n")
}
