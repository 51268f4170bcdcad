import AvisoCore
import AvisoStore
import Foundation
import Hummingbird

/// A person answers a person (SPEC §2.5): staff reply to a victim's message,
/// read the whole thread, and note how a reply was handled.
enum ConversationRoutes {
    static func add(to v1: RouterGroup<AvisoRequestContext>, state: ServerState) {
        addOffenses(to: v1, state: state)
        v1.post("inbox/:id/reply") { request, context in
            let staff = try AvisoRoutes.require(context, .writeCases)
            let inboundId = try AvisoRoutes.id(context)
            let text = try await AvisoRoutes.body(StaffReplyInput.self, request, context).validated()
            try state.store.requireAccess(staff, inboundId: inboundId)
            let view = try state.store.replyToInbound(inboundId: inboundId, text: text, by: staff, planner: state.planner, now: state.clock.now())
            state.wakeDispatcher()
            context.logger.info(
                "staff reply queued",
                metadata: ["reply": "\(inboundId)", "message": "\(view.message.id.map(String.init) ?? "-")", "victim": "\(view.message.victimId)"])
            return AvisoRoutes.json(view, status: .created)
        }
        v1.get("victims/:id/conversation") { _, context in
            let staff = try AvisoRoutes.require(context, .readCases)
            let victimId = try AvisoRoutes.id(context)
            try state.store.requireAccess(staff, victimId: victimId)
            return AvisoRoutes.json(try state.store.conversation(victimId: victimId))
        }
    }

    /// `GET /v1/offenses` (any signed-in staff member): the codes and their wording per language.
    static func addOffenses(to v1: RouterGroup<AvisoRequestContext>, state: ServerState) {
        v1.get("offenses") { _, context in
            try AvisoRoutes.require(context, .none)
            return AvisoRoutes.json(OffenseList(catalog: state.planner.catalog))
        }
    }

    /// The note of `POST /v1/inbox/{id}/handled`, whose body is optional.
    static func handledNote(_ request: Request, _ context: AvisoRequestContext) async throws -> String? {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        return try StrictJSON.decode(HandledInput.self, from: Data(buffer.readableBytesView)).validated()
    }
}
