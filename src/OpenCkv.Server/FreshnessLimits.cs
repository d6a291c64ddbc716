namespace OpenCkv.Server;

/// <summary>
/// The time limits a log is created with and keeps (KT §11.3 <c>Configuration</c>): how far the rightmost entry's
/// timestamp may be ahead of a client's clock (<c>max_ahead</c>) or behind it (<c>max_behind</c>), and, for a
/// third-party-audited log, how far the auditor's head may trail the log (<c>max_auditor_lag</c>), all in
/// milliseconds. The defaults suit a public service: a minute ahead, a day behind, five minutes of auditor lag. A
/// server's heartbeat interval must stay well inside <see cref="MaxBehindMs"/>, or idle periods make honest heads stale.
/// </summary>
public sealed record FreshnessLimits(ulong MaxAheadMs = 60_000, ulong MaxBehindMs = 86_400_000, ulong MaxAuditorLagMs = 300_000);
