import { describe, expect, it } from "vitest";
import {
  cameraText,
  captureText,
  gpsText,
  selectionEmpty,
  toggled,
  videoMatchText,
  videoTime,
  workFraction,
  workLine,
  categoryChoices,
  categoryForKey,
  concealFilter,
  humanBytes,
  humanDuration,
  pageOf,
  parseHashLines,
  progressFraction,
  progressLine,
} from "./format";
import type { Snapshot, WorkProgress } from "./bindings";

const snap = (over: Partial<Snapshot>): Snapshot => ({
  stage: "hashing",
  stage_index: 2,
  stage_count: 3,
  files_done: 0,
  files_total: 0,
  bytes_done: 0,
  bytes_total: 0,
  hits: 0,
  known_good: 0,
  warnings: 0,
  resumed_files: 0,
  elapsed_secs: 0,
  bytes_per_sec: 0,
  eta_secs: null,
  ...over,
});

describe("format", () => {
  it("sizes in binary units", () => {
    expect(humanBytes(0)).toBe("0 B");
    expect(humanBytes(1023)).toBe("1023 B");
    expect(humanBytes(1536)).toBe("1.5 KiB");
    expect(humanBytes(5 * 1024 * 1024 * 1024)).toBe("5.0 GiB");
  });

  it("durations", () => {
    expect(humanDuration(null)).toBe("–");
    expect(humanDuration(9.6)).toBe("10 s");
    expect(humanDuration(125)).toBe("2 min 5 s");
    expect(humanDuration(3 * 3600 + 120)).toBe("3 h 2 min");
  });

  it("progress line and fraction", () => {
    const s = snap({ files_done: 3, files_total: 4, bytes_done: 512, bytes_total: 2048 });
    expect(progressLine(s)).toBe("2/3 Hashing — 3/4 files, 512 B of 2.0 KiB");
    expect(progressFraction(s)).toBe(0.25);
    expect(progressFraction(snap({ files_done: 1, files_total: 2 }))).toBe(0.5);
    expect(progressFraction(snap({}))).toBe(0);
  });

  it("keys assign categories by the case's scheme", () => {
    expect(categoryForKey("vics-us", "1")).toBe("1");
    expect(categoryForKey("vics-us", "4")).toBe("4");
    expect(categoryForKey("vics-us", "5")).toBeNull();
    expect(categoryForKey("vics-us", "a")).toBeNull();
    expect(categoryForKey("caid", "A")).toBe("A");
    expect(categoryForKey("caid", "n")).toBe("N");
    expect(categoryForKey("caid", "1")).toBeNull();
    expect(categoryChoices("vics-us").map((c) => c.value)).toEqual(["0", "1", "2", "3", "4"]);
  });

  it("acquisition hash lines", () => {
    expect(parseHashLines(" sha256:ab \n\n md5:cd\r\n")).toEqual(["sha256:ab", "md5:cd"]);
  });

  it("pages and conceal filter", () => {
    expect(pageOf(0, 200)).toBe(0);
    expect(pageOf(399, 200)).toBe(1);
    expect(concealFilter(12, true)).toBe("blur(12px) grayscale(1)");
    expect(concealFilter(0, false)).toBe("none");
  });

  it("import and export progress with rate and time left", () => {
    const p: WorkProgress = {
      stage: "importing",
      detail: null,
      elapsed_secs: 2,
      unit: "bytes",
      done: 1024 * 1024,
      total: 4 * 1024 * 1024,
      records: 1200,
      rate_per_sec: 512 * 1024,
      eta_secs: 6,
    };
    expect(workLine(p)).toBe("importing — 1.0 MiB of 4.0 MiB, 1200 records, 512.0 KiB/s, 6 s left, 2 s so far");
    expect(workFraction(p)).toBe(0.25);
    const e: WorkProgress = { ...p, stage: "reading", unit: "hits", done: 50, total: null, records: null, rate_per_sec: 25, eta_secs: null };
    expect(workLine(e)).toBe("reading — 50 hits, 25 hits/s, 2 s so far");
    expect(workFraction(e)).toBe(0);
  });

  it("metadata in words", () => {
    expect(gpsText(52.3702, -4.89069, null)).toBe("52.37020° N, 4.89069° W");
    expect(gpsText(-1, 2, 12.4)).toBe("1.00000° S, 2.00000° E, 12 m");
    expect(gpsText(null, 2, null)).toBeNull();
    expect(captureText({ capture_local: "2026-05-01T09:59:00", capture_offset: "+02:00", capture_utc: "2026-05-01T07:59:00Z" })).toBe(
      "2026-05-01 09:59:00 (+02:00) = 2026-05-01T07:59:00Z UTC",
    );
    expect(captureText({ capture_local: "2026-05-01T09:59:00", capture_offset: null, capture_utc: null })).toBe("2026-05-01 09:59:00 (no offset recorded)");
    expect(captureText({ capture_local: null, capture_offset: null, capture_utc: null })).toBeNull();
    expect(cameraText("Canon", "Canon EOS 5D")).toBe("Canon EOS 5D");
    expect(cameraText("Apple", "iPhone 12")).toBe("Apple iPhone 12");
    expect(cameraText(null, null)).toBeNull();
  });

  it("video hits in words", () => {
    expect(videoTime(65)).toBe("1:05.0");
    expect(
      videoMatchText({ query_match_percent: 100, known_match_percent: 50, matched_frames: 2, query_unique_frames: 2, known_unique_frames: 4, frame_number: null, frame_timestamp: null }),
    ).toBe("100.0 % of this video's frames match, 50.0 % of the known video's, 2 of 2 unique frames matched");
    // Fields the engine leaves out arrive as undefined.
    expect(videoMatchText({ frame_number: 25, frame_timestamp: 1 } as never)).toBe("frame at 0:01.0 (frame 25)");
    expect(videoMatchText(null)).toBeNull();
  });

  it("selections", () => {
    expect(toggled([3, 1], 2)).toEqual([1, 2, 3]);
    expect(toggled([1, 2, 3], 2)).toEqual([1, 3]);
    expect(selectionEmpty({ files: [], series: [], camera_originals: false })).toBe(true);
    expect(selectionEmpty({ files: [], series: [4], camera_originals: false })).toBe(false);
  });
});
