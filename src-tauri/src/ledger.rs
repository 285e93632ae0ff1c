//! Failed appends to the anchor ledger, kept until the examiner has seen them.
//!
//! Every write to a case appends its new chain head to the anchor ledger
//! (`spoor_case::anchors`). When that append fails the write to the case
//! stands, and the engine keeps the failure in one process-wide slot that is
//! read once ([`spoor_case::anchors::take_failure_detail`]). The shell takes
//! it after the work of every command ([`crate::commands`] runs all of it
//! through one helper that calls [`collect`]) and at every progress tick of
//! long work, logs it, and queues it here.
//!
//! The window pulls the queue ([`ledger_status`]) after every command that
//! writes and while long work reports progress, and shows a warning until the
//! examiner dismisses it ([`dismiss_ledger_failures`]). A pull, not a pushed
//! event: an event sent while no listener is registered (the window still
//! loading, or reloaded) is gone, while a queued failure stays until the
//! window has shown it and the examiner has dismissed it, so none is missed.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;

/// Failures kept at most (the oldest go first; [`LedgerStatus::dropped`]
/// counts them).
const KEEP: usize = 100;

/// Heads of one or more writes that could not be recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LedgerFailure {
    /// Increases by one per failure this process noted (from 1).
    pub id: u64,
    /// When the shell took the failure from the engine.
    pub time_utc: String,
    /// The ledger file that could not be written.
    pub ledger: PathBuf,
    /// The operating system's error.
    pub error: String,
    /// The case whose chain head is missing from the ledger.
    pub case_path: String,
    /// How many writes' heads (each write to a case is one).
    pub heads: u64,
    /// The whole warning as one sentence (as the CLI prints it).
    pub message: String,
}

/// Which ledger is in use, and the failures the examiner has not dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LedgerStatus {
    /// The ledger file (`spoor_case::anchors::default_ledger`); `None` when
    /// `SPOOR_ANCHORS` is set empty: no heads are recorded at all.
    pub ledger: Option<PathBuf>,
    /// Whether `SPOOR_ANCHORS` chose it (else the per-user default).
    pub from_env: bool,
    /// Oldest first.
    pub failures: Vec<LedgerFailure>,
    /// Failures no longer kept (more than 100 undismissed).
    pub dropped: u64,
}

#[derive(Debug, Default)]
struct Queue {
    next_id: u64,
    failures: VecDeque<LedgerFailure>,
    dropped: u64,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue { next_id: 0, failures: VecDeque::new(), dropped: 0 });

/// Takes the engine's failure, if there is one, logs it and queues it for
/// the window.
pub fn collect() -> Option<LedgerFailure> {
    let failure = spoor_case::anchors::take_failure_detail()?;
    tracing::warn!(
        ledger = %failure.ledger.display(),
        case = %failure.case_path,
        heads = failure.heads,
        "{} (the case itself was written)",
        failure.message()
    );
    let mut queue = QUEUE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    queue.next_id += 1;
    let entry = LedgerFailure {
        id: queue.next_id,
        time_utc: spoor_case::utc::now(),
        message: failure.message(),
        ledger: failure.ledger,
        error: failure.error,
        case_path: failure.case_path,
        heads: failure.heads,
    };
    queue.failures.push_back(entry.clone());
    while queue.failures.len() > KEEP {
        queue.failures.pop_front();
        queue.dropped += 1;
    }
    Some(entry)
}

/// The ledger in use and the failures not yet dismissed (after taking any
/// the engine holds now).
#[tauri::command]
pub fn ledger_status() -> LedgerStatus {
    collect();
    let queue = QUEUE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    LedgerStatus {
        ledger: spoor_case::anchors::default_ledger(),
        from_env: std::env::var_os(spoor_case::anchors::ENV).is_some(),
        failures: queue.failures.iter().cloned().collect(),
        dropped: queue.dropped,
    }
}

/// The examiner has seen the failures up to `up_to` (an id): they are no
/// longer shown. Later ones (noted meanwhile) stay.
#[tauri::command]
pub fn dismiss_ledger_failures(up_to: u64) -> LedgerStatus {
    {
        let mut queue = QUEUE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        queue.failures.retain(|f| f.id > up_to);
        queue.dropped = 0;
    }
    ledger_status()
}
