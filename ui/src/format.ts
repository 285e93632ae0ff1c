// Pure helpers the screens share (unit-tested with Vitest).
import type { MetadataFacts, ReviewScheme, Selection, Snapshot, VideoMatch, WorkProgress } from "./bindings";

export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function humanDuration(secs: number | null | undefined): string {
  if (secs === null || secs === undefined || !isFinite(secs)) return "–";
  const s = Math.max(0, Math.round(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${r} s`;
  return `${r} s`;
}

/** "2/3 Hashing — 120/400 files, 1.0 MiB of 5.0 MiB". */
export function progressLine(s: Snapshot): string {
  const label = s.stage.charAt(0).toUpperCase() + s.stage.slice(1);
  return `${s.stage_index}/${s.stage_count} ${label} — ${s.files_done}/${s.files_total} files, ${humanBytes(s.bytes_done)} of ${humanBytes(s.bytes_total)}`;
}

export function progressFraction(s: Snapshot): number {
  if (s.bytes_total > 0) return Math.min(1, s.bytes_done / s.bytes_total);
  if (s.files_total > 0) return Math.min(1, s.files_done / s.files_total);
  return 0;
}

export interface CategoryChoice {
  key: string;
  value: string;
  label: string;
}

/** The categories a review can assign, with the key that assigns each. */
export function categoryChoices(scheme: ReviewScheme): CategoryChoice[] {
  if (scheme === "caid") {
    return [
      { key: "a", value: "A", label: "A" },
      { key: "b", value: "B", label: "B" },
      { key: "c", value: "C", label: "C" },
      { key: "n", value: "N", label: "Non-indecent" },
    ];
  }
  return [
    { key: "0", value: "0", label: "0 Non-pertinent" },
    { key: "1", value: "1", label: "1 Child abuse material" },
    { key: "2", value: "2", label: "2 Exploitive / age difficult" },
    { key: "3", value: "3", label: "3 CGI / animation" },
    { key: "4", value: "4", label: "4 Comparison" },
  ];
}

/** The category a key press assigns, or null when the key assigns none. */
export function categoryForKey(scheme: ReviewScheme, key: string): string | null {
  const k = key.toLowerCase();
  return categoryChoices(scheme).find((c) => c.key === k)?.value ?? null;
}

export function categoryLabel(value: string | null | undefined): string {
  return value === null || value === undefined ? "uncategorised" : value;
}

/** Parses acquisition hashes typed one per line (blank lines dropped). */
export function parseHashLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Which page of `size` rows holds row `index`. */
export function pageOf(index: number, size: number): number {
  return Math.floor(index / size);
}

/** CSS filter of a hidden thumbnail (wellness settings). */
export function concealFilter(blurPx: number, grey: boolean): string {
  const parts: string[] = [];
  if (blurPx > 0) parts.push(`blur(${blurPx}px)`);
  if (grey) parts.push("grayscale(1)");
  return parts.length ? parts.join(" ") : "none";
}

function amount(n: number, unit: string | null): string {
  return unit === "bytes" ? humanBytes(n) : `${n} ${unit ?? ""}`.trim();
}

/** "importing — 1.0 MiB of 4.0 MiB, 1200 records, 2.0 MiB/s, 2 s left". */
export function workLine(p: WorkProgress): string {
  const parts: string[] = [];
  if (p.unit) parts.push(p.total !== null ? `${amount(p.done, p.unit)} of ${amount(p.total, p.unit)}` : amount(p.done, p.unit));
  if (p.records !== null && p.records > 0) parts.push(`${p.records} records`);
  if (p.unit && p.rate_per_sec > 0) {
    parts.push(p.unit === "bytes" ? `${humanBytes(Math.round(p.rate_per_sec))}/s` : `${Math.round(p.rate_per_sec)} ${p.unit}/s`);
  }
  if (p.eta_secs !== null) parts.push(`${humanDuration(p.eta_secs)} left`);
  parts.push(`${humanDuration(p.elapsed_secs)} so far`);
  return `${p.stage} — ${parts.join(", ")}`;
}

export function workFraction(p: WorkProgress): number {
  if (p.total === null || p.total <= 0) return 0;
  return Math.min(1, p.done / p.total);
}

/** "52.37020° N, 4.89069° E, 12 m". */
export function gpsText(lat: number | null, lon: number | null, alt: number | null): string | null {
  if (lat === null || lon === null) return null;
  const ns = `${Math.abs(lat).toFixed(5)}° ${lat < 0 ? "S" : "N"}`;
  const ew = `${Math.abs(lon).toFixed(5)}° ${lon < 0 ? "W" : "E"}`;
  return alt === null ? `${ns}, ${ew}` : `${ns}, ${ew}, ${Math.round(alt)} m`;
}

/** The capture time as the camera showed it, its offset, and UTC when known. */
export function captureText(m: Pick<MetadataFacts, "capture_local" | "capture_offset" | "capture_utc">): string | null {
  if (!m.capture_local && !m.capture_utc) return null;
  const local = m.capture_local ? `${m.capture_local.replace("T", " ")}${m.capture_offset ? ` (${m.capture_offset})` : " (no offset recorded)"}` : null;
  const utc = m.capture_utc ? `${m.capture_utc} UTC` : null;
  return [local, utc].filter((x) => x !== null).join(" = ");
}

/** "Canon EOS 5D" rather than "Canon Canon EOS 5D". */
export function cameraText(make: string | null, model: string | null): string | null {
  if (make && model) return model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
  return make ?? model ?? null;
}

/** A time within a video: "1:05.0". */
export function videoTime(secs: number): string {
  const m = Math.floor(secs / 60);
  const s = secs - m * 60;
  return `${m}:${s < 10 ? "0" : ""}${s.toFixed(1)}`;
}

/** What a hit through a video's frames says, in words (or null). */
export function videoMatchText(v: VideoMatch | null | undefined): string | null {
  if (!v) return null;
  const parts: string[] = [];
  if (v.query_match_percent != null) parts.push(`${v.query_match_percent.toFixed(1)} % of this video's frames match`);
  if (v.known_match_percent != null) parts.push(`${v.known_match_percent.toFixed(1)} % of the known video's`);
  if (v.matched_frames != null) {
    parts.push(`${v.matched_frames}${v.query_unique_frames != null ? ` of ${v.query_unique_frames}` : ""} unique frames matched`);
  }
  if (v.frame_timestamp != null) parts.push(`frame at ${videoTime(v.frame_timestamp)}${v.frame_number != null ? ` (frame ${v.frame_number})` : ""}`);
  else if (v.frame_number != null) parts.push(`frame ${v.frame_number}`);
  return parts.length ? parts.join(", ") : null;
}

/** Adds `id` to a list, or takes it out when it is there (sorted, no repeats). */
export function toggled<T extends number>(list: T[], id: T): T[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id].sort((a, b) => a - b);
}

export function selectionEmpty(s: Selection): boolean {
  return s.files.length === 0 && s.series.length === 0 && !s.camera_originals;
}
