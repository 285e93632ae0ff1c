// Triage: what to look at first. Priority per evidence item with its
// reasons; the unknown material (matched no alert set, not known-good)
// grouped into series of near-duplicates, one representative each (blurred
// like every thumbnail; expand to see the members); camera originals;
// near-known candidates with their distance; and the victim-identification
// export (VICS 2.0) of what the examiner selects, recorded in the case.
import { useEffect, useMemo, useState } from "react";
import { api, errorText } from "./api";
import type { CaseOverview, CaseTriage, NearKnownEntry, Selection, TriageSettings, UnknownExportOutcome, UnknownMedia } from "./bindings";
import { cameraText, categoryLabel, selectionEmpty, toggled } from "./format";
import { FileDetailPanel } from "./detail";
import { PathField } from "./picker";
import { Thumb } from "./thumb";

const TILE = 132;
/** Unknown files listed before "show all". */
const LIST_FIRST = 200;

export function TriageView({ o, onExported }: { o: CaseOverview; onExported: () => void }) {
  // `null` until the first triage: the engine's defaults fill the form.
  const [settings, setSettings] = useState<TriageSettings | null>(null);
  const [applied, setApplied] = useState<TriageSettings | null>(null);
  const [t, setT] = useState<CaseTriage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [open, setOpen] = useState<number | null>(null);
  const [selected, setSelected] = useState<UnknownMedia | null>(null);
  const [selection, setSelection] = useState<Selection>({ files: [], series: [], camera_originals: false });
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    setError(null);
    api
      .triage(o.path, applied)
      .then((r) => {
        setT(r);
        setSettings((s) => s ?? r.settings);
      })
      .catch((e) => setError(errorText(e)));
  }, [o.path, applied, generation]);

  // Series ids depend on the settings: a new triage starts a new selection.
  useEffect(() => setSelection({ files: [], series: [], camera_originals: false }), [applied]);

  const byId = useMemo(() => new Map((t?.unknown ?? []).map((u) => [u.file_id, u])), [t]);
  const pick = (id: number) => {
    const u = byId.get(id);
    if (u) setSelected(u);
  };

  return (
    <div className="triage" data-testid="triage">
      <div className="triage-main">
        <section className="card">
          <h2>Settings</h2>
          {settings && (
            <div className="row wrap small">
              <Num label="series: PDQ distance ≤" value={settings.cluster.max_distance} max={256} onChange={(v) => setSettings({ ...settings, cluster: { ...settings.cluster, max_distance: v } })} />
              <Num
                label="quality ≥"
                value={settings.cluster.min_quality}
                max={100}
                onChange={(v) => setSettings({ ...settings, cluster: { ...settings.cluster, min_quality: v }, near_known: { ...settings.near_known, min_quality: v } })}
              />
              <Num label="near known: distance from" value={settings.near_known.min_distance} max={256} onChange={(v) => setSettings({ ...settings, near_known: { ...settings.near_known, min_distance: v } })} />
              <Num label="to" value={settings.near_known.max_distance} max={256} onChange={(v) => setSettings({ ...settings, near_known: { ...settings.near_known, max_distance: v } })} />
              <Num label="recent: days" value={settings.priority.recent_days} max={100000} onChange={(v) => setSettings({ ...settings, priority: { recent_days: v } })} />
              <button type="button" onClick={() => (settings === applied ? setGeneration((g) => g + 1) : setApplied(settings))} data-testid="triage-refresh">
                Apply
              </button>
            </div>
          )}
          {error && <p className="error">{error}</p>}
        </section>
        {!t && !error && <p className="muted">Reading the case…</p>}
        {t && (
          <>
            <Priority t={t} />
            <section className="card">
              <h2>Unknown material</h2>
              <p className="small" data-testid="unknown-summary">
                {t.unknown_files} unknown files; {t.unknown.length} pictures and videos, {t.unknown_pictures} with a PDQ fingerprint;{" "}
                {t.camera_originals.length} camera originals; {t.series.length} series; {t.near_known.length} near known material.
              </p>
              <h3>Series of near-duplicates (one representative each)</h3>
              {t.series.length === 0 && <p className="muted small">No two unknown pictures are within the distance.</p>}
              <div className="series-grid" data-testid="series-list">
                {t.series.map((s) => (
                  <div key={s.series_id} className={`series${open === s.series_id ? " open" : ""}`} data-testid="series">
                    <Thumb casePath={o.path} fileId={s.representative} typeClass={byId.get(s.representative)?.file_type?.startsWith("video") ? "video" : "image"} size={TILE} />
                    <div className="small">
                      <label className="check">
                        <input
                          type="checkbox"
                          checked={selection.series.includes(s.series_id)}
                          onChange={() => setSelection({ ...selection, series: toggled(selection.series, s.series_id) })}
                          data-testid="select-series"
                        />
                        <strong>series {s.series_id}</strong>
                      </label>
                      <div>
                        {s.members.length - s.videos.length} pictures{s.videos.length > 0 ? `, ${s.videos.length} video${s.videos.length > 1 ? "s" : ""} (by ${s.videos.reduce((n, v) => n + v.frames.length, 0)} frames)` : ""}{s.camera_originals > 0 ? `, ${s.camera_originals} camera original${s.camera_originals > 1 ? "s" : ""}` : ""}
                      </div>
                      <div className="muted">{s.evidence_ids.join(", ")}</div>
                      <button type="button" className="link" onClick={() => pick(s.representative)}>
                        details
                      </button>{" "}
                      <button type="button" className="link" onClick={() => setOpen(open === s.series_id ? null : s.series_id)} data-testid="series-expand">
                        {open === s.series_id ? "hide members" : "members"}
                      </button>
                    </div>
                  </div>
                ))}
              </div>
              {open !== null && (
                <div className="members" data-testid="series-members">
                  <h4>Series {open}: members</h4>
                  <div className="row wrap">
                    {(t.series.find((s) => s.series_id === open)?.members ?? []).map((id) => (
                      <div key={id} className="member small">
                        <Thumb casePath={o.path} fileId={id} typeClass="image" size={96} />
                        <button type="button" className="link" onClick={() => pick(id)}>
                          file {id}
                        </button>
                      </div>
                    ))}
                  </div>
                </div>
              )}
              <h3>Near known material</h3>
              {t.near_known.length === 0 ? (
                <p className="muted small">
                  None within PDQ distance {t.settings.near_known.min_distance}–{t.settings.near_known.max_distance}.
                </p>
              ) : (
                <table className="table" data-testid="near-known">
                  <thead>
                    <tr>
                      <th>Distance</th>
                      <th>Unknown file</th>
                      <th>Near</th>
                    </tr>
                  </thead>
                  <tbody>
                    {t.near_known.map((n) => (
                      <tr key={n.unknown_id}>
                        <td>{n.distance}</td>
                        <td>
                          <button type="button" className="link mono small" onClick={() => pick(n.unknown_id)}>
                            {n.evidence_id} {n.unknown_path}
                          </button>
                          {nearHow(n) && <div className="muted small">{nearHow(n)}</div>}
                        </td>
                        <td className="small">
                          {n.known.path ? `${n.known.evidence_id ?? ""} ${n.known.path}` : (n.known.label ?? "known material")}
                          {n.within > 1 ? ` (and ${n.within - 1} more)` : ""}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h3>Unknown pictures and videos</h3>
              <label className="check small">
                <input
                  type="checkbox"
                  checked={selection.camera_originals}
                  onChange={(e) => setSelection({ ...selection, camera_originals: e.target.checked })}
                  data-testid="select-camera-originals"
                />
                select every camera original ({t.camera_originals.length})
              </label>
              <table className="table" data-testid="unknown-table">
                <thead>
                  <tr>
                    <th />
                    <th>Item</th>
                    <th>Path</th>
                    <th>Camera</th>
                    <th>Taken</th>
                    <th>Signs</th>
                    <th>Review</th>
                  </tr>
                </thead>
                <tbody>
                  {(showAll ? t.unknown : t.unknown.slice(0, LIST_FIRST)).map((u) => (
                    <tr key={u.file_id} className={selected?.file_id === u.file_id ? "selected" : ""} data-testid="unknown-row">
                      <td>
                        <input
                          type="checkbox"
                          checked={selection.files.includes(u.file_id)}
                          onChange={() => setSelection({ ...selection, files: toggled(selection.files, u.file_id) })}
                          data-testid="select-file"
                        />
                      </td>
                      <td>{u.evidence_id}</td>
                      <td>
                        <button type="button" className="link mono small" onClick={() => setSelected(u)} title={u.path}>
                          {u.path}
                        </button>
                      </td>
                      <td className="small">{cameraText(u.make, u.model) ?? "–"}</td>
                      <td className="small">{u.capture_utc ?? u.capture_local ?? "–"}</td>
                      <td className="small">{signs(u).join(", ")}</td>
                      <td className="small">{u.review_category === null ? "–" : categoryLabel(u.review_category)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {!showAll && t.unknown.length > LIST_FIRST && (
                <button type="button" onClick={() => setShowAll(true)}>
                  Show all {t.unknown.length}
                </button>
              )}
            </section>
            <VicsExport o={o} selection={selection} settings={t.settings} onExported={onExported} />
          </>
        )}
      </div>
      {selected ? (
        <FileDetailPanel
          o={o}
          fileId={selected.file_id}
          typeClass={selected.file_type?.startsWith("video") ? "video" : "image"}
          path={selected.path}
          onReviewed={() => setGeneration((g) => g + 1)}
        />
      ) : (
        <aside className="detail muted">
          Select an unknown file to see its metadata and camera-original verdict, and to categorise it (the category goes into the
          victim-identification export).
        </aside>
      )}
    </div>
  );
}

/** How a near-known file came near: the frame of a video, and the
 * rotation or mirror image of the picture that looks like the known one
 * (the engine's words, `variant_words`); empty for a picture as stored. */
export function nearHow(n: Pick<NearKnownEntry, "unknown_frame" | "variant" | "variant_words">): string {
  const out: string[] = [];
  if (n.unknown_frame) out.push(`frame at ${n.unknown_frame.timestamp.toFixed(1)} s`);
  if (n.variant !== "original") out.push(`${n.variant_words} (${n.variant})`);
  return out.join(", ");
}

/** Why an unknown file stands out, in short words. */
export function signs(u: UnknownMedia): string[] {
  const out: string[] = [];
  if (u.camera_original) out.push("camera original");
  if (u.gps) out.push("GPS");
  if (u.series_id !== null) out.push(`series ${u.series_id}`);
  if (u.near_known_distance !== null) out.push(`near known (${u.near_known_distance})`);
  if (u.metadata_state === "damaged") out.push("damaged metadata");
  return out;
}

function Priority({ t }: { t: CaseTriage }) {
  return (
    <section className="card">
      <h2>Priority per evidence item</h2>
      <table className="table priority" data-testid="triage-priority">
        <thead>
          <tr>
            <th>#</th>
            <th>Item</th>
            <th>Score</th>
            <th>Why</th>
            <th>Files</th>
          </tr>
        </thead>
        <tbody>
          {t.evidence.map((e) => (
            <tr key={e.evidence_id} data-testid="priority-row">
              <td>{e.rank}</td>
              <td>
                <strong>{e.evidence_id}</strong>
                {e.reference && (
                  <div className="muted small" title={e.reference.utc}>
                    {e.reference.source} {e.reference.utc.slice(0, 10)}
                  </div>
                )}
              </td>
              <td className="big" data-testid="priority-score">
                {e.score}
              </td>
              <td className="small">
                {e.reasons.length === 0 && <span className="muted">nothing scored</span>}
                {e.reasons.map((r) => (
                  <div key={r.code}>
                    +{r.points} {r.text}
                  </div>
                ))}
                {e.notes.map((n, i) => (
                  <div key={i} className="muted">
                    note: {n}
                  </div>
                ))}
              </td>
              <td className="small">
                {e.files} files: {e.known_files} known, {e.known_good_files} known-good, {e.unknown_files} unknown ({e.unknown_pictures} pictures,{" "}
                {e.camera_originals} camera originals, {e.gps} with GPS), {e.series} series, {e.near_known} near known
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function VicsExport(props: { o: CaseOverview; selection: Selection; settings: TriageSettings; onExported: () => void }) {
  const { selection } = props;
  const [output, setOutput] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<UnknownExportOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    setBusy(true);
    setError(null);
    setResult(null);
    api
      .exportVictimId(props.o.path, { selection, settings: props.settings, output, examiner: null })
      .then((r) => {
        setResult(r);
        props.onExported();
      })
      .catch((e) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };
  const parts = [
    selection.files.length ? `${selection.files.length} file${selection.files.length > 1 ? "s" : ""}` : null,
    selection.series.length ? `series ${selection.series.join(", ")}` : null,
    selection.camera_originals ? "every camera original" : null,
  ].filter((x) => x !== null);
  return (
    <section className="card narrow">
      <h2>Export for victim identification (VICS 2.0)</h2>
      <p className="muted small">
        MD5, SHA-1, PDQ, metadata and your category of the selected unknown material, for a national victim-identification
        database. The case is verified first; the file's SHA-256 is recorded in the case and its audit log.
      </p>
      <p data-testid="vics-selection">Selected: {parts.length ? parts.join("; ") : "nothing yet (tick files, series or camera originals above)"}</p>
      <PathField label="Output file (never replaced)" value={output} onChange={setOutput} mode="save" testId="vics-output" />
      <button type="button" className="primary" disabled={busy || selectionEmpty(selection) || !output} onClick={run} data-testid="vics-export">
        Export VICS
      </button>
      {result && (
        <div className="ok" data-testid="vics-result">
          <p>
            Wrote {result.path}: {result.media} distinct pictures/videos ({result.files} files), export #{result.record.export_id}
          </p>
          <p className="mono small">SHA-256 {result.record.sha256}</p>
        </div>
      )}
      {error && (
        <p className="error" data-testid="vics-error">
          {error}
        </p>
      )}
    </section>
  );
}

function Num(props: { label: string; value: number; max: number; onChange: (v: number) => void }) {
  return (
    <label className="inline">
      {props.label}
      <input
        type="number"
        min={0}
        max={props.max}
        value={props.value}
        onChange={(e) => {
          const v = Math.round(Number(e.target.value));
          if (Number.isFinite(v) && v >= 0 && v <= props.max) props.onChange(v);
        }}
      />
    </label>
  );
}
