import AvisoTesting
import Foundation
import Testing

/// The alert rules and the dashboard in docs/monitoring are valid, and each
/// alert fires on the series that should raise it (promtool's own unit tests,
/// scripts/testing/aviso-alerts.test.yml). MetricsEndToEndTests checks that
/// they read only metrics avisod exposes.
@Suite struct MonitoringTests {
    @Test func promtoolAcceptsTheAlertRulesAndTheirTestsPass() throws {
        let rules = repositoryRoot.appendingPathComponent("docs/monitoring/aviso-alerts.yml").path
        let checked = try runTool("promtool", ["check", "rules", rules])
        #expect(checked.contains("SUCCESS: 4 rules found"), "\(checked)")
        let tested = try runTool("promtool", ["test", "rules", testingScript("aviso-alerts.test.yml")])
        #expect(tested.contains("SUCCESS"), "\(tested)")
    }

    @Test func theDashboardIsGrafanaJSONWithAQueryInEveryPanel() throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("docs/monitoring/aviso-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(panels.count >= 10)
        for panel in panels {
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty && targets.allSatisfy { ($0["expr"] as? String)?.contains("aviso_") == true }, "\(panel["title"] ?? "")")
        }
    }
}
