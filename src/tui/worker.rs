//! Reading facts off the UI thread. The workbench paints at once with facts pending and fills
//! them in as they arrive. Requests follow "latest wins": while one read runs, a newer
//! request replaces any queued one, so a burst of refreshes costs at most one more read.

use std::sync::{Arc, Mutex};
use std::thread;

use crate::facts::{self, Workspace};
use crate::model::{ArtifactFacts, HeadInfo, History, Target};

/// What the worker reports, tagged with the request it answers.
#[derive(Debug)]
pub enum FactsUpdate {
    Head(u64, HeadInfo),
    Worktree(u64, Vec<(String, ArtifactFacts)>),
    History(u64, Vec<(String, History)>),
    Done(u64),
    Failed(u64, String),
}

#[derive(Default)]
struct Queue {
    running: bool,
    next: Option<(u64, Vec<(String, Target)>)>,
}

/// Where the worker's reports go (the event loop's channel).
pub type Sink = Arc<dyn Fn(FactsUpdate) + Send + Sync>;

/// Reads facts on a background thread, one request at a time, the newest queued one next.
#[derive(Clone)]
pub struct FactsWorker {
    workspace: Workspace,
    queue: Arc<Mutex<Queue>>,
    out: Sink,
}

impl FactsWorker {
    pub fn new(workspace: Workspace, out: Sink) -> FactsWorker {
        FactsWorker {
            workspace,
            queue: Arc::default(),
            out,
        }
    }

    /// Asks for the facts of `targets`; answers carry `generation`.
    pub fn request(&self, generation: u64, targets: Vec<(String, Target)>) {
        let mut q = self
            .queue
            .lock()
            .expect("the queue lock is never poisoned: no code panics holding it");
        q.next = Some((generation, targets));
        if q.running {
            return;
        }
        q.running = true;
        drop(q);
        let worker = self.clone();
        thread::spawn(move || worker.drain());
    }

    fn drain(&self) {
        loop {
            let job = {
                let mut q = self.queue.lock().expect("the queue lock is never poisoned");
                match q.next.take() {
                    Some(job) => job,
                    None => {
                        q.running = false;
                        return;
                    }
                }
            };
            self.read(job.0, &job.1);
        }
    }

    fn read(&self, generation: u64, targets: &[(String, Target)]) {
        let send = |u: FactsUpdate| (self.out)(u);
        let repo = match facts::open_repo(&self.workspace) {
            Ok(r) => r,
            Err(e) => return send(FactsUpdate::Failed(generation, e.to_string())),
        };
        send(FactsUpdate::Head(generation, facts::head_info(&repo)));
        match facts::collect(&repo, &self.workspace, targets) {
            Ok(all) => {
                let (worktree, history): (Vec<_>, Vec<_>) = all
                    .artifacts
                    .into_iter()
                    .map(|(id, f)| ((id.clone(), f.clone()), (id, f.history)))
                    .unzip();
                send(FactsUpdate::Worktree(generation, worktree));
                send(FactsUpdate::History(generation, history));
                send(FactsUpdate::Done(generation));
            }
            Err(e) => send(FactsUpdate::Failed(generation, e.to_string())),
        }
    }
}
