// The hits: a virtualised grid of blurred thumbnails or a table, over pages
// fetched on demand (only what is on screen is rendered or loaded, so
// 100,000 hits scroll as smoothly as 100), with filters, sorting, a detail
// panel and keyboard review.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { api, errorText } from "./api";
import type { CaseOverview, HitQuery, HitRow, HitSort } from "./bindings";
import { categoryChoices, categoryLabel, humanBytes, pageOf } from "./format";
import { FileDetailPanel } from "./detail";
import { Thumb } from "./thumb";
import { useWellness } from "./settings";

const PAGE = 200;
const TILE = 168;
const ROW_H = 30;

type Filters = Omit<HitQuery, "offset" | "limit" | "sort" | "descending" | "hide_categorised" | "skip_total">;

const NO_FILTERS: Filters = { evidence: [], category: [], method: [], hashset: [], max_distance: null, reviewed: null };

export function HitsView({ o }: { o: CaseOverview }) {
  const { wellness } = useWellness();
  const [view, setView] = useState<"grid" | "table">("grid");
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sort, setSort] = useState<HitSort>("path");
  const [descending, setDescending] = useState(false);
  const [total, setTotal] = useState<number | null>(null);
  const [pages, setPages] = useState<Map<number, HitRow[]>>(new Map());
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const loading = useRef(new Set<number>());
  const cols = useRef(1);

  const query = useMemo(
    () => ({ ...filters, sort, descending, hide_categorised: wellness.hideCategorised }),
    [filters, sort, descending, wellness.hideCategorised],
  );

  // A new query (or a review that changes what matches) starts over.
  useEffect(() => {
    setPages(new Map());
    loading.current.clear();
    setTotal(null);
    api
      .hits(o.path, { ...query, offset: 0, limit: PAGE, skip_total: false })
      .then((p) => {
        setTotal(p.total ?? 0);
        setPages(new Map([[0, p.rows]]));
        setError(null);
      })
      .catch((e) => setError(errorText(e)));
  }, [o.path, query, generation]);

  const ensure = useCallback(
    (index: number) => {
      const page = pageOf(index, PAGE);
      if (pages.has(page) || loading.current.has(page)) return;
      loading.current.add(page);
      api
        .hits(o.path, { ...query, offset: page * PAGE, limit: PAGE, skip_total: true })
        .then((p) => setPages((old) => new Map(old).set(page, p.rows)))
        .catch((e) => setError(errorText(e)))
        .finally(() => loading.current.delete(page));
    },
    [o.path, query, pages],
  );
  const rowAt = (i: number): HitRow | undefined => pages.get(pageOf(i, PAGE))?.[i % PAGE];

  const count = total ?? 0;
  const selectedRow = selected === null ? undefined : rowAt(selected);

  // Keyboard: arrows / j k move, category keys review, Escape deselects.
  const onKey = (e: React.KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === "INPUT" || (e.target as HTMLElement).tagName === "TEXTAREA") return;
    // In the grid, up and down move a whole line of tiles.
    const line = view === "grid" ? cols.current : 1;
    const move = (d: number) => setSelected((s) => Math.max(0, Math.min(count - 1, s === null ? 0 : s + d)));
    if (e.key === "ArrowDown" || e.key === "j") {
      move(line);
      e.preventDefault();
    } else if (e.key === "ArrowUp" || e.key === "k") {
      move(-line);
      e.preventDefault();
    } else if (e.key === "ArrowRight") {
      move(1);
      e.preventDefault();
    } else if (e.key === "ArrowLeft") {
      move(-1);
      e.preventDefault();
    } else if (e.key === "Escape") {
      setSelected(null);
    }
  };

  return (
    <div className="hits" tabIndex={0} onKeyDown={onKey} data-testid="hits">
      <HitFilters o={o} filters={filters} onChange={setFilters} sort={sort} onSort={setSort} descending={descending} onDescending={setDescending} />
      <div className="hits-bar">
        <span data-testid="hit-total">{total === null ? "…" : `${total} hits`}</span>
        {wellness.hideCategorised && <span className="muted small">(already-categorised material hidden)</span>}
        <span className="spacer" />
        <button type="button" className={view === "grid" ? "active" : ""} onClick={() => setView("grid")} data-testid="view-grid">
          Grid
        </button>
        <button type="button" className={view === "table" ? "active" : ""} onClick={() => setView("table")} data-testid="view-table">
          Table
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      <div className="hits-main">
        {view === "grid" ? (
          <Grid o={o} count={count} rowAt={rowAt} ensure={ensure} selected={selected} onSelect={setSelected} onCols={(c) => (cols.current = c)} />
        ) : (
          <Table count={count} rowAt={rowAt} ensure={ensure} selected={selected} onSelect={setSelected} />
        )}
        {selectedRow ? (
          <FileDetailPanel o={o} fileId={selectedRow.file_id} typeClass={selectedRow.type_class} path={selectedRow.path} onReviewed={() => setGeneration((g) => g + 1)} />
        ) : (
          <aside className="detail muted">
            Select a hit (click its caption or row; clicking a picture only reveals it). Keys: arrows or j/k to move,{" "}
            {o.review_scheme === "caid" ? "A, B, C, N" : "0–4"} to categorise.
          </aside>
        )}
      </div>
    </div>
  );
}

function HitFilters(props: {
  o: CaseOverview;
  filters: Filters;
  onChange: (f: Filters) => void;
  sort: HitSort;
  onSort: (s: HitSort) => void;
  descending: boolean;
  onDescending: (d: boolean) => void;
}) {
  const { o, filters: f, onChange } = props;
  const one = (v: string) => (v ? [v] : []);
  return (
    <div className="filters">
      <select value={f.evidence[0] ?? ""} onChange={(e) => onChange({ ...f, evidence: one(e.target.value) })} title="Evidence item">
        <option value="">all items</option>
        {o.evidence.map((e) => (
          <option key={e.evidence_id}>{e.evidence_id}</option>
        ))}
      </select>
      <select value={f.category[0] ?? ""} onChange={(e) => onChange({ ...f, category: one(e.target.value) })} title="Category" data-testid="filter-category">
        <option value="">all categories</option>
        {categoryChoices(o.review_scheme).map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
        <option value="uncategorised">uncategorised</option>
      </select>
      <select value={f.method[0] ?? ""} onChange={(e) => onChange({ ...f, method: one(e.target.value) })} title="Match method" data-testid="filter-method">
        <option value="">all methods</option>
        {["md5", "sha1", "sha256", "pdq", "vpdq"].map((m) => (
          <option key={m}>{m}</option>
        ))}
      </select>
      <select value={f.hashset[0] ?? ""} onChange={(e) => onChange({ ...f, hashset: one(e.target.value) })} title="Hash set">
        <option value="">all hash sets</option>
        {o.hashsets
          .filter((h) => h.kind === "alert")
          .map((h) => (
            <option key={h.set_uid} value={h.set_uid}>
              {h.name} {h.version ?? ""}
            </option>
          ))}
      </select>
      <label className="inline">
        distance ≤
        <input
          type="number"
          min={0}
          max={256}
          value={f.max_distance ?? ""}
          onChange={(e) => onChange({ ...f, max_distance: e.target.value === "" ? null : Number(e.target.value) })}
        />
      </label>
      <select
        value={f.reviewed === null ? "" : f.reviewed ? "yes" : "no"}
        onChange={(e) => onChange({ ...f, reviewed: e.target.value === "" ? null : e.target.value === "yes" })}
        title="Reviewed"
        data-testid="filter-reviewed"
      >
        <option value="">reviewed or not</option>
        <option value="no">not reviewed</option>
        <option value="yes">reviewed</option>
      </select>
      <label className="inline">
        sort
        <select value={props.sort} onChange={(e) => props.onSort(e.target.value as HitSort)}>
          {(["path", "size", "method", "distance", "hashset", "category", "reviewed", "modified"] as HitSort[]).map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={props.descending} onChange={(e) => props.onDescending(e.target.checked)} /> descending
      </label>
    </div>
  );
}

interface ListProps {
  count: number;
  rowAt: (i: number) => HitRow | undefined;
  ensure: (i: number) => void;
  selected: number | null;
  onSelect: (i: number) => void;
}

function useWidth(ref: React.RefObject<HTMLDivElement | null>): number {
  const [w, setW] = useState(800);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    setW(el.clientWidth);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

function Grid(props: ListProps & { o: CaseOverview; onCols: (cols: number) => void }) {
  const parent = useRef<HTMLDivElement>(null);
  const width = useWidth(parent);
  const cols = Math.max(1, Math.floor((width - 8) / (TILE + 12)));
  props.onCols(cols);
  const lines = Math.ceil(props.count / cols);
  const v = useVirtualizer({ count: lines, getScrollElement: () => parent.current, estimateSize: () => TILE + 46, overscan: 3 });
  useEffect(() => {
    if (props.selected !== null) v.scrollToIndex(Math.floor(props.selected / cols));
  }, [props.selected, cols]);
  return (
    <div className="scroller" ref={parent} data-testid="hit-grid">
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((line) => (
          <div key={line.key} className="grid-line" style={{ transform: `translateY(${line.start}px)` }}>
            {Array.from({ length: cols }, (_, c) => {
              const i = line.index * cols + c;
              if (i >= props.count) return null;
              const r = props.rowAt(i);
              if (!r) {
                props.ensure(i);
                return <div key={c} className="tile loading" style={{ width: TILE }} />;
              }
              return (
                <div
                  key={c}
                  className={`tile${props.selected === i ? " selected" : ""}`}
                  style={{ width: TILE }}
                  onClick={() => props.onSelect(i)}
                  data-testid="hit-tile"
                >
                  <Thumb casePath={props.o.path} fileId={r.file_id} typeClass={r.type_class} size={TILE - 8} />
                  <div className="tile-caption">
                    <span className={`cat ${r.review_category ? "reviewed" : ""}`}>{categoryLabel(r.review_category ?? r.category)}</span>
                    <span className="small muted">
                      {r.method}
                      {r.distance !== null ? ` d${r.distance}` : ""}
                    </span>
                  </div>
                  <div className="tile-path small" title={r.path}>
                    {r.path}
                  </div>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

function Table(props: ListProps) {
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: props.count, getScrollElement: () => parent.current, estimateSize: () => ROW_H, overscan: 20 });
  useEffect(() => {
    if (props.selected !== null) v.scrollToIndex(props.selected);
  }, [props.selected]);
  return (
    <div className="scroller" ref={parent} data-testid="hit-table">
      <div className="trow thead">
        <span className="c-item">Item</span>
        <span className="c-path">Path</span>
        <span className="c-size">Size</span>
        <span className="c-method">Method</span>
        <span className="c-set">Hash set</span>
        <span className="c-cat">Category</span>
        <span className="c-rev">Review</span>
      </div>
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((it) => {
          const r = props.rowAt(it.index);
          if (!r) props.ensure(it.index);
          return (
            <div
              key={it.key}
              className={`trow${props.selected === it.index ? " selected" : ""}`}
              style={{ transform: `translateY(${it.start}px)`, height: ROW_H }}
              onClick={() => props.onSelect(it.index)}
              data-testid="hit-row"
            >
              {r ? (
                <>
                  <span className="c-item">{r.evidence_id}</span>
                  <span className="c-path mono" title={r.path}>
                    {r.path}
                  </span>
                  <span className="c-size">{humanBytes(r.size)}</span>
                  <span className="c-method">
                    {r.method}
                    {r.distance !== null ? ` (${r.distance})` : ""}
                  </span>
                  <span className="c-set">{r.hashset}</span>
                  <span className="c-cat">{categoryLabel(r.category)}</span>
                  <span className="c-rev">{r.reviewed ? categoryLabel(r.review_category) : "–"}</span>
                </>
              ) : (
                <span className="muted">…</span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
