package dev.palisade.policy;

/** How the policy treats names that are not on the allowlist (config {@code policy.mode}). */
public enum Mode {
  /** Only allowlisted names (and local zones) are forwarded; everything else is refused. */
  STRICT,
  /** Everything is scored and budgeted; allowlisted names skip the lexical and budget layers. */
  GUARDED,
  /** Score, budget and log as {@link #GUARDED} would, but refuse nothing. */
  MONITOR
}
