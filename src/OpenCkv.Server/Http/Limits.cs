using System.Threading.RateLimiting;

namespace OpenCkv.Server.Http;

/// <summary>
/// Per-key token buckets: searches per device, and handle codes, registrations and second-factor attempts per
/// client address and per handle. A refused request is answered 429 with Retry-After.
/// </summary>
internal sealed class Limits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _searches;
    private readonly PartitionedRateLimiter<string> _sensitive;
    private readonly PartitionedRateLimiter<string> _signed;

    public Limits(int searchesPerMinute, int sensitivePerMinute, int signedPerMinute)
    {
        _searches = Bucket(searchesPerMinute);
        _sensitive = Bucket(sensitivePerMinute);
        _signed = Bucket(signedPerMinute);
    }

    /// <summary>
    /// Takes one signed request for the device (checked before its signature, so nobody fills the server's nonce
    /// memory alone; a device that needs more opens a session).
    /// </summary>
    public void Signed(byte[] deviceId) => Take(_signed, "s:" + Convert.ToHexString(deviceId), "signed requests from this device");

    /// <summary>Takes one search for the device.</summary>
    public void Search(byte[] deviceId) => Take(_searches, "d:" + Convert.ToHexString(deviceId), "searches from this device");

    /// <summary>Takes one sensitive attempt for each key (an address, a handle, an account).</summary>
    public void Sensitive(params string[] keys)
    {
        foreach (string key in keys)
        {
            Take(_sensitive, key, "attempts");
        }
    }

    private static void Take(PartitionedRateLimiter<string> limiter, string key, string what)
    {
        using RateLimitLease lease = limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            TimeSpan retry = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : TimeSpan.FromSeconds(1);
            throw new RateLimitedException(what, retry);
        }
    }

    /// <summary>
    /// A bucket of <paramref name="perMinute"/> tokens that refills at that rate: every second for a minute rate of
    /// 60 or more, otherwise one token every 60/<paramref name="perMinute"/> seconds (so 20 a minute is 20, not 60).
    /// </summary>
    private static PartitionedRateLimiter<string> Bucket(int perMinute)
    {
        int limit = Math.Max(1, perMinute);
        (int tokens, TimeSpan period) = limit >= 60 ? (limit / 60, TimeSpan.FromSeconds(1)) : (1, TimeSpan.FromSeconds(60.0 / limit));
        return PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limit,
                TokensPerPeriod = tokens,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public void Dispose()
    {
        _searches.Dispose();
        _sensitive.Dispose();
        _signed.Dispose();
    }
}
