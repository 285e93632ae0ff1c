//! Drawing scan progress: an indicatif bar on a terminal, or JSON lines.

use std::io::Write;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use spoor_scan::{Progress, Snapshot};

pub struct Drawer {
    bar: Option<ProgressBar>,
    json: bool,
}

impl Drawer {
    pub fn new(bar: bool, json: bool) -> Drawer {
        let bar = bar.then(|| {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        });
        Drawer { bar, json }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for Drawer {
    fn update(&self, s: &Snapshot) {
        if let Some(b) = &self.bar {
            b.set_prefix(format!("{}/{} {}", s.stage_index, s.stage_count, stage_label(s)));
            b.set_length(s.bytes_total);
            b.set_position(s.bytes_done);
            b.set_message(format!("{}/{} files, {} hits, {} warnings", s.files_done, s.files_total, s.hits, s.warnings));
        }
        if self.json {
            let mut line = serde_json::to_value(s).unwrap_or_default();
            if let Some(obj) = line.as_object_mut() {
                obj.insert("event".into(), "progress".into());
            }
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{line}");
        }
    }
}

fn stage_label(s: &Snapshot) -> &'static str {
    s.stage.label()
}
