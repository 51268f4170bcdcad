import Foundation

/// One victim of an import, with the row of the file it came from, so every
/// problem names the row a captain sees in the spreadsheet.
public struct VictimImportRow: Codable, Sendable {
    /// The row number as a spreadsheet shows it (the header is row 1).
    public var row: Int
    public var victim: VictimCreate

    public init(row: Int, victim: VictimCreate) {
        self.row = row
        self.victim = victim
    }
}

/// `POST /v1/cases/{number}/victims/import`: many victims at once, checked
/// (`dry_run`, the default) or registered all together in one transaction.
public struct VictimImportRequest: Codable, Sendable {
    /// True (or absent): check every row and register nothing.
    public var dryRun: Bool?
    public var rows: [VictimImportRow]

    enum CodingKeys: String, CodingKey {
        case rows
        case dryRun = "dry_run"
    }

    public init(dryRun: Bool?, rows: [VictimImportRow]) {
        self.dryRun = dryRun
        self.rows = rows
    }
}

/// What is wrong with one row, or (with no field) with the row as a whole.
public struct VictimImportIssue: Codable, Sendable, Equatable {
    public var row: Int
    /// The field at fault as a JSON path within the row's victim (`contact_points[0].address`).
    public var field: String?
    public var detail: String

    public init(row: Int, field: String?, detail: String) {
        self.row = row
        self.field = field
        self.detail = detail
    }
}

/// The answer to an import: every row's problem, the warnings (a likely
/// duplicate person), and what was registered.
public struct VictimImportReport: Codable, Sendable {
    public var dryRun: Bool
    public var rows: Int
    /// Victims registered: 0 on a dry run or when any row has a problem.
    public var imported: Int
    public var victimIds: [Int64]
    /// Welcome messages queued (one per contact point with consent).
    public var welcomes: Int
    public var problems: [VictimImportIssue]
    public var warnings: [VictimImportIssue]

    enum CodingKeys: String, CodingKey {
        case rows, imported, welcomes, problems, warnings
        case dryRun = "dry_run"
        case victimIds = "victim_ids"
    }

    public init(
        dryRun: Bool, rows: Int, imported: Int, victimIds: [Int64], welcomes: Int, problems: [VictimImportIssue], warnings: [VictimImportIssue]
    ) {
        self.dryRun = dryRun
        self.rows = rows
        self.imported = imported
        self.victimIds = victimIds
        self.welcomes = welcomes
        self.problems = problems
        self.warnings = warnings
    }
}

/// The problem answer of an import that was asked to commit and did not,
/// because rows have problems: RFC 9457 members plus every row's problem.
public struct VictimImportRefusal: Codable, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var problems: [VictimImportIssue]
    public var warnings: [VictimImportIssue]

    public init(type: String, title: String, status: Int, detail: String, problems: [VictimImportIssue], warnings: [VictimImportIssue]) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.problems = problems
        self.warnings = warnings
    }
}

/// A CSV file as spreadsheets write it (RFC 4180): fields separated by
/// commas, quoted with `"` when they hold a comma, a quote (doubled) or a
/// line break; records end with CRLF or LF; a UTF-8 byte order mark at the
/// start is ignored.
///
/// ```swift
/// let records = try CSV.parse("name,language\r\n\"Pérez, José\",es\r\n")
/// // [CSV.Record(line: 1, fields: ["name", "language"]), CSV.Record(line: 2, fields: ["Pérez, José", "es"])]
/// ```
public enum CSV {
    public struct Record: Sendable, Equatable {
        /// The line of the file the record starts on (a quoted line break makes a record span lines).
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// Parses the whole text; blank lines between records are skipped.
    public static func parse(_ input: String) throws(AvisoError) -> [Record] {
        var scalars = Substring(input).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var quoted = false
        var afterQuote = false
        var fieldStarted = false
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            // A line with nothing on it is not a record.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            fieldStarted = false
            afterQuote = false
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        quoted = false
                        afterQuote = true
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
                fieldStarted = true
                afterQuote = false
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty && !afterQuote else {
                    throw .invalid(
                        nil,
                        "Line \(line): a quote inside a field that does not start with one. Quote the whole field and double the quote inside (\"He said \"\"yes\"\"\")."
                    )
                }
                quoted = true
                fieldStarted = true
            default:
                guard !afterQuote else {
                    throw .invalid(nil, "Line \(line): text after a closing quote. A quoted field ends at its quote; put a comma after it.")
                }
                field.append(scalar)
                fieldStarted = true
            }
        }
        if quoted { throw .invalid(nil, "Line \(recordLine): a quoted field is never closed. Add the closing quote.") }
        if fieldStarted || !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}

/// The columns of a victim import file (README, `docs/victims-import.csv`).
/// Headers are matched without regard to case, spaces, dashes or
/// underscores (`Time zone` is `time_zone`); a column Aviso does not know is
/// refused, so no file smuggles a field it must not hold (G5).
public enum VictimImportColumn: String, CaseIterable, Sendable {
    case name
    case language
    case timeZone = "time_zone"
    case phone
    case email
    case consentMethod = "consent_method"
    case wordingVersion = "wording_version"
    case discreet
    case notes

    /// The header as a captain's spreadsheet may write it.
    public static func named(_ header: String) -> VictimImportColumn? {
        let key = header.trimmingWhitespace().lowercased().map { " -".contains($0) ? "_" : $0 }
        return VictimImportColumn(rawValue: String(key))
    }
}

/// A victim import file read into rows for the API, with the problems the
/// file itself has (a discreet value that is not yes or no, an unknown
/// consent method); the daemon checks everything else, as it does for one victim.
public struct VictimImportFile: Sendable {
    public var rows: [VictimImportRow]
    /// Problems found while reading, by row; the rows they concern are left out of `rows`.
    public var problems: [VictimImportIssue]
    /// For each row, the CSV column each contact point came from, so the
    /// daemon's `contact_points[0].address` reads back as `phone`.
    public var contactColumns: [Int: [VictimImportColumn]]

    /// Reads the CSV text. `defaultTimeZone` fills an empty time zone cell.
    public init(csv text: String, defaultTimeZone: String) throws(AvisoError) {
        let records = try CSV.parse(text)
        guard let header = records.first else { throw .invalid(nil, "The file is empty: it needs a header row (name,language,…).") }
        var columns: [VictimImportColumn: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            guard let column = VictimImportColumn.named(name) else {
                throw .invalid(
                    nil,
                    "Column '\(name)' is not an import column. The columns are: \(VictimImportColumn.allCases.map(\.rawValue).joined(separator: ", ")). Aviso takes no other field."
                )
            }
            guard columns[column] == nil else { throw .invalid(nil, "Column '\(column.rawValue)' appears twice in the header.") }
            columns[column] = index
        }
        for required in [VictimImportColumn.name, .language] where columns[required] == nil {
            throw .invalid(nil, "The header has no '\(required.rawValue)' column; every row needs the victim's name and language.")
        }
        rows = []
        problems = []
        contactColumns = [:]
        rows.reserveCapacity(records.count)
        for (index, record) in records.dropFirst().enumerated() {
            let row = index + 2
            func cell(_ column: VictimImportColumn) -> String? {
                guard let at = columns[column], at < record.fields.count else { return nil }
                let value = record.fields[at].trimmingWhitespace()
                return value.isEmpty ? nil : value
            }
            if record.fields.count > header.fields.count {
                problems.append(
                    VictimImportIssue(
                        row: row, field: nil,
                        detail: "The row has \(record.fields.count) fields but the header \(header.fields.count): a comma in a value needs quotes."))
                continue
            }
            var discreet = false
            if let raw = cell(.discreet) {
                switch raw.lowercased() {
                case "yes", "y", "true", "1", "x", "sí", "si": discreet = true
                case "no", "n", "false", "0": discreet = false
                default:
                    problems.append(VictimImportIssue(row: row, field: "discreet", detail: "discreet is yes or no (or empty for no), not '\(raw)'."))
                    continue
                }
            }
            var consent: ConsentInput? = nil
            if let raw = cell(.consentMethod) {
                guard let method = ConsentMethod(rawValue: raw.lowercased()), method == .verbal || method == .written else {
                    problems.append(
                        VictimImportIssue(
                            row: row, field: "consent_method",
                            detail: "consent_method is verbal or written (or empty: the contact points wait for consent), not '\(raw)'."))
                    continue
                }
                consent = ConsentInput(state: .optedIn, method: method, wordingVersion: cell(.wordingVersion) ?? "")
            } else if cell(.wordingVersion) != nil {
                problems.append(
                    VictimImportIssue(
                        row: row, field: "consent_method",
                        detail: "The row gives a wording_version but no consent_method: say how consent was given (verbal or written)."))
                continue
            }
            var points: [ContactPointCreate] = []
            var sources: [VictimImportColumn] = []
            if let phone = cell(.phone) {
                points.append(ContactPointCreate(channel: .sms, address: phone, consent: consent))
                sources.append(.phone)
            }
            if let email = cell(.email) {
                points.append(ContactPointCreate(channel: .email, address: email, consent: consent))
                sources.append(.email)
            }
            contactColumns[row] = sources
            rows.append(
                VictimImportRow(
                    row: row,
                    victim: VictimCreate(
                        displayName: cell(.name) ?? "", language: cell(.language) ?? "", timeZone: cell(.timeZone) ?? defaultTimeZone,
                        discreet: discreet, staffNotes: cell(.notes), contactPoints: points)))
        }
    }

    /// The CSV column a problem's field (a path in the row's victim) stands for.
    public func column(for field: String?, row: Int) -> String? {
        guard let field else { return nil }
        if field.hasPrefix("contact_points[") {
            let digits = field.dropFirst("contact_points[".count).prefix { $0.isNumber }
            guard let index = Int(digits), let sources = contactColumns[row], index < sources.count else { return "phone/email" }
            let rest = field.dropFirst("contact_points[".count + digits.count + 1)
            if rest.hasPrefix(".consent.wording_version") { return VictimImportColumn.wordingVersion.rawValue }
            if rest.hasPrefix(".consent") { return VictimImportColumn.consentMethod.rawValue }
            return sources[index].rawValue
        }
        switch field {
        case "display_name": return VictimImportColumn.name.rawValue
        case "staff_notes": return VictimImportColumn.notes.rawValue
        case "contact_points": return "phone/email"
        default: return field
        }
    }
}
