import { describe, expect, it } from "vitest";
import {
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
import type { Snapshot } from "./bindings";

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
});
