/// The lifecycle states of a card (SPEC §3, §9).
package enum CardStatus: String, Sendable, CaseIterable {
    case active, inactive, closed, expired

    /// Whether the lifecycle allows going from `self` to `next` (SPEC §9's moves, for every card):
    /// active ↔ inactive, active or inactive → closed or expired, expired → closed. Closed is final.
    package func canChange(to next: CardStatus) -> Bool {
        switch (self, next) {
        case (.active, .inactive), (.inactive, .active),
             (.active, .closed), (.inactive, .closed), (.active, .expired), (.inactive, .expired),
             (.expired, .closed): true
        default: false
        }
    }

    /// Whether a reason is required to enter this status.
    package var requiresReason: Bool { self != .active }
}
