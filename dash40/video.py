"""Reading clips with their true frame times.

A frame's time is its presentation timestamp (``pts × time_base``) relative to the first frame,
never ``index / fps``: phone clips have variable frame rates and dropped frames, and slow-motion
files store 240-fps captures with 30-fps timestamps. For those, real time = file time ×
``time_scale`` where ``time_scale = file fps / capture fps`` (e.g. 30/240).

Frames are streamed one at a time (a generator); nothing holds a whole clip in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError, VideoError

# Metadata keys under which phones and our generator record the capture frame rate of a
# slow-motion clip whose timestamps run at playback speed.
CAPTURE_FPS_KEYS = (
    "capture_fps",
    "com.apple.quicktime.capture.fps",
    "com.android.capture.fps",
    "dash40_capture_fps",
)


@dataclass(frozen=True)
class VideoInfo:
    """What a clip is. ``width``/``height`` are of the displayed picture (after rotation)."""

    path: str
    width: int
    height: int
    fps: float  # file frame rate: its average, or with a capture rate given, its nominal rate (median interval)
    capture_fps: float  # real capture rate (== fps unless slow motion)
    frames: int  # frame count from the container (0 if unknown)
    duration_s: float  # real seconds
    codec: str
    rotation: int  # degrees counter-clockwise applied to display the picture

    @property
    def time_scale(self) -> float:
        """Multiply file time by this to get real time."""
        return self.fps / self.capture_fps


@dataclass(frozen=True)
class Frame:
    index: int  # decode order, 0-based, counting every decoded frame
    time_s: float  # real seconds since the first frame
    image: np.ndarray  # H×W×3 uint8, BGR (OpenCV order), displayed orientation
    pict_type: str = "?"  # "I", "P" or "B" as the decoder reports it; "?" when it does not say


_PICT_TYPES = {1: "I", 2: "P", 3: "B", "I": "I", "P": "P", "B": "B"}  # FFmpeg's AVPictureType


def _pict_type(frame) -> str:
    """"I", "P" or "B" ("?" if unknown): a B picture may borrow from a later one (``dash40.timing``)."""
    value = frame.pict_type
    value = getattr(value, "name", value)  # an enum in some PyAV versions, an int in others
    if isinstance(value, str):
        value = value.rsplit(".", 1)[-1].upper()
    return _PICT_TYPES.get(value, "?")


def _open(path: str | os.PathLike):
    import av

    p = Path(path)
    if not p.exists():
        raise VideoError(f"The clip {p.name!r} does not exist (looked for {p}).")
    if p.is_dir():
        raise VideoError(f"{p.name!r} is a folder, not a video clip.")
    if p.stat().st_size == 0:
        raise VideoError(f"The clip {p.name!r} is empty (0 bytes): copy it again from the phone.")
    try:
        container = av.open(str(p))
    except (av.error.InvalidDataError, UnicodeDecodeError, ValueError) as exc:
        raise VideoError(
            f"{p.name!r} is not a video dash40 can read (it may be another kind of file, or truncated "
            f"before the end was written): {type(exc).__name__}."
        ) from None
    except av.error.FFmpegError as exc:
        raise VideoError(f"{p.name!r} could not be opened as a video ({exc.strerror or exc}).") from None
    if not container.streams.video:
        kinds = ", ".join(sorted({s.type for s in container.streams})) or "nothing"
        container.close()
        raise VideoError(f"{p.name!r} has no video track (it holds {kinds}): record the rep with the camera.")
    return container


def _rotation_of(stream, first_frame=None) -> int:
    rot = 0
    if first_frame is not None:
        try:
            rot = int(round(first_frame.rotation or 0))
        except (AttributeError, TypeError, ValueError):
            rot = 0
    if rot == 0:
        try:
            rot = int(float(stream.metadata.get("rotate", 0)))
        except (TypeError, ValueError):
            rot = 0
    return rot % 360


def _capture_fps_from_metadata(container, stream) -> float | None:
    for meta in (stream.metadata, container.metadata):
        for key, value in meta.items():
            if key.lower() in CAPTURE_FPS_KEYS:
                try:
                    v = float(value)
                except (TypeError, ValueError):
                    continue
                if 1.0 <= v <= 10000.0:
                    return v
    return None


NOMINAL_RATE_PACKETS = 600  # timestamps read for the file's nominal frame rate
STANDARD_RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 48.0, 50.0, 60000 / 1001, 60.0, 90.0, 100.0,
                  120000 / 1001, 120.0, 240.0)


def _nominal_rate(container, stream) -> float | None:
    """The file's nominal frame rate: one over the median interval between the timestamps of its
    first NOMINAL_RATE_PACKETS packets (None when fewer than 3 have one). The container's average
    rate counts dropped frames as slower frames: a slow-motion file (240-fps capture stored at 30
    fps) that dropped 4 % of its frames averaged 28.8 fps, and every real time (file time × file
    rate ÷ capture rate) came out 4 % short — a 1.22-s split 50 ms short. Seeks the container back
    to its start."""
    pts = []
    try:
        for pkt in container.demux(stream):
            if pkt.pts is not None:
                pts.append(int(pkt.pts))
            if len(pts) >= NOMINAL_RATE_PACKETS:
                break
        container.seek(0, stream=stream)
    except Exception:  # noqa: BLE001 - a damaged file is reported when its frames are decoded
        return None
    dt = np.diff(np.unique(np.asarray(pts, np.int64))).astype(float)
    if len(dt) < 2 or stream.time_base is None:
        return None
    dt = dt[dt < 1.5 * np.median(dt)]  # (a dropped frame's interval is two or more)
    step = float(np.median(dt) * stream.time_base)
    if step <= 0:
        return None
    # Jittered timestamps leave the median a few tenths of a percent off the rate the phone wrote
    # them at, which is one of the standard rates.
    rate = 1.0 / step
    near = min(STANDARD_RATES, key=lambda r: abs(r - rate))
    return near if abs(near - rate) <= 0.015 * near else rate


def probe(path: str | os.PathLike, capture_fps: float | None = None) -> VideoInfo:
    """Read a clip's metadata (and its first frame, to be sure it decodes).

    ``capture_fps`` overrides the capture rate (a slow-motion clip whose phone did not record it).
    """
    if capture_fps is not None and not (np.isfinite(capture_fps) and 1.0 <= capture_fps <= 10000.0):
        raise InputError(f"--capture-fps must be a frame rate between 1 and 10000, got {capture_fps}.")
    container = _open(path)
    try:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        try:
            first = next(iter(container.decode(stream)), None)
        except Exception:  # noqa: BLE001 - any decoder failure means the same thing to a coach
            first = None
        if first is None:
            raise VideoError(f"{Path(path).name!r} has a video track but no frame could be decoded: the file is damaged or truncated.")
        if fps <= 0:
            fps = 30.0
        cap = capture_fps or _capture_fps_from_metadata(container, stream)
        if cap:
            # A capture rate said apart from the file's: real time is file time × file rate ÷ capture
            # rate, with the file's nominal rate (not its average, which dropped frames lower).
            fps = _nominal_rate(container, stream) or fps
        else:
            cap = fps  # timestamps in real time
        rot = _rotation_of(stream, first)
        w, h = first.width, first.height
        if rot in (90, 270):
            w, h = h, w
        frames = int(stream.frames or 0)
        dur = 0.0
        if stream.duration is not None and stream.time_base is not None:
            dur = float(stream.duration * stream.time_base)
        elif container.duration:
            dur = container.duration / 1e6
        return VideoInfo(
            path=str(path), width=w, height=h, fps=fps, capture_fps=float(cap), frames=frames,
            duration_s=dur * fps / float(cap), codec=stream.codec_context.name, rotation=rot,
        )
    finally:
        container.close()


def _orient(img: np.ndarray, rotation: int) -> np.ndarray:
    if rotation == 90:
        return np.ascontiguousarray(np.rot90(img, 1))
    if rotation == 180:
        return np.ascontiguousarray(img[::-1, ::-1])
    if rotation == 270:
        return np.ascontiguousarray(np.rot90(img, -1))
    return img


def iter_frames(
    path: str | os.PathLike,
    info: VideoInfo | None = None,
    *,
    keyframes_only: bool = False,
    start_index: int = 0,
    want=None,
) -> Iterator[Frame]:
    """Yield frames with real times (see module doc). Decoding is multi-threaded.

    A clip that stops decoding part-way (truncated) ends the iteration early; the caller sees
    fewer frames than the container announced. ``want(index) -> bool`` skips the conversion (and
    the yield) of frames that are not needed: they are still decoded, which is cheap.
    """
    import av

    info = info or probe(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if keyframes_only:
            stream.codec_context.skip_frame = "NONKEY"
        t_first = None
        index = -1
        scale = info.time_scale
        last_t = -np.inf
        try:
            for frame in container.decode(stream):
                index += 1
                if index < start_index:
                    continue
                t = frame.time
                if t is None:
                    t = index / info.fps
                if t_first is None:
                    t_first = t
                t_real = (t - t_first) * scale
                if t_real <= last_t and not keyframes_only:
                    # Non-increasing timestamps: keep order, nudge to keep time strictly increasing.
                    t_real = last_t + 1e-6
                last_t = t_real
                if want is not None and not want(index):
                    continue
                img = frame.to_ndarray(format="bgr24")
                yield Frame(index, float(t_real), _orient(img, info.rotation), _pict_type(frame))
        except av.error.FFmpegError:
            return
    finally:
        container.close()


def first_frame(path: str | os.PathLike) -> np.ndarray:
    """The clip's first frame as an RGB array in displayed orientation (for calibration UIs)."""
    for fr in iter_frames(path):
        return fr.image[:, :, ::-1].copy()
    raise VideoError(f"No frame could be decoded from {Path(path).name!r}.")


def read_frames_at(path: str | os.PathLike, indices, info: VideoInfo | None = None, convert=None) -> dict:
    """Decode the clip once and keep only the frames whose indices are asked for.

    ``convert(frame)``, when given, is applied to each kept frame as it is decoded and its result
    is kept instead (e.g. a small crop), so that many frames need not be held whole.
    """
    wanted = sorted({int(i) for i in indices if i is not None})
    out: dict = {}
    if not wanted:
        return out
    last = wanted[-1]
    want = set(wanted)
    for fr in iter_frames(path, info, want=want.__contains__):
        out[fr.index] = fr if convert is None else convert(fr)
        if fr.index >= last:
            break
    return out


def prefetch(frames: Iterator, depth: int = 6) -> Iterator:
    """Decode ahead in a thread while the caller works on the current frame (``frames``: any
    iterator, e.g. of ``Frame``s or of tuples made from them; it is advanced in the thread).

    Decoding (PyAV/FFmpeg) and the measurement (OpenCV/NumPy) both release the GIL, so on two
    cores they overlap. At most ``depth`` frames wait in memory. Errors of the decoder are raised
    in the caller's thread; stopping early stops the decoder.
    """
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def work():
        try:
            for fr in frames:
                while not stop.is_set():
                    try:
                        q.put(fr, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(exc)

    th = threading.Thread(target=work, name="dash40-decode", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while not q.empty():
            try:
                q.get_nowait()
            except queue.Empty:
                break
        th.join(timeout=5)
