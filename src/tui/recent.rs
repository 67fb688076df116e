//! The handoff's recent history in the workbench: the trend of open findings (the header's
//! sparkline) and what changed since the last recorded review (present mode's first card).
//! Both are read off the UI thread by the engine's [`crate::engine::worker::RecentWorker`];
//! the app only keeps the last answer.

use super::app::App;
use crate::engine::review::Review;
use crate::engine::trend::{Recent, WeekCount};

/// What the workbench knows of the recent history.
#[derive(Debug, Clone, Default)]
pub struct RecentView {
    /// The history was asked for (nothing is shown of it until it is).
    pub asked: bool,
    /// The last answer: the history, or why it could not be read.
    pub read: Option<Result<Recent, String>>,
    /// Present mode shows the "since last review" card, before the agenda's first card.
    pub on_card: bool,
}

impl App {
    /// The history was asked for. Present mode starts on the "since last review" card.
    pub fn recent_asked(&mut self) {
        if !self.recent.asked && self.options.present {
            self.recent.on_card = true;
        }
        self.recent.asked = true;
    }

    /// The history (or why it could not be read) arrived.
    pub fn recent_read(&mut self, read: Result<Recent, String>) {
        self.recent.read = Some(read);
    }

    /// Open findings at each week's end, oldest first; empty until read.
    pub fn trend(&self) -> &[WeekCount] {
        match &self.recent.read {
            Some(Ok(recent)) => &recent.trend,
            _ => &[],
        }
    }

    /// The review since the last recorded review point, once read and when one is recorded.
    pub fn since_last_review(&self) -> Option<&Review> {
        match &self.recent.read {
            Some(Ok(recent)) => recent.since_last_review.as_ref(),
            _ => None,
        }
    }

    /// Steps onto or off the "since last review" card at the agenda's start; whether it did.
    pub(crate) fn since_card_step(&mut self, forward: bool) -> bool {
        if !self.recent.asked {
            return false;
        }
        if self.recent.on_card {
            if forward {
                self.recent.on_card = false;
                self.agenda.at = 0;
            }
            return true;
        }
        if !forward && self.agenda.at == 0 {
            self.recent.on_card = true;
            return true;
        }
        false
    }
}
