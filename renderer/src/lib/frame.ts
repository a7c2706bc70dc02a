// One render per animation frame (as GitHub Desktop does): bridge events queue their work here and
// it all runs in one requestAnimationFrame callback, where React batches every state update into
// one render. Terminal states call flushFrame() to be shown at once.

type Job = () => void;

const pending = new Set<Job>();
let frame: number | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

/** Runs `job` once in the next frame, however often it is scheduled before then. */
export function scheduleFrame(job: Job): void {
  pending.add(job);
  if (frame !== null || timer !== null) return;
  // A hidden window gets no frames; a timer keeps queued work from piling up until it is shown.
  if (typeof document !== 'undefined' && document.visibilityState === 'hidden') timer = setTimeout(runFrame, 250);
  else frame = requestAnimationFrame(runFrame);
}

/** Forgets a scheduled job (its component went away). */
export function cancelFrameJob(job: Job): void {
  pending.delete(job);
}

/** Runs everything scheduled now, in the order it was scheduled: for terminal states. */
export function flushFrame(): void {
  runFrame();
}

function runFrame(): void {
  if (frame !== null) cancelAnimationFrame(frame);
  if (timer !== null) clearTimeout(timer);
  frame = null;
  timer = null;
  const jobs = [...pending];
  pending.clear();
  for (const job of jobs) job();
}
