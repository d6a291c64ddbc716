namespace OpenCkv.Server;

/// <summary>
/// A development server's clock (<c>POST /dev/clock</c>): the clock it was given, moved forward by hand. Only the
/// wall clock moves — timestamps and the elapsed-time counter, and therefore timers, run as the underlying clock's
/// do. Everything in the server that reads the time reads this one: log entry timestamps, code, join and session
/// lifetimes, the request-signature window, the second factor. The offset only grows.
/// </summary>
internal sealed class DevClock(TimeProvider inner) : TimeProvider
{
    /// <summary>The most one request may move the clock: 10 years.</summary>
    public const long MaxAdvanceMs = 10L * 366 * 24 * 60 * 60 * 1000;

    /// <summary>The most the clock may be ahead of the underlying one in all: 100 years.</summary>
    public const long MaxOffsetMs = 10 * MaxAdvanceMs;

    private long _offsetMs;

    /// <summary>How far ahead of the underlying clock this one is.</summary>
    public TimeSpan Offset => TimeSpan.FromMilliseconds(Interlocked.Read(ref _offsetMs));

    /// <summary>Moves the clock forward by <paramref name="milliseconds"/> (0 leaves it), and answers the new time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, more than <see cref="MaxAdvanceMs"/>, or past <see cref="MaxOffsetMs"/> in all.</exception>
    public DateTimeOffset Advance(long milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(milliseconds, MaxAdvanceMs);
        long current;
        do
        {
            current = Interlocked.Read(ref _offsetMs);
            if (current + milliseconds > MaxOffsetMs)
            {
                throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, $"The clock may be at most {MaxOffsetMs} ms ahead in all; it is {current} ms ahead.");
            }
        }
        while (Interlocked.CompareExchange(ref _offsetMs, current + milliseconds, current) != current);

        return GetUtcNow();
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow().AddMilliseconds(Interlocked.Read(ref _offsetMs));

    /// <inheritdoc />
    public override long GetTimestamp() => inner.GetTimestamp();

    /// <inheritdoc />
    public override long TimestampFrequency => inner.TimestampFrequency;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
