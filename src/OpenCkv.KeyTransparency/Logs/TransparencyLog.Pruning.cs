using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Deletes the openings and values of label versions that have expired under the configuration's maximum
    /// lifetime (KT §7.1; architecture draft, "Pruning"): versions this log would now answer as expired to a
    /// fixed-version search, found by running that very search. The greatest version of a label never expires.
    /// Search keys and commitments stay, in the prefix trees still kept; <see cref="ReclaimExpiredTrees"/> deletes the
    /// trees of expired entries. Does nothing for a log without a maximum lifetime.
    /// </summary>
    /// <returns>The number of versions pruned by this call.</returns>
    public int PruneExpired()
    {
        if (Configuration.MaximumLifetime is null || Size == 0)
        {
            return 0;
        }

        ulong size = Size;
        var labels = new HashSet<byte[]>(LabelComparer.Instance);
        for (ulong position = 0; position < size; position++)
        {
            foreach (PublishedLabelVersion added in _store.VersionsAt(position))
            {
                labels.Add(added.Label);
            }
        }

        int pruned = 0;
        foreach (byte[] label in labels)
        {
            PublishedVersion[] versions = HistoryOf(label, create: false)?.VersionsIn(size) ?? [];
            uint[] expired = [.. versions[..^1].Where(v => v.Opening.Length > 0 && IsExpired(label, v.Version)).Select(v => v.Version)];
            if (expired.Length == 0)
            {
                continue;
            }

            lock (_writeGate)
            {
                _store.EraseOpenings(label, expired);
                _labels.TryRemove(label, out _);
            }

            pruned += expired.Length;
        }

        return pruned;
    }

    /// <summary>
    /// Deletes the prefix trees of expired entries (KT §7.1 lets a log keep none of them; architecture draft,
    /// "Pruning"): the storage that only those versions use is freed, while the tree of every unexpired entry — and of
    /// the entry just before the first of them, which that entry's <see cref="AuditorUpdateFor"/> is proven against —
    /// searches as before. Proofs never need an expired entry's tree: searches skip expired entries, and monitoring or
    /// auditing through one is refused whether or not this ran. Entries themselves stay (their timestamps and prefix
    /// roots are what the log tree and the searches' proofs give for expired entries). Run it with no writer on the
    /// log. Does nothing for a log without a maximum lifetime.
    /// </summary>
    public PrefixSweepResult ReclaimExpiredTrees()
    {
        ulong size = Size;
        if (Configuration.MaximumLifetime is null || size == 0)
        {
            return new PrefixSweepResult(0, 0);
        }

        // Timestamps never decrease, so the unexpired entries are a suffix of the log: find where it starts.
        ulong low = 0;
        ulong high = size - 1; // the rightmost entry never expires
        while (low < high)
        {
            ulong middle = low + ((high - low) / 2);
            if (IsExpired(middle, size))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        ulong firstKept = low == 0 ? 0 : low - 1;
        var kept = new List<PrefixVersion>((int)Math.Min(size - firstKept, int.MaxValue));
        for (ulong position = firstKept; position < size; position++)
        {
            kept.Add(_store.Entry(position).Tree);
        }

        lock (_writeGate)
        {
            return _store.PrefixVersions.Reclaim(kept);
        }
    }

    /// <summary>Whether the entry at <paramref name="position"/> is expired in the log of <paramref name="size"/> entries (KT §7.1).</summary>
    private bool IsExpired(ulong position, ulong size) =>
        FixedVersionSearch.IsExpired(_store.Entry(position).Timestamp, _store.Entry(size - 1).Timestamp, Configuration.MaximumLifetime);

    /// <summary>Whether a fixed-version search for the version fails as expired (the draft gives no other negative answer).</summary>
    private bool IsExpired(byte[] label, uint version)
    {
        try
        {
            Search(new SearchRequest(null, label, version));
            return false;
        }
        catch (ArgumentException e) when (e.InnerException is Verification.KtVerificationException)
        {
            return true;
        }
    }
}
