using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Deletes the openings and values of label versions that have expired under the configuration's maximum
    /// lifetime (KT §7.1; architecture draft, "Pruning"): versions this log would now answer as expired to a
    /// fixed-version search, found by running that very search. The greatest version of a label never expires.
    /// Search keys, commitments and tree pages stay (reclaiming pages shared between prefix-tree versions needs a
    /// reachability sweep, which is not built). Does nothing for a log without a maximum lifetime.
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
