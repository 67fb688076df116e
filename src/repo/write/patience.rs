//! Waiting for a lock another process holds: `index.lock` or a branch lock (git), or
//! `.git/handoff/write.lock` (another handoff).
//!
//! git holds its locks for milliseconds, and a busy repository (a script committing in a
//! loop, an editor's git integration) takes them again at once. A wait that backs off to long
//! sleeps keeps waking inside the next hold and misses every gap, so polls stay short: a few
//! milliseconds at first, never more than [`LONGEST_PAUSE`].

use std::time::{Duration, Instant};

/// The longest sleep between two tries.
const LONGEST_PAUSE: Duration = Duration::from_millis(20);

/// A deadline and the pause before the next try.
#[derive(Debug)]
pub(crate) struct Patience {
    deadline: Instant,
    pause: Duration,
}

impl Patience {
    /// Patience for `total` from now.
    pub fn new(total: Duration) -> Patience {
        Patience {
            deadline: Instant::now() + total,
            pause: Duration::from_millis(2),
        }
    }

    /// Sleeps before the next try and says so, or says `false` once the time is up.
    pub fn wait(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        std::thread::sleep(self.pause.min(self.deadline - now));
        self.pause = (self.pause * 2).min(LONGEST_PAUSE);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_in_short_pauses_until_the_deadline() {
        let started = Instant::now();
        let mut patience = Patience::new(Duration::from_millis(200));
        let mut tries = 0;
        while patience.wait() {
            tries += 1;
        }
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        // 2, 4, 8, 16, then 20 ms pauses: at least nine tries in 200 ms.
        assert!(tries >= 9, "{tries} tries");
        assert!(!patience.wait(), "no more waiting after the deadline");
    }
}
