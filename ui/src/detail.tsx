// The detail panel of one file (a hit, or unknown material on the triage
// screen): its picture or contact sheet (blurred until revealed), review by
// keyboard, every hash, path, times, what its metadata says, the video
// stage's facts and every match with its record.
import { useCallback, useEffect, useState } from "react";
import { api, errorText } from "./api";
import type { CaseOverview, FileDetail, MetadataFacts } from "./bindings";
import { cameraText, captureText, categoryChoices, categoryForKey, categoryLabel, gpsText, humanBytes, videoMatchText, videoTime } from "./format";
import { Thumb } from "./thumb";

export function FileDetailPanel(props: {
  o: CaseOverview;
  fileId: number;
  typeClass: string | null;
  path: string;
  onReviewed?: () => void;
}) {
  const { o, fileId, onReviewed } = props;
  const [detail, setDetail] = useState<FileDetail | null>(null);
  const [note, setNote] = useState("");
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const load = useCallback(() => {
    api.fileDetail(o.path, fileId).then(setDetail).catch((e) => setMsg({ ok: false, text: errorText(e) }));
  }, [o.path, fileId]);
  useEffect(() => {
    setDetail(null);
    setMsg(null);
    setNote("");
    load();
  }, [load]);

  const review = useCallback(
    (category: string | null) => {
      api
        .review(o.path, fileId, category, note, null)
        .then((r) => {
          setMsg({ ok: true, text: `Reviewed as ${categoryLabel(r.category)} by ${r.examiner} at ${r.time_utc}` });
          load();
          onReviewed?.();
        })
        .catch((e) => setMsg({ ok: false, text: errorText(e) }));
    },
    [o.path, fileId, note, load, onReviewed],
  );

  // Category keys work while the panel or the list has focus.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const c = categoryForKey(o.review_scheme, e.key);
      if (c !== null) {
        e.preventDefault();
        review(c);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [o.review_scheme, review]);

  const last = detail?.reviews[detail.reviews.length - 1];
  const sheet = detail?.video?.contact_sheet ?? null;
  return (
    <aside className="detail" data-testid="detail">
      <Thumb casePath={o.path} fileId={fileId} typeClass={props.typeClass} size={props.typeClass === "video" ? 356 : 280} />
      {sheet && (
        <p className="muted small" data-testid="sheet-times">
          Contact sheet: {sheet.cols}×{sheet.rows} frames at {sheet.tiles.map(videoTime).join(", ")}
        </p>
      )}
      <h3 className="mono small break">{props.path}</h3>
      <div className="review-box">
        <div className="row wrap">
          {categoryChoices(o.review_scheme).map((c) => (
            <button key={c.value} type="button" onClick={() => review(c.value)} data-testid={`review-${c.value}`} title={c.label}>
              <kbd>{c.key.toUpperCase()}</kbd> {c.label}
            </button>
          ))}
        </div>
        <input placeholder="Note (saved with the next category)" value={note} onChange={(e) => setNote(e.target.value)} data-testid="review-note" />
        {last && (
          <p className="small" data-testid="review-current">
            Current review: <strong>{categoryLabel(last.category)}</strong> by {last.examiner}, {last.time_utc}
            {last.note ? ` — ${last.note}` : ""}
          </p>
        )}
        {msg && <p className={msg.ok ? "ok small" : "error small"}>{msg.text}</p>}
      </div>
      {detail && (
        <>
          <dl className="facts small">
            <dt>Item</dt>
            <dd>{detail.evidence_id}</dd>
            <dt>Size</dt>
            <dd>
              {humanBytes(detail.size)} ({detail.size} bytes)
            </dd>
            <dt>Type</dt>
            <dd>
              {detail.file_type ?? "–"}
              {detail.extension_mismatch ? " (extension mismatch)" : ""}
            </dd>
            {detail.width !== null && (
              <>
                <dt>Picture</dt>
                <dd>
                  {detail.picture_format} {detail.width}×{detail.height}
                </dd>
              </>
            )}
            {detail.video && (
              <>
                <dt>Video</dt>
                <dd data-testid="video-facts">
                  {detail.video.codec} {detail.video.width}×{detail.video.height}
                  {detail.video.duration_secs !== null ? `, ${videoTime(detail.video.duration_secs)}` : ""}
                  {detail.video.frame_rate !== null ? `, ${detail.video.frame_rate.toFixed(2)} fps` : ""}, {detail.video.frames_sampled} frames sampled
                  {detail.video.has_audio ? ", has sound (never played)" : ""}
                </dd>
              </>
            )}
            <dt>MD5</dt>
            <dd className="mono">{detail.md5 ?? "–"}</dd>
            <dt>SHA-1</dt>
            <dd className="mono">{detail.sha1 ?? "–"}</dd>
            <dt>SHA-256</dt>
            <dd className="mono">{detail.sha256 ?? "–"}</dd>
            <dt>PDQ</dt>
            <dd className="mono">
              {detail.pdq ?? "–"}
              {detail.pdq_quality !== null ? ` (quality ${detail.pdq_quality})` : ""}
            </dd>
            <dt>Modified</dt>
            <dd>{detail.mtime_utc ?? "–"}</dd>
            <dt>Accessed</dt>
            <dd>{detail.atime_utc ?? "–"}</dd>
            <dt>Changed</dt>
            <dd>{detail.ctime_utc ?? "–"}</dd>
            <dt>Born</dt>
            <dd>{detail.btime_utc ?? "–"}</dd>
            <dt>Path bytes</dt>
            <dd className="mono break">{detail.path_hex}</dd>
            {detail.type_class === "video" && !sheet && (
              <>
                <dt>Contact sheet</dt>
                <dd>none recorded</dd>
              </>
            )}
          </dl>
          <Metadata m={detail.metadata} />
          {detail.matches.length > 0 && <h4>Matches</h4>}
          {detail.matches.map((m, i) => {
            const video = videoMatchText(m.video);
            return (
              <div key={i} className="match small" data-testid="match">
                <strong>
                  {m.hashset} {m.hashset_version ?? ""}
                </strong>{" "}
                ({m.hashset_kind}) — {m.method}
                {m.distance !== null ? `, distance ${m.distance}` : ""}, category {categoryLabel(m.category)}
                {m.hashset_profile ? ` (${m.hashset_profile})` : ""}
                {video && <div data-testid="match-video">{video}</div>}
                <pre className="record">{JSON.stringify(m.record, null, 1)}</pre>
              </div>
            );
          })}
        </>
      )}
    </aside>
  );
}

/** What a picture's or video's metadata says, with the camera-original verdict. */
export function Metadata({ m }: { m: MetadataFacts | null }) {
  if (!m) return <p className="muted small">Metadata: not read by the scan.</p>;
  if (m.state === "absent") return <p className="muted small" data-testid="metadata">Metadata: none in the file.</p>;
  const camera = cameraText(m.make, m.model);
  const capture = captureText(m);
  const gps = gpsText(m.gps_latitude, m.gps_longitude, m.gps_altitude);
  return (
    <div data-testid="metadata">
      <h4>
        Metadata{m.origin ? ` (${m.origin})` : ""}
        {m.state === "damaged" ? " — damaged" : ""}
      </h4>
      <p className={m.camera_original ? "verdict original small" : "verdict small"} data-testid="camera-original">
        {m.camera_original ? "Camera original" : "Not a camera original"}
        {m.verdict_reasons.length > 0 ? `: ${m.verdict_reasons.join("; ")}` : ""}
      </p>
      <dl className="facts small">
        <dt>Camera</dt>
        <dd>{camera ?? "–"}</dd>
        <dt>Serial</dt>
        <dd>{m.serial ?? "–"}</dd>
        <dt>Lens</dt>
        <dd>
          {m.lens ?? "–"}
          {m.lens_serial ? ` (serial ${m.lens_serial})` : ""}
        </dd>
        <dt>Software</dt>
        <dd>{m.software ?? "–"}</dd>
        <dt>Taken</dt>
        <dd>{capture ?? "–"}</dd>
        {m.modified && (
          <>
            <dt>Changed</dt>
            <dd>{m.modified.replace("T", " ")}</dd>
          </>
        )}
        <dt>GPS</dt>
        <dd>{gps ?? "–"}</dd>
        <dt>Orientation</dt>
        <dd>{m.orientation ?? "–"}</dd>
      </dl>
    </div>
  );
}
