//! Not decoding frames that nothing needs — exactly.
//!
//! A non-reference frame (an H.264 picture with `nal_ref_idc = 0`, a B-frame
//! of MPEG-1/2/4) is never used to decode another frame, so dropping it
//! changes no other frame. What must not be dropped is a frame the sampler
//! would take. The sampler takes the first frame of each slot (slot =
//! `floor(t * fps)` of the presentation time `t`), so a frame is certainly
//! not taken when some frame presented before it lies in the same slot: that
//! earlier frame (or one between them) comes first. The decoder is told it
//! may drop non-reference frames (`skip_frame = nonref`) exactly for packets
//! for which such an earlier packet has already been seen; everything else
//! is decoded as usual. The result is bit-for-bit what decoding everything
//! gives, for streams whose frames come out in timestamp order (checked:
//! skipping stops at the first surprise, such as a packet without a
//! timestamp or a frame nobody sent).
//!
//! Frame numbers stay those of full decoding: a frame's number counts the
//! frames presented before it, skipped or not, from the packets' timestamps.

use std::collections::BTreeMap;

/// At most this many timestamps are remembered; a decoder that holds more
/// frames than this back is not skipped for.
const WINDOW: usize = 1024;

#[derive(Debug)]
pub(crate) struct Skipper {
    /// Whether packets may still be marked as skippable.
    active: bool,
    /// Timestamps of packets sent to the decoder, and whether their frame
    /// has come out.
    sent: BTreeMap<i64, bool>,
    /// Frames presented before the latest output that never came out.
    missing: u64,
    started: bool,
}

impl Skipper {
    pub(crate) fn new(active: bool) -> Skipper {
        Skipper {
            active,
            sent: BTreeMap::new(),
            missing: 0,
            started: false,
        }
    }

    #[cfg(test)]
    pub(crate) fn is_active(&self) -> bool {
        self.active
    }

    /// After the decoder is flushed: all frames sent that never came out.
    pub(crate) fn finish(&self) -> u64 {
        let tail = if self.started {
            self.sent.values().filter(|out| !**out).count() as u64
        } else {
            0
        };
        self.missing + tail
    }

    /// Whether the decoder may drop the packet with timestamp `pts` if it
    /// holds a non-reference frame; `slot` maps a timestamp to its sampling
    /// slot (or `None` when that is not known yet).
    pub(crate) fn may_skip(&self, pts: Option<i64>, slot: impl Fn(i64) -> Option<i64>) -> bool {
        if !self.active || !self.started {
            return false;
        }
        let Some(p) = pts else { return false };
        let Some((&q, _)) = self.sent.range(..p).next_back() else {
            return false;
        };
        matches!((slot(q), slot(p)), (Some(a), Some(b)) if a == b)
    }

    /// Records a packet sent to the decoder.
    pub(crate) fn sent(&mut self, pts: Option<i64>) {
        match pts {
            Some(p) => {
                if self.sent.insert(p, false).is_some() {
                    // Two packets with one timestamp: not one frame each.
                    self.active = false;
                }
                if self.sent.len() > WINDOW {
                    self.active = false;
                    self.sent.pop_first();
                }
            }
            None => self.active = false,
        }
    }

    /// Records a frame that came out of the decoder; returns how many frames
    /// presented before it never came out (skipped, or lost to errors).
    pub(crate) fn output(&mut self, pts: Option<i64>) -> u64 {
        let Some(p) = pts else {
            self.active = false;
            return self.missing;
        };
        while let Some((&k, &out)) = self.sent.first_key_value() {
            if k >= p {
                break;
            }
            self.sent.pop_first();
            // Packets before the first frame are pre-roll the demuxer asked
            // the decoder to drop (edit lists): not frames of the video.
            if !out && self.started {
                self.missing += 1;
            }
        }
        match self.sent.get_mut(&p) {
            Some(out) => *out = true,
            None => self.active = false,
        }
        self.started = true;
        self.missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One slot per 10 ticks.
    fn slot(t: i64) -> Option<i64> {
        Some(t.div_euclid(10))
    }

    #[test]
    fn only_frames_after_an_earlier_frame_of_their_slot_are_skippable() {
        let mut s = Skipper::new(true);
        // Decode order I0 P6 b2 b4 P12 b8 b10 (pts), 2 ticks per frame.
        s.sent(Some(0));
        assert!(
            !s.may_skip(Some(6), slot),
            "nothing is known before the first output"
        );
        assert_eq!(s.output(Some(0)), 0);
        s.sent(Some(6));
        assert!(s.may_skip(Some(2), slot)); // 0 is in slot 0 too
        s.sent(Some(2));
        assert!(s.may_skip(Some(4), slot));
        s.sent(Some(4));
        // 10 starts slot 1: its predecessor 8 is in slot 0.
        s.sent(Some(12));
        assert!(s.may_skip(Some(8), slot));
        s.sent(Some(8));
        assert!(!s.may_skip(Some(10), slot));
        s.sent(Some(10));
        // 2, 4 and 8 were dropped by the decoder.
        assert_eq!(s.output(Some(6)), 2);
        assert_eq!(s.output(Some(10)), 3);
        assert_eq!(s.output(Some(12)), 3);
        assert!(s.is_active());
        // 14 and 16 were dropped at the end.
        s.sent(Some(16));
        s.sent(Some(14));
        assert_eq!(s.finish(), 5);
    }

    #[test]
    fn surprises_stop_skipping() {
        let mut s = Skipper::new(true);
        s.sent(Some(0));
        s.output(Some(0));
        s.sent(None);
        assert!(!s.is_active());

        let mut s = Skipper::new(true);
        s.sent(Some(0));
        s.output(Some(0));
        s.output(Some(5)); // never sent
        assert!(!s.is_active());

        let mut s = Skipper::new(true);
        s.sent(Some(0));
        s.sent(Some(0));
        assert!(!s.is_active());
    }

    #[test]
    fn pre_roll_is_not_counted() {
        let mut s = Skipper::new(true);
        for p in [-4, -2, 0, 2] {
            s.sent(Some(p));
        }
        assert_eq!(s.output(Some(0)), 0);
        assert_eq!(s.output(Some(2)), 0);
    }
}
