public import AvisoCore
import Foundation

/// Reads `Templates/<language>/…` into a checked catalog.
public enum TemplateDirectory {
    public static func load(_ path: String) throws(AvisoError) -> TemplateCatalog {
        let manager = FileManager.default
        let root = URL(fileURLWithPath: path)
        let languages: [String]
        let allowed = "a directory with one folder per language (en/, es/, …), such as /usr/share/aviso/templates"
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .init(
                .configuration, title: "Templates missing", detail: "templates.directory = \(path): no such directory. Set it to \(allowed).",
                field: "templates.directory")
        }
        guard isDirectory.boolValue else {
            throw .init(
                .configuration, title: "Templates missing", detail: "templates.directory = \(path): a file, not a directory. Set it to \(allowed).",
                field: "templates.directory")
        }
        do {
            languages = try manager.contentsOfDirectory(atPath: root.path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw .init(
                .configuration, title: "Templates unreadable",
                detail: "templates.directory = \(path): this user cannot list it (check its permissions). It must be \(allowed).",
                field: "templates.directory")
        }
        var sources: [TemplateSource] = []
        var problems: [String] = []
        for language in languages {
            isDirectory = false
            let folder = root.appendingPathComponent(language)
            guard manager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            do { _ = try LanguageTag(language) } catch {
                problems.append("\(folder.path): the folder name is not a language tag (\(error.detail))")
                continue
            }
            let files = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files.sorted() where !file.hasPrefix(".") && (file.hasSuffix(".mustache") || file == "terms.txt" || file == "keywords.txt") {
                let filePath = folder.appendingPathComponent(file).path
                guard let data = manager.contents(atPath: filePath), let text = String(data: data, encoding: .utf8) else {
                    problems.append("\(filePath): not readable as UTF-8 text")
                    continue
                }
                sources.append(TemplateSource(language: language, fileName: file, path: filePath, contents: text))
            }
        }
        guard problems.isEmpty else { throw .init(.configuration, title: "Invalid templates", detail: problems.joined(separator: "\n")) }
        guard !sources.isEmpty else {
            throw .init(
                .configuration, title: "No templates",
                detail: "templates.directory = \(path): it holds no templates. Set it to \(allowed).", field: "templates.directory")
        }
        return try TemplateCatalog(sources: sources)
    }
}
