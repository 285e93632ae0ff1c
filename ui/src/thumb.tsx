// A thumbnail read from the evidence through the shell (by file id), shown
// blurred and grey until revealed: one at a time by click, or while held.
import { useEffect, useState } from "react";
import { api, errorText } from "./api";
import { concealFilter } from "./format";
import { useWellness } from "./settings";

// Thumbnails stay in memory only (never written to disk), a bounded number.
const cache = new Map<string, string>();
const CACHE_MAX = 600;

function remember(key: string, url: string) {
  cache.set(key, url);
  if (cache.size > CACHE_MAX) {
    const first = cache.keys().next().value;
    if (first !== undefined) cache.delete(first);
  }
}

export function Thumb(props: { casePath: string; fileId: number; typeClass: string | null; size: number }) {
  const { wellness, revealed, setRevealed } = useWellness();
  const key = `${props.casePath}#${props.fileId}@${props.size}`;
  const [url, setUrl] = useState<string | null>(cache.get(key) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [held, setHeld] = useState(false);

  useEffect(() => {
    if (props.typeClass === "video") return;
    if (cache.has(key)) {
      setUrl(cache.get(key) ?? null);
      return;
    }
    let live = true;
    api
      .thumbnail(props.casePath, props.fileId, props.size)
      .then((t) => {
        remember(key, t.data_url);
        if (live) setUrl(t.data_url);
      })
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [key, props.casePath, props.fileId, props.size, props.typeClass]);

  const shown = held || revealed === props.fileId;
  const style = { width: props.size, height: props.size };
  if (props.typeClass === "video") {
    // Videos are never played here (no autoplay, no sound): no contact
    // sheet is recorded in the case yet, so a placeholder stands in.
    return (
      <div className="thumb placeholder" style={style} title="Video: no contact sheet recorded">
        video
      </div>
    );
  }
  if (error) {
    return (
      <div className="thumb placeholder" style={style} title={error}>
        no preview
      </div>
    );
  }
  return (
    <div
      className="thumb"
      style={style}
      data-testid="thumb"
      data-revealed={shown ? "true" : "false"}
      title={shown ? "Click to hide" : "Click to reveal (or hold)"}
      onClick={(e) => {
        e.stopPropagation();
        setRevealed(revealed === props.fileId ? null : props.fileId);
      }}
      onPointerDown={() => setHeld(true)}
      onPointerUp={() => setHeld(false)}
      onPointerLeave={() => setHeld(false)}
    >
      {url ? (
        <img
          src={url}
          alt=""
          draggable={false}
          data-testid="thumb-img"
          style={{ filter: shown ? "none" : concealFilter(wellness.blurPx, wellness.grey) }}
        />
      ) : (
        <span className="loading">…</span>
      )}
    </div>
  );
}
