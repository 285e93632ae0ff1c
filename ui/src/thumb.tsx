// A thumbnail read from the evidence through the shell (by file id), or a
// video's contact sheet as the case holds it, shown blurred and grey until
// revealed: one at a time by click, or while held. Videos are never played.
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
  const video = props.typeClass === "video";
  // A contact sheet is one stored image whatever the size shown.
  const key = video ? `${props.casePath}#${props.fileId}@sheet` : `${props.casePath}#${props.fileId}@${props.size}`;
  const [url, setUrl] = useState<string | null>(cache.get(key) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [held, setHeld] = useState(false);

  useEffect(() => {
    setError(null);
    if (cache.has(key)) {
      setUrl(cache.get(key) ?? null);
      return;
    }
    setUrl(null);
    let live = true;
    const load = video
      ? api.contactSheet(props.casePath, props.fileId).then((t) => {
          if (t === null) throw new Error("video: the scan made no contact sheet");
          return t;
        })
      : api.thumbnail(props.casePath, props.fileId, props.size);
    load
      .then((t) => {
        remember(key, t.data_url);
        if (live) setUrl(t.data_url);
      })
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [key, video, props.casePath, props.fileId, props.size]);

  const shown = held || revealed === props.fileId;
  const style = { width: props.size, height: props.size };
  if (error) {
    return (
      <div className="thumb placeholder" style={style} title={error}>
        {video ? "video: no contact sheet" : "no preview"}
      </div>
    );
  }
  return (
    <div
      className="thumb"
      style={style}
      data-testid={video ? "sheet" : "thumb"}
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
          data-testid={video ? "sheet-img" : "thumb-img"}
          style={{ filter: shown ? "none" : concealFilter(wellness.blurPx, wellness.grey) }}
        />
      ) : (
        <span className="loading">…</span>
      )}
    </div>
  );
}
