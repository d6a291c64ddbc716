using Microsoft.Extensions.Logging;

namespace OpenCkv.Server;

/// <summary>The server's structured log events.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "{Created} {Mode} log with {Size} entries; configuration fingerprint (clients pin this) {Fingerprint}; listening on {Urls}{Dev}")]
    public static partial void Started(ILogger logger, string created, string mode, ulong size, string fingerprint, string urls, string dev);

    [LoggerMessage(2, LogLevel.Error, "Unhandled exception on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(3, LogLevel.Critical, "The sequencer stopped after a failed commit; the log accepts no more writes until a restart")]
    public static partial void SequencerFailed(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "The sequencer stopped after {Entries} entries this run")]
    public static partial void SequencerStopped(ILogger logger, long entries);

    [LoggerMessage(5, LogLevel.Information, "Took the sequencer lease (epoch {Epoch}); this server now writes the log, at {Size} entries")]
    public static partial void TookLease(ILogger logger, long epoch, ulong size);

    [LoggerMessage(6, LogLevel.Critical, "Lost the sequencer lease (epoch {Epoch}); exiting so that a supervisor restarts this server as a read replica")]
    public static partial void LostLease(ILogger logger, long epoch);

    [LoggerMessage(7, LogLevel.Warning, "Could not follow the shared log")]
    public static partial void FollowFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Critical, "Refusing to sequence: {Reason}")]
    public static partial void RefusedToLead(ILogger logger, string reason);
}
