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

    public Limits(int searchesPerMinute, int sensitivePerMinute)
    {
        _searches = Bucket(searchesPerMinute);
        _sensitive = Bucket(sensitivePerMinute);
    }

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

    private static PartitionedRateLimiter<string> Bucket(int perMinute) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, perMinute),
            TokensPerPeriod = Math.Max(1, perMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public void Dispose()
    {
        _searches.Dispose();
        _sensitive.Dispose();
    }
}
