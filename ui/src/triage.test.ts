import { describe, expect, it } from "vitest";
import { nearHow, signs } from "./triage";
import type { UnknownMedia } from "./bindings";

const unknown = (over: Partial<UnknownMedia>): UnknownMedia => ({
  file_id: 1,
  evidence_id: "ITEM-001",
  path: "DCIM/1.jpg",
  file_type: "image/jpeg",
  size: 100,
  md5: null,
  sha1: null,
  pdq: null,
  pdq_quality: null,
  frames: 0,
  metadata_state: "present",
  camera_original: false,
  verdict_reasons: [],
  make: null,
  model: null,
  serial: null,
  software: null,
  capture_local: null,
  capture_offset: null,
  capture_utc: null,
  gps: null,
  series_id: null,
  near_known_distance: null,
  review_category: null,
  ...over,
});

describe("triage", () => {
  it("says why an unknown file stands out", () => {
    expect(signs(unknown({}))).toEqual([]);
    expect(
      signs(unknown({ camera_original: true, gps: { latitude: 1, longitude: 2, altitude: null }, series_id: 3, near_known_distance: 35 })),
    ).toEqual(["camera original", "GPS", "series 3", "near known (35)"]);
    // Series 0 and distance 0 are values, not "none".
    expect(signs(unknown({ series_id: 0, near_known_distance: 0, metadata_state: "damaged" }))).toEqual([
      "series 0",
      "near known (0)",
      "damaged metadata",
    ]);
  });

  it("names the rotation or mirror image through which a file came near", () => {
    expect(nearHow({ unknown_frame: null, variant: "original", variant_words: "as stored" })).toBe("");
    expect(nearHow({ unknown_frame: null, variant: "flipminus1", variant_words: "mirrored in the anti-diagonal" })).toBe(
      "mirrored in the anti-diagonal (flipminus1)",
    );
    expect(
      nearHow({ unknown_frame: { frame_number: 25, timestamp: 1 }, variant: "flipplus1", variant_words: "mirrored in the main diagonal (transposed)" }),
    ).toBe("frame at 1.0 s, mirrored in the main diagonal (transposed) (flipplus1)");
  });
});
