namespace OpenCkv.Server;

/// <summary>
/// The time limits a log is created with and keeps (KT §11.3 <c>Configuration</c>), in milliseconds: how far the
/// rightmost entry's timestamp may be ahead of a client's clock (<c>max_ahead</c>) or behind it
/// (<c>max_behind</c>), how far a third-party auditor's head may trail the log (<c>max_auditor_lag</c>), and the
/// reasonable monitoring window that spaces distinguished entries (KT §6.1). The defaults suit a public service: a
/// minute ahead, a day behind, five minutes of auditor lag, an hour's window. A server's heartbeat interval must
/// stay well inside <see cref="MaxBehindMs"/>, or idle periods make honest heads stale.
/// </summary>
public sealed record LogTimeLimits(ulong MaxAheadMs = 60_000, ulong MaxBehindMs = 86_400_000, ulong MaxAuditorLagMs = 300_000, ulong MonitoringWindowMs = 3_600_000);
