//! Fingerprints one video in its own process, so a crash inside FFmpeg
//! costs one file and not the scan; see `spoor_video::worker`. The scan
//! finds it next to the `spoor` binary.

fn main() {
    let args = match spoor_video::worker::parse_args(std::env::args_os().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("spoor-video-worker: {e}");
            eprintln!(
                "usage: spoor-video-worker [--settings JSON] [--fps F] [--every-frame] \
                 [--downsample N] [--sheet OUT.jpg] [--max-memory BYTES] [--verbose] PATH"
            );
            std::process::exit(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    std::process::exit(spoor_video::worker::run(&args, &mut out));
}
