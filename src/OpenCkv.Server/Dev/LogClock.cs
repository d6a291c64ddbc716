namespace OpenCkv.Server.Dev;

/// <summary>
/// The clock a development server's sequencer stamps entries with: the server's clock, plus an offset that only
/// the malicious-server scenario <c>future-head</c> sets, so the log's timestamps run ahead of everyone else's
/// while request windows, codes and sessions keep the server's own time.
/// </summary>
internal sealed class LogClock(TimeProvider server) : TimeProvider
{
    private long _aheadMs;

    /// <summary>How far ahead of the server's clock entries are stamped; 0 when honest.</summary>
    public TimeSpan Ahead
    {
        get => TimeSpan.FromMilliseconds(Interlocked.Read(ref _aheadMs));
        set => Interlocked.Exchange(ref _aheadMs, (long)value.TotalMilliseconds);
    }

    public override DateTimeOffset GetUtcNow() => server.GetUtcNow() + Ahead;

    public override long GetTimestamp() => server.GetTimestamp();

    public override long TimestampFrequency => server.TimestampFrequency;
}
