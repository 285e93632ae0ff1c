//! Progress: atomic counters the stages bump, and throttled snapshots for
//! whoever draws them (a terminal bar, JSON lines, the desktop app).

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// The named stages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Walking,
    Hashing,
    Sealing,
}

impl Stage {
    pub const COUNT: u8 = 3;

    /// 1-based position, for "2/3 Hashing".
    pub fn index(self) -> u8 {
        match self {
            Stage::Walking => 1,
            Stage::Hashing => 2,
            Stage::Sealing => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Walking => "Walking",
            Stage::Hashing => "Hashing",
            Stage::Sealing => "Sealing",
        }
    }

    fn from_u8(v: u8) -> Stage {
        match v {
            1 => Stage::Walking,
            3 => Stage::Sealing,
            _ => Stage::Hashing,
        }
    }
}

/// Shared counters; every field only grows.
#[derive(Debug, Default)]
pub struct Counters {
    pub stage: AtomicU8,
    pub files_total: AtomicU64,
    pub bytes_total: AtomicU64,
    pub files_done: AtomicU64,
    pub bytes_done: AtomicU64,
    pub hits: AtomicU64,
    pub known_good: AtomicU64,
    pub warnings: AtomicU64,
    /// Files skipped because a previous attempt of this run recorded them.
    pub resumed_files: AtomicU64,
}

/// One look at the counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Snapshot {
    pub stage: Stage,
    pub stage_index: u8,
    pub stage_count: u8,
    pub files_done: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub hits: u64,
    pub known_good: u64,
    pub warnings: u64,
    pub resumed_files: u64,
    pub elapsed_secs: f64,
    /// Bytes per second over the hashing so far.
    pub bytes_per_sec: f64,
    /// Seconds left at the current rate, when it can be estimated.
    pub eta_secs: Option<f64>,
}

impl Counters {
    pub fn set_stage(&self, stage: Stage) {
        self.stage.store(stage.index(), Ordering::Relaxed);
    }

    pub fn snapshot(&self, stage_override: Stage, started: Instant) -> Snapshot {
        let mut snap = self.snapshot_at(started);
        snap.stage = stage_override;
        snap.stage_index = stage_override.index();
        snap
    }

    pub fn snapshot_at(&self, started: Instant) -> Snapshot {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let stage = Stage::from_u8(self.stage.load(Ordering::Relaxed));
        let elapsed = started.elapsed().as_secs_f64();
        let bytes_done = get(&self.bytes_done);
        let bytes_total = get(&self.bytes_total);
        let rate = if elapsed > 0.0 { bytes_done as f64 / elapsed } else { 0.0 };
        let eta = (stage == Stage::Hashing && rate > 0.0 && bytes_total >= bytes_done)
            .then(|| (bytes_total - bytes_done) as f64 / rate);
        Snapshot {
            stage,
            stage_index: stage.index(),
            stage_count: Stage::COUNT,
            files_done: get(&self.files_done),
            files_total: get(&self.files_total),
            bytes_done,
            bytes_total,
            hits: get(&self.hits),
            known_good: get(&self.known_good),
            warnings: get(&self.warnings),
            resumed_files: get(&self.resumed_files),
            elapsed_secs: elapsed,
            bytes_per_sec: rate,
            eta_secs: eta,
        }
    }
}

/// Receives throttled snapshots (about every 200 ms, never per file).
pub trait Progress: Sync {
    fn update(&self, snapshot: &Snapshot);
}

/// Draws nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _snapshot: &Snapshot) {}
}
