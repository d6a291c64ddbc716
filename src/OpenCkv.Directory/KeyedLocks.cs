namespace OpenCkv.Directory;

/// <summary>
/// Asynchronous locks striped by key: two requests for one account (or one handle) run one after the other, so
/// the check of a new record against the newest one and its publication are one step; requests for different
/// accounts mostly proceed together and meet in one log entry.
/// </summary>
internal sealed class KeyedLocks
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> AcquireAsync(string key)
    {
        SemaphoreSlim stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_stripes.Length)];
        await stripe.WaitAsync().ConfigureAwait(false);
        return new Release(stripe);
    }

    private sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
