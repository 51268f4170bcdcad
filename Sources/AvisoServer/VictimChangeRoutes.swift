import AvisoCore
import AvisoStore
import Foundation
import Hummingbird

/// The routes that change a victim after registration: edit, retire or
/// replace a contact point, take a victim off a case, merge two victims.
/// Each is attributed to the caller and logged in `victim_changes`.
enum VictimChangeRoutes {
    static func add(to v1: RouterGroup<AvisoRequestContext>, state: ServerState) {
        v1.patch("victims/:id") { request, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let edit = try await AvisoRoutes.body(VictimEdit.self, request, context).validated(catalog: state.planner.catalog)
            let victimId = try AvisoRoutes.id(context)
            try state.store.requireAccess(staff, victimId: victimId)
            let view = try state.store.editVictim(edit, victimId: victimId, by: staff, now: state.clock.now())
            context.logger.info("victim changed", metadata: ["victim": "\(victimId)"])
            return AvisoRoutes.json(view)
        }
        v1.get("victims/:id/changes") { _, context in
            let staff = try AvisoRoutes.require(context, .readCases)
            let victimId = try AvisoRoutes.id(context)
            try state.store.requireAccess(staff, victimId: victimId)
            return AvisoRoutes.json(VictimChangeList(changes: try state.store.victimChanges(victimId: victimId)))
        }
        v1.post("victims/:id/merge") { request, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let merge = try await AvisoRoutes.body(VictimMerge.self, request, context)
            let victimId = try AvisoRoutes.id(context)
            try state.store.requireAccess(staff, victimId: victimId)
            do {
                try state.store.requireAccess(staff, victimId: merge.duplicateVictimId)
            } catch let error as AvisoError {
                throw error.nested(in: "duplicate_victim_id")
            }
            let view = try state.store.mergeVictims(keep: victimId, duplicate: merge.duplicateVictimId, by: staff, now: state.clock.now())
            context.logger.info("victims merged", metadata: ["victim": "\(victimId)", "merged": "\(merge.duplicateVictimId)"])
            return AvisoRoutes.json(view)
        }
        v1.delete("cases/:number/victims/:id") { _, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let number = try AvisoRoutes.caseNumber(context)
            let victimId = try AvisoRoutes.id(context)
            try state.store.requireAccess(staff, caseNumber: number)
            try state.store.requireAccess(staff, victimId: victimId)
            let view = try state.store.removeVictim(victimId, fromCase: number, by: staff, now: state.clock.now())
            context.logger.info("victim taken off case", metadata: ["victim": "\(victimId)", "case": "\(number)"])
            return AvisoRoutes.json(view)
        }
        v1.post("contact-points/:id/retire") { _, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let contactPointId = try AvisoRoutes.id(context)
            try state.store.requireAccess(staff, contactPointId: contactPointId)
            let view = try state.store.retireContactPoint(contactPointId, by: staff, now: state.clock.now())
            context.logger.info("contact point retired", metadata: ["contact_point": "\(contactPointId)", "victim": "\(view.victimId)"])
            return AvisoRoutes.json(view)
        }
        v1.post("contact-points/:id/replace") { request, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let point = try await AvisoRoutes.body(ContactPointCreate.self, request, context).validated()
            let contactPointId = try AvisoRoutes.id(context)
            try state.store.requireAccess(staff, contactPointId: contactPointId)
            let view = try state.store.replaceContactPoint(
                contactPointId, with: point, by: staff, planner: state.planner, now: state.clock.now())
            state.wakeDispatcher()
            context.logger.info("contact point replaced", metadata: ["contact_point": "\(contactPointId)", "new": "\(view.id)"])
            return AvisoRoutes.json(view, status: .created)
        }
    }
}

extension AvisoRoutes {
    /// The case number in the path, percent-decoded. Every route that names a
    /// case reads it here: a case number may hold any character but '/' and
    /// line breaks (a space, an accent, '#', '%', '?', '+'), and a client
    /// percent-encodes them in the path (`KC%202025%23%3F`).
    static func caseNumber(_ context: AvisoRequestContext) throws -> String {
        let raw = try context.parameters.require("number")
        guard let decoded = raw.removingPercentEncoding, !decoded.contains("/") else {
            throw AvisoError.invalid(
                "number", "The case number in the path is not correctly percent-encoded: encode '%' as %25, a space as %20, '#' as %23, '?' as %3F.")
        }
        return decoded
    }
}
