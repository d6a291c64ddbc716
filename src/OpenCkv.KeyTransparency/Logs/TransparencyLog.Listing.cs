using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

/// <summary>One entry as an explorer lists it.</summary>
/// <param name="Position">Its position.</param>
/// <param name="Timestamp">Its timestamp (milliseconds).</param>
/// <param name="Distinguished">Whether it is distinguished in the current tree (KT §6.1).</param>
/// <param name="NewVersions">How many label-versions it added (zero: a heartbeat).</param>
public sealed record EntrySummary(ulong Position, ulong Timestamp, bool Distinguished, int NewVersions);

public sealed partial class TransparencyLog
{
    /// <summary>
    /// The entries in [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>) of the current
    /// tree, for explorers and auditors: public facts only (no label, value or VRF output).
    /// </summary>
    public IReadOnlyList<EntrySummary> Entries(ulong from, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ulong size = Size;
        if (from >= size || count == 0)
        {
            return [];
        }

        HashSet<ulong> distinguished = DistinguishedPositions(size);
        ulong end = Math.Min(size, from + (ulong)count);
        var entries = new List<EntrySummary>((int)(end - from));
        for (ulong position = from; position < end; position++)
        {
            entries.Add(new EntrySummary(position, _store.Entry(position).Timestamp, distinguished.Contains(position), _store.VersionsAt(position).Count));
        }

        return entries;
    }

    /// <summary>
    /// Every distinguished entry of the tree of <paramref name="size"/> entries (KT §6.1): the root is, and a
    /// child is when the timestamps bounding its subtree are at least the reasonable monitoring window apart. Only
    /// distinguished entries are descended, so the walk reads few timestamps.
    /// </summary>
    private HashSet<ulong> DistinguishedPositions(ulong size)
    {
        var found = new HashSet<ulong>();
        ulong window = Configuration.ReasonableMonitoringWindow;
        var pending = new Stack<(ulong Node, ulong Left, ulong Right)>();
        pending.Push((ImplicitTree.Root(size), 0, _store.Entry(size - 1).Timestamp));
        while (pending.TryPop(out (ulong Node, ulong Left, ulong Right) next))
        {
            (ulong node, ulong left, ulong right) = next;
            if (right < left || right - left < window)
            {
                continue;
            }

            found.Add(node);
            ulong timestamp = _store.Entry(node).Timestamp;
            if (ImplicitTree.HasLeft(node))
            {
                pending.Push((ImplicitTree.Left(node), left, timestamp));
            }

            if (ImplicitTree.HasRight(node, size))
            {
                pending.Push((ImplicitTree.Right(node, size), timestamp, right));
            }
        }

        return found;
    }

    /// <summary>The signed head of the tree of <paramref name="size"/> entries, as stored.</summary>
    public TreeHead HeadAt(ulong size)
    {
        if (size == 0 || size > Size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "Not a size this log had.");
        }

        return _store.Head(size);
    }

    /// <summary>The log tree's root over the first <paramref name="size"/> entries (KT §3.2): what the head of that size signs.</summary>
    public Hash32 RootAt(ulong size)
    {
        if (size == 0 || size > Size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "Not a size this log had.");
        }

        return LogTreeProof.Root(_store.LogTree, size, _suite.TreeHashes);
    }

    /// <summary>The timestamp of the entry at <paramref name="position"/>.</summary>
    public ulong TimestampAt(ulong position)
    {
        if (position >= Size)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position, "Not an entry of this log.");
        }

        StoredEntry entry = _store.Entry(position);
        return entry.Timestamp;
    }
}
