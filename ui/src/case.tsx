import { useCallback, useEffect, useState } from "react";
import { api, errorText } from "./api";
import type {
  AuditEntry,
  CaseOverview,
  ExportOutcome,
  Format,
  LibraryView,
  Outcome,
  ReportFormat,
  SetKind,
  Snapshot,
  VerifyReport,
  WarningView,
  WorkProgress,
} from "./bindings";
import { categoryLabel, humanBytes, humanDuration, parseHashLines, progressFraction, progressLine, workFraction, workLine } from "./format";
import { PathField } from "./picker";
import { HitsView } from "./hits";
import { TriageView } from "./triage";
import { useWellness } from "./settings";
import { ledgerSource, useLedger } from "./ledger";

const TABS = ["overview", "evidence", "library", "scan", "hits", "triage", "warnings", "audit", "verify", "export", "settings"] as const;
type Tab = (typeof TABS)[number];

export function CaseView({ overview, onOverview }: { overview: CaseOverview; onOverview: (o: CaseOverview) => void }) {
  const [tab, setTab] = useState<Tab>("overview");
  const path = overview.path;
  const refresh = () => api.overview(path).then(onOverview).catch(() => undefined);
  return (
    <div className="case">
      <nav className="tabs">
        {TABS.map((t) => (
          <button key={t} type="button" className={t === tab ? "active" : ""} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
            {t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
      </nav>
      <div className="tab-body">
        {tab === "overview" && <Overview o={overview} />}
        {tab === "evidence" && <Evidence o={overview} onAdded={refresh} />}
        {tab === "library" && <Library />}
        {tab === "scan" && <Scan o={overview} onDone={refresh} />}
        {tab === "hits" && <HitsView o={overview} />}
        {tab === "triage" && <TriageView o={overview} onExported={refresh} />}
        {tab === "warnings" && <Warnings path={path} />}
        {tab === "audit" && <Audit path={path} />}
        {tab === "verify" && <Verify path={path} />}
        {tab === "export" && <Export o={overview} onDone={refresh} />}
        {tab === "settings" && <Settings />}
      </div>
    </div>
  );
}

function Overview({ o }: { o: CaseOverview }) {
  const totals = new Map(o.totals.map((t) => [t.evidence_id, t]));
  const sum = (f: (t: (typeof o.totals)[number]) => number) => o.totals.reduce((a, t) => a + f(t), 0);
  return (
    <div className="overview" data-testid="overview">
      <section className="card summary">
        <div>
          <strong>{sum((t) => t.files)}</strong>
          <span>entries scanned</span>
        </div>
        <div>
          <strong>{sum((t) => t.hits)}</strong>
          <span>hits</span>
        </div>
        <div>
          <strong data-testid="known-good-total">{sum((t) => t.known_good)}</strong>
          <span>known-good set aside</span>
        </div>
        <div>
          <strong>{sum((t) => t.warnings)}</strong>
          <span>warnings</span>
        </div>
        <div>
          <strong>{o.exports.length}</strong>
          <span>reports exported</span>
        </div>
        {o.resumable_run !== null && (
          <div className="error">
            <strong>run {o.resumable_run}</strong>
            <span>unfinished: resume it under Scan</span>
          </div>
        )}
      </section>
      <section className="card">
        <h2>Case {o.case.case_number}</h2>
        <dl className="facts">
          <dt>Title</dt>
          <dd>{o.case.title || "–"}</dd>
          <dt>Agency</dt>
          <dd>{o.case.agency || "–"}</dd>
          <dt>Examiner</dt>
          <dd>{o.case.examiner}</dd>
          <dt>Created</dt>
          <dd>{o.case.created_utc}</dd>
          <dt>File</dt>
          <dd className="mono">{o.path}</dd>
          <dt>Review scheme</dt>
          <dd>{o.review_scheme === "caid" ? "CAID (A, B, C, N)" : "VICS US (0–4)"}</dd>
        </dl>
      </section>
      <section className="card">
        <h2>Evidence items</h2>
        <table className="table">
          <thead>
            <tr>
              <th>Item</th>
              <th>Folder</th>
              <th>Files</th>
              <th>Read</th>
              <th>Known-good set aside</th>
              <th>Hits</th>
              <th>Warnings</th>
            </tr>
          </thead>
          <tbody>
            {o.evidence.map((e) => {
              const t = totals.get(e.evidence_id);
              return (
                <tr key={e.evidence_id}>
                  <td>
                    <strong>{e.evidence_id}</strong>
                    <div className="muted small">{e.description}</div>
                  </td>
                  <td className="mono small">{e.source_path}</td>
                  <td>{t?.files ?? 0}</td>
                  <td>{humanBytes(t?.bytes ?? 0)}</td>
                  <td data-testid={`known-good-${e.evidence_id}`}>{t?.known_good ?? 0}</td>
                  <td>{t?.hits ?? 0}</td>
                  <td>{t?.warnings ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {o.evidence.length === 0 && <p className="muted">No evidence yet: add a mounted folder under Evidence.</p>}
      </section>
      <section className="card">
        <h2>Hits per category per evidence item</h2>
        {o.by_category.length === 0 ? (
          <p className="muted">No hits recorded.</p>
        ) : (
          <table className="table" data-testid="by-category">
            <thead>
              <tr>
                <th>Item</th>
                <th>Category</th>
                <th>Hits</th>
                <th>Files</th>
              </tr>
            </thead>
            <tbody>
              {o.by_category.map((c) => (
                <tr key={`${c.evidence_id}/${c.category}`}>
                  <td>{c.evidence_id}</td>
                  <td>{categoryLabel(c.category)}</td>
                  <td>{c.hits}</td>
                  <td>{c.files}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>Hash sets used</h2>
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Version</th>
              <th>Kind</th>
              <th>Format</th>
              <th>Records</th>
              <th>Source SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {o.hashsets.map((h) => (
              <tr key={h.set_uid}>
                <td>{h.name}</td>
                <td>{h.version ?? "–"}</td>
                <td>{h.kind}</td>
                <td>
                  {h.format}
                  {h.profile ? ` (${h.profile})` : ""}
                </td>
                <td>{h.record_count}</td>
                <td className="mono small">{h.source_sha256.slice(0, 16)}…</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>Scan runs</h2>
        <table className="table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Started</th>
              <th>State</th>
              <th>Files</th>
              <th>Hits</th>
              <th>Known-good</th>
              <th>Warnings</th>
              <th>Tool</th>
            </tr>
          </thead>
          <tbody>
            {o.runs.map((r) => (
              <tr key={r.run_id}>
                <td>{r.run_id}</td>
                <td>{r.started_utc}</td>
                <td>{r.state}</td>
                <td>{r.counts.files}</td>
                <td>{r.counts.hits}</td>
                <td>{r.counts.known_good}</td>
                <td>{r.counts.warnings}</td>
                <td className="small">
                  {r.tool_name} {r.tool_version} ({r.git_commit})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Evidence({ o, onAdded }: { o: CaseOverview; onAdded: () => void }) {
  const [id, setId] = useState(`ITEM-${String(o.evidence.length + 1).padStart(3, "0")}`);
  const [folder, setFolder] = useState("");
  const [description, setDescription] = useState("");
  const [hashes, setHashes] = useState("");
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const add = () => {
    setMsg(null);
    api
      .addEvidence(o.path, { evidence_id: id, folder, description, acquisition_hashes: parseHashLines(hashes) })
      .then((e) => {
        setMsg({ ok: true, text: `Added ${e.evidence_id} (${e.source_path})` });
        onAdded();
      })
      .catch((e) => setMsg({ ok: false, text: errorText(e) }));
  };
  return (
    <section className="card narrow">
      <h2>Add evidence</h2>
      <p className="muted">A mounted folder (mount it read-only). Spoor never writes to evidence.</p>
      <label className="field">
        <span>Evidence id</span>
        <input data-testid="evidence-id" value={id} onChange={(e) => setId(e.target.value)} />
      </label>
      <PathField label="Folder" value={folder} onChange={setFolder} mode="folder" testId="evidence-folder" />
      <label className="field">
        <span>Description</span>
        <input data-testid="evidence-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label className="field">
        <span>Acquisition hashes (ALGORITHM:HEX, one per line, as supplied)</span>
        <textarea rows={3} value={hashes} onChange={(e) => setHashes(e.target.value)} spellCheck={false} />
      </label>
      <button type="button" className="primary" onClick={add} data-testid="add-evidence">
        Add evidence
      </button>
      {msg && (
        <p className={msg.ok ? "ok" : "error"} data-testid="evidence-result">
          {msg.text}
        </p>
      )}
    </section>
  );
}

const FORMATS: Format[] = ["md5sum", "sha1sum", "sha256sum", "csv", "vics", "caid", "nsrl-rds3", "nsrl-rds2", "hashkeeper", "encase", "tsk-idx", "tsk-kdb"];

function Library() {
  const [lib, setLib] = useState<LibraryView | null>(null);
  const [file, setFile] = useState("");
  const [name, setName] = useState("");
  const [version, setVersion] = useState("");
  const [kind, setKind] = useState<"" | SetKind>("");
  const [format, setFormat] = useState<"" | Format>("");
  const [detected, setDetected] = useState<string | null>(null);
  const [progress, setProgress] = useState<WorkProgress | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const load = () => api.librarySets().then(setLib).catch((e) => setMsg({ ok: false, text: errorText(e) }));
  useEffect(() => {
    load();
  }, []);
  useEffect(() => {
    setDetected(null);
    if (!file) return;
    api
      .detectFormat(file)
      .then((f) => setDetected(f ?? "not recognised"))
      .catch(() => setDetected(null));
  }, [file]);
  const importSet = () => {
    setMsg(null);
    api
      .importHashset({ file, name, version: version || null, kind: kind || null, format: format || null }, setProgress)
      .then((r) => {
        const videos = (r.info.vpdq_videos ?? 0) > 0 ? `, ${r.info.vpdq_videos} videos` : "";
        setMsg({ ok: true, text: `Imported ${r.info.name}: ${r.info.record_count} records${videos} (${r.info.format})` });
        load();
      })
      .catch((e) => setMsg({ ok: false, text: errorText(e) }));
  };
  const remove = (id: string) => {
    if (!window.confirm(`Remove ${id} from the library? Cases keep their record of it.`)) return;
    api.removeHashset(id).then(load).catch((e) => setMsg({ ok: false, text: errorText(e) }));
  };
  return (
    <div>
      <section className="card narrow">
        <h2>Import a hash set</h2>
        <PathField label="Hash list" value={file} onChange={setFile} mode="file" testId="import-file" />
        {detected && <p className="muted small" data-testid="detected-format">Detected format: {detected}</p>}
        <div className="grid2">
          <label className="field">
            <span>Name</span>
            <input data-testid="import-name" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span>Version</span>
            <input value={version} onChange={(e) => setVersion(e.target.value)} />
          </label>
          <label className="field">
            <span>Kind</span>
            <select data-testid="import-kind" value={kind} onChange={(e) => setKind(e.target.value as "" | SetKind)}>
              <option value="">(NSRL: ignore; otherwise choose)</option>
              <option value="alert">alert: known material</option>
              <option value="ignore">ignore: known-good</option>
            </select>
          </label>
          <label className="field">
            <span>Format</span>
            <select value={format} onChange={(e) => setFormat(e.target.value as "" | Format)}>
              <option value="">auto-detect</option>
              {FORMATS.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
          </label>
        </div>
        <button type="button" className="primary" onClick={importSet} data-testid="import-hashset">
          Import
        </button>
        {progress && progress.stage !== "done" && <WorkBar p={progress} testId="import-progress" />}
        {msg && (
          <p className={msg.ok ? "ok" : "error"} data-testid="import-result">
            {msg.text}
          </p>
        )}
      </section>
      <section className="card">
        <h2>Library</h2>
        <p className="muted small mono">{lib?.root}</p>
        <table className="table" data-testid="library-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Version</th>
              <th>Kind</th>
              <th>Format</th>
              <th>Records</th>
              <th>Source</th>
              <th>Imported</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {lib?.sets.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{s.version ?? "–"}</td>
                <td>{s.kind}</td>
                <td>
                  {s.format}
                  {s.profile ? ` (${s.profile})` : ""}
                </td>
                <td>{s.record_count}</td>
                <td className="small">
                  {s.source_name}
                  <div className="mono muted">{s.source_sha256.slice(0, 16)}…</div>
                  <div className="muted">{s.importer_version}</div>
                </td>
                <td className="small">{s.imported_utc}</td>
                <td>
                  <button type="button" onClick={() => remove(s.id)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Scan({ o, onDone }: { o: CaseOverview; onDone: () => void }) {
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rescan, setRescan] = useState(false);
  const start = () => {
    setError(null);
    setOutcome(null);
    setRunning(true);
    api
      .scan(o.path, { hashsets: [], rescan, jobs: null }, setSnap)
      .then((out) => {
        setOutcome(out);
        onDone();
      })
      .catch((e) => setError(errorText(e)))
      .finally(() => setRunning(false));
  };
  const resumable = o.resumable_run !== null;
  return (
    <section className="card narrow" data-testid="scan">
      <h2>Scan</h2>
      <p className="muted">
        Every evidence item no completed run has covered, against every set in the library. A cancelled scan is resumed
        where it stopped.
      </p>
      <div className="row">
        <button type="button" className="primary" disabled={running} onClick={start} data-testid="start-scan">
          {resumable ? `Resume run ${o.resumable_run}` : "Start scan"}
        </button>
        <button type="button" disabled={!running} onClick={() => api.cancelScan()} data-testid="cancel-scan">
          Cancel
        </button>
        <label className="check">
          <input type="checkbox" checked={rescan} onChange={(e) => setRescan(e.target.checked)} /> scan covered items again
        </label>
      </div>
      {snap && (
        <div className="progress" data-testid="scan-progress">
          <div className="bar">
            <div style={{ width: `${Math.round(progressFraction(snap) * 100)}%` }} />
          </div>
          <p>{progressLine(snap)}</p>
          <dl className="facts">
            <dt>Rate</dt>
            <dd>{humanBytes(Math.round(snap.bytes_per_sec))}/s</dd>
            <dt>Elapsed</dt>
            <dd>{humanDuration(snap.elapsed_secs)}</dd>
            <dt>Remaining</dt>
            <dd>{humanDuration(snap.eta_secs)}</dd>
            <dt>Hits</dt>
            <dd>{snap.hits}</dd>
            <dt>Known-good</dt>
            <dd>{snap.known_good}</dd>
            <dt>Warnings</dt>
            <dd>{snap.warnings}</dd>
            {snap.resumed_files > 0 && (
              <>
                <dt>Already recorded</dt>
                <dd>{snap.resumed_files}</dd>
              </>
            )}
          </dl>
        </div>
      )}
      {outcome && (
        <p className="ok" data-testid="scan-outcome">
          {outcome.outcome === "nothing_to_scan"
            ? "Nothing to scan: every evidence item was scanned by a completed run."
            : `Run ${outcome.run_id} ${outcome.outcome}: ${outcome.counts.files} entries, ${outcome.counts.hits} hits, ${outcome.counts.known_good} known-good set aside, ${outcome.counts.warnings} warnings.`}
        </p>
      )}
      {error && (
        <p className="error" data-testid="scan-error">
          {error}
        </p>
      )}
    </section>
  );
}

/** A table of rows read once from the case: the warnings and the audit log. */
function CaseTable<T>(props: {
  title: (rows: T[] | null) => string;
  load: () => Promise<T[]>;
  head: string[];
  row: (r: T, i: number) => React.ReactNode;
  testId?: string;
}) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { load } = props;
  useEffect(() => {
    load()
      .then(setRows)
      .catch((e) => setError(errorText(e)));
  }, [load]);
  return (
    <section className="card">
      <h2>{props.title(rows)}</h2>
      {error && <p className="error">{error}</p>}
      <table className="table" data-testid={props.testId}>
        <thead>
          <tr>
            {props.head.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{rows?.map(props.row)}</tbody>
      </table>
    </section>
  );
}

function Warnings({ path }: { path: string }) {
  const load = useCallback(() => api.warnings(path), [path]);
  return (
    <CaseTable<WarningView>
      title={(rows) => `Warnings${rows ? ` (${rows.length})` : ""}`}
      load={load}
      head={["Item", "Stage", "Path", "Reason"]}
      testId="warnings-table"
      row={(w, i) => (
        <tr key={i}>
          <td>{w.evidence_id}</td>
          <td>{w.stage}</td>
          <td className="mono small">{w.path}</td>
          <td>{w.reason}</td>
        </tr>
      )}
    />
  );
}

function Audit({ path }: { path: string }) {
  const load = useCallback(() => api.auditLog(path), [path]);
  return (
    <CaseTable<AuditEntry>
      title={(rows) => `Audit log${rows ? ` (${rows.length} entries)` : ""}`}
      load={load}
      head={["#", "Time (UTC)", "Action", "Actor", "Details", "Hash"]}
      testId="audit-table"
      row={(a) => (
        <tr key={a.seq}>
          <td>{a.seq}</td>
          <td className="small">{a.time_utc}</td>
          <td>{a.action}</td>
          <td>{a.actor}</td>
          <td className="mono small details">{JSON.stringify(a.details)}</td>
          <td className="mono small">{a.entry_hash.slice(0, 16)}…</td>
        </tr>
      )}
    />
  );
}

/** Progress of an import or export: a bar when the total is known, the line always. */
function WorkBar({ p, testId }: { p: WorkProgress; testId: string }) {
  return (
    <div className="progress" data-testid={testId}>
      {p.total !== null && (
        <div className="bar">
          <div style={{ width: `${Math.round(workFraction(p) * 100)}%` }} />
        </div>
      )}
      <p className="muted">{workLine(p)}</p>
    </div>
  );
}

function Verify({ path }: { path: string }) {
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = () => {
    setBusy(true);
    setError(null);
    api
      .verifyCase(path)
      .then(setReport)
      .catch((e) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };
  return (
    <section className="card narrow">
      <h2>Verify the case file</h2>
      <p className="muted">Recomputes the audit chain, every row hash and every completed run's digests.</p>
      <button type="button" className="primary" onClick={run} disabled={busy} data-testid="verify-case">
        Verify
      </button>
      {report && (
        <div data-testid="verify-verdict" data-intact={report.intact ? "true" : "false"}>
          <p className={report.intact ? "ok big" : "error big"}>
            {report.intact ? "INTACT: nothing was altered." : `NOT INTACT: ${report.problems[0]?.table} ${report.problems[0]?.row ?? ""}: ${report.problems[0]?.message}`}
          </p>
          <dl className="facts">
            <dt>Audit entries</dt>
            <dd>{report.audit_entries}</dd>
            <dt>Chain head</dt>
            <dd className="mono small">
              #{report.head_seq} {report.head_hash}
            </dd>
            <dt>Rows checked</dt>
            <dd>{Object.values(report.rows).reduce((a, b) => a + (b ?? 0), 0)}</dd>
            <dt>Problems</dt>
            <dd>{report.problems.length}</dd>
          </dl>
        </div>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}

function Export({ o, onDone }: { o: CaseOverview; onDone: () => void }) {
  const [format, setFormat] = useState<ReportFormat>("html");
  const [output, setOutput] = useState("");
  const [evidence, setEvidence] = useState("");
  const [category, setCategory] = useState("");
  const [method, setMethod] = useState("");
  const [reviewedOnly, setReviewedOnly] = useState(false);
  const [progress, setProgress] = useState<WorkProgress | null>(null);
  const [result, setResult] = useState<ExportOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    setError(null);
    setResult(null);
    const filters = {
      evidence: evidence ? [evidence] : [],
      category: category ? [category] : [],
      method: method ? [method] : [],
      reviewed_only: reviewedOnly,
    };
    api
      .exportReport(o.path, { format, filters, output, examiner: null }, setProgress)
      .then((r) => {
        setResult(r);
        onDone();
      })
      .catch((e) => setError(errorText(e)));
  };
  return (
    <section className="card narrow">
      <h2>Export a report</h2>
      <p className="muted">The case is verified first; the file's SHA-256 is recorded in the case and its audit log.</p>
      <div className="grid2">
        <label className="field">
          <span>Format</span>
          <select data-testid="export-format" value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)}>
            <option value="html">HTML</option>
            <option value="pdf">PDF</option>
            <option value="csv">CSV</option>
            <option value="vics">VICS 2.0</option>
          </select>
        </label>
        <label className="field">
          <span>Evidence item</span>
          <select value={evidence} onChange={(e) => setEvidence(e.target.value)}>
            <option value="">all</option>
            {o.evidence.map((e) => (
              <option key={e.evidence_id}>{e.evidence_id}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Category (raw value or uncategorised)</span>
          <input value={category} onChange={(e) => setCategory(e.target.value)} />
        </label>
        <label className="field">
          <span>Method</span>
          <select value={method} onChange={(e) => setMethod(e.target.value)}>
            <option value="">all</option>
            {["md5", "sha1", "sha256", "pdq", "vpdq"].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={reviewedOnly} onChange={(e) => setReviewedOnly(e.target.checked)} /> reviewed hits only
      </label>
      <PathField label="Output file (never replaced)" value={output} onChange={setOutput} mode="save" testId="export-output" />
      <button type="button" className="primary" onClick={run} data-testid="export-report">
        Export
      </button>
      {progress && progress.stage !== "done" && !result && <WorkBar p={progress} testId="export-progress" />}
      {result && (
        <div className="ok" data-testid="export-result">
          <p>
            Wrote {result.path} ({result.record.format}, {result.record.size} bytes, {result.hits} hits), export #{result.record.export_id}
          </p>
          <p className="mono small">SHA-256 {result.record.sha256}</p>
          <p className="mono small">report digest {result.record.report_digest}</p>
        </div>
      )}
      {error && (
        <p className="error" data-testid="export-error">
          {error}
        </p>
      )}
    </section>
  );
}

function Settings() {
  const { wellness, setWellness } = useWellness();
  return (
    <section className="card narrow">
      <h2>Wellness</h2>
      <p className="muted">Thumbnails stay blurred until revealed one at a time (click, or hold the mouse button).</p>
      <label className="field">
        <span>Blur strength: {wellness.blurPx}px</span>
        <input
          type="range"
          min={0}
          max={40}
          value={wellness.blurPx}
          data-testid="blur-strength"
          onChange={(e) => setWellness({ ...wellness, blurPx: Number(e.target.value) })}
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={wellness.grey} onChange={(e) => setWellness({ ...wellness, grey: e.target.checked })} /> grey until revealed
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={wellness.hideCategorised}
          onChange={(e) => setWellness({ ...wellness, hideCategorised: e.target.checked })}
        />{" "}
        hide already-categorised material from the review queue
      </label>
      <p className="muted small">Videos are never played automatically and never with sound.</p>
      <AnchorLedger />
    </section>
  );
}

/** Which anchor ledger every write's chain head goes to (so the examiner can check it). */
function AnchorLedger() {
  const status = useLedger();
  return (
    <>
      <h2>Anchor ledger</h2>
      <p className="muted">
        Every write to a case also appends the case&apos;s new chain head to this file outside the case; <code>spoor verify</code> checks the
        case against it.
      </p>
      {status ? (
        <dl className="facts">
          <dt>File</dt>
          <dd className="mono" data-testid="ledger-path">
            {status.ledger ?? "none"}
          </dd>
          <dt>Chosen by</dt>
          <dd>{ledgerSource(status)}</dd>
        </dl>
      ) : (
        <p className="muted">Not known yet.</p>
      )}
    </>
  );
}
