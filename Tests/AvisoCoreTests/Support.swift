import AvisoCore
import Foundation

/// The repository's own templates, parsed as the daemon parses them.
func repositoryTemplates() throws -> TemplateCatalog {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Templates")
    var sources: [TemplateSource] = []
    for language in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
        let folder = root.appendingPathComponent(language)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            let path = folder.appendingPathComponent(file).path
            sources.append(TemplateSource(language: language, fileName: file, path: path, contents: try String(contentsOfFile: path, encoding: .utf8)))
        }
    }
    return try TemplateCatalog(sources: sources)
}

let chicago = TimeZone(identifier: "America/Chicago")!

/// An instant given as wall-clock time in a zone.
func instant(_ text: String, in zone: TimeZone = chicago) -> Date {
    try! UpdateFields.parseLocalDateTime(text, zone: zone, field: "test")
}

func policy() -> MessagePolicy {
    MessagePolicy(contactPhone: "+1 816 234 5000", departmentZone: chicago)
}
