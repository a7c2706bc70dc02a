/** A progress bar people and screen readers can read; without a percent it shows as under way. */
export function ProgressBar({ label, percent }: { label: string; percent: number | null }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      aria-valuetext={percent === null ? 'size unknown' : `${percent}%`}
      data-indeterminate={percent === null ? 'true' : undefined}
    >
      <div className="progress-fill" style={{ width: `${percent ?? 100}%` }} />
    </div>
  );
}
