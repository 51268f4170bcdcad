import AvisoCore
import AvisoStore
import Foundation
import Hummingbird
import Logging

/// `POST /v1/cases/{number}/victims/import`: a bulk import (SPEC §6), checked
/// or registered in one transaction, authenticated and attributed like
/// adding one victim.
enum VictimImportRoutes {
    /// An import body is larger than the API's 1 MiB: 50,000 rows of a few hundred bytes.
    static let maxBody = 32 * 1024 * 1024
    static let maxRows = 50_000

    static func add(to v1: RouterGroup<AvisoRequestContext>, state: ServerState) {
        v1.post("cases/:number/victims/import") { request, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let number = try AvisoRoutes.caseNumber(context)
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: maxBody)
            } catch {
                throw HTTPError(
                    .contentTooLarge,
                    message: "An import takes at most 32 MiB of JSON (about \(maxRows) rows). Split the file and import it in parts.")
            }
            let input = try StrictJSON.decode(VictimImportRequest.self, from: Data(buffer.readableBytesView))
            guard (1...maxRows).contains(input.rows.count) else {
                throw AvisoError.invalid("rows", "An import has 1 to \(maxRows) rows; this one has \(input.rows.count).")
            }
            try state.store.requireAccess(staff, caseNumber: number)
            let planner = state.planner
            let dryRun = input.dryRun ?? true
            let rows = input.rows.map { row -> (row: Int, victim: Result<ValidatedVictim, AvisoError>) in
                do throws(AvisoError) {
                    // The import reports a repeated name as a warning of its own, so the one-victim confirmation does not apply.
                    var victim = try row.victim.validated(catalog: planner.catalog)
                    victim.confirmSameName = true
                    return (row.row, .success(victim))
                } catch {
                    return (row.row, .failure(error))
                }
            }
            let report: VictimImportReport
            do {
                report = try state.store.importVictims(rows, toCase: number, by: staff, planner: planner, dryRun: dryRun, now: state.clock.now())
            } catch let refused as VictimImportRefused {
                return refusal(refused.report)
            }
            if !dryRun {
                state.wakeDispatcher()
                context.logger.info(
                    "victims imported", metadata: ["case": "\(number)", "victims": "\(report.imported)", "welcomes": "\(report.welcomes)"])
            }
            return AvisoRoutes.json(report, status: dryRun ? .ok : .created)
        }
    }

    /// 422 with every row's problem: nothing was registered.
    static func refusal(_ report: VictimImportReport) -> Response {
        let rows = Set(report.problems.map(\.row)).count
        let body = VictimImportRefusal(
            type: "https://aviso.invalid/problems/invalid", title: "Import refused", status: 422,
            detail:
                "\(rows) of \(report.rows) row\(report.rows == 1 ? "" : "s") \(rows == 1 ? "has a problem" : "have problems"); nothing was imported. Fix them and import again.",
            problems: report.problems, warnings: report.warnings)
        let data = (try? StrictJSON.encoder.encode(body)) ?? Data()
        return Response(
            status: .unprocessableContent, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
