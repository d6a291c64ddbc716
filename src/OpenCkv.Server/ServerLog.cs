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
}
