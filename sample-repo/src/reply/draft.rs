//! Drafts a first reply for a support agent to edit (Reply Assist).

/// Refunds above this amount are never suggested in a draft; the agent decides.
const MAX_SUGGESTED_REFUND_EUR: u32 = 50;

pub fn may_suggest_refund(amount_eur: u32) -> bool {
    amount_eur <= MAX_SUGGESTED_REFUND_EUR
}
