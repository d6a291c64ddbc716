using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs.Storage;

/// <summary>
/// A log store in memory, over the given tree stores (objects and balanced heads in memory when omitted).
/// Thread-safe: reads may run while a step commits.
/// </summary>
public sealed class InMemoryLogStore : ILogStore
{
    private readonly List<StoredEntry> _entries = [];
    private readonly List<PublishedLabelVersion[]> _added = [];
    private readonly List<TreeHead> _heads = [];
    private readonly Dictionary<byte[], List<PublishedVersion>> _versions = new(LabelComparer.Instance);
    private readonly Lock _gate = new();

    /// <summary>An empty store.</summary>
    /// <exception cref="ArgumentException">The log tree is not empty.</exception>
    public InMemoryLogStore(TreeHasher hasher, IPrefixVersions? prefixVersions = null, ILogTreeTable? logTree = null)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        if (logTree is { Size: > 0 })
        {
            throw new ArgumentException("A new store starts from an empty log tree.", nameof(logTree));
        }

        PrefixVersions = prefixVersions ?? new InMemoryPrefixVersions(hasher);
        LogTree = logTree ?? new InMemoryLogTree(hasher);
    }

    /// <inheritdoc />
    public IPrefixVersions PrefixVersions { get; }

    /// <inheritdoc />
    public ILogTreeTable LogTree { get; }

    /// <inheritdoc />
    public ulong Size
    {
        get
        {
            lock (_gate)
            {
                return (ulong)_entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public ulong SignedSize
    {
        get
        {
            lock (_gate)
            {
                return (ulong)_heads.Count;
            }
        }
    }

    /// <inheritdoc />
    public StoredEntry Entry(ulong position)
    {
        lock (_gate)
        {
            return position < (ulong)_entries.Count
                ? _entries[(int)position]
                : throw new ArgumentOutOfRangeException(nameof(position), $"No entry {position} in a log of {_entries.Count}.");
        }
    }

    /// <inheritdoc />
    public TreeHead Head(ulong size)
    {
        lock (_gate)
        {
            return size >= 1 && size <= (ulong)_heads.Count
                ? _heads[(int)size - 1]
                : throw new ArgumentOutOfRangeException(nameof(size), $"No head of size {size} in a log of {_heads.Count}.");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<PublishedLabelVersion> VersionsAt(ulong position)
    {
        lock (_gate)
        {
            return position < (ulong)_added.Count
                ? _added[(int)position]
                : throw new ArgumentOutOfRangeException(nameof(position), $"No entry {position} in a log of {_entries.Count}.");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<PublishedVersion> Versions(byte[] label)
    {
        ArgumentNullException.ThrowIfNull(label);
        lock (_gate)
        {
            return _versions.TryGetValue(label, out List<PublishedVersion>? versions) ? versions.ToArray() : [];
        }
    }

    /// <inheritdoc />
    public void Commit(SequencedStep sequenced)
    {
        ArgumentNullException.ThrowIfNull(sequenced);
        SequencedStep step = sequenced;
        lock (_gate)
        {
            if (step.Position != (ulong)_entries.Count || _heads.Count != _entries.Count || LogTree.Size != step.Position)
            {
                throw new ArgumentException($"Step {step.Position} is not the next of a log of {_entries.Count}.", nameof(sequenced));
            }

            var next = new Dictionary<byte[], int>(LabelComparer.Instance);
            foreach (PublishedLabelVersion published in step.Versions)
            {
                if (!next.TryGetValue(published.Label, out int expected))
                {
                    expected = _versions.TryGetValue(published.Label, out List<PublishedVersion>? versions) ? versions.Count : 0;
                }

                if (published.Version.Version != expected || published.Version.Position != step.Position)
                {
                    throw new ArgumentException($"Version {published.Version.Version} at {published.Version.Position} does not follow the label's {expected} versions.", nameof(sequenced));
                }

                next[published.Label] = expected + 1;
            }

            // The pages first: a reused page id fails here, before anything else changed.
            PrefixVersions.Store(step.NewPages);

            // Checked above: nothing below can fail on the step's contents.
            LogTree.Append(step.LogLeaf);
            foreach (PublishedLabelVersion published in step.Versions)
            {
                if (!_versions.TryGetValue(published.Label, out List<PublishedVersion>? versions))
                {
                    versions = [];
                    _versions.Add(published.Label.ToArray(), versions);
                }

                versions.Add(published.Version);
            }

            _entries.Add(step.Entry);
            _added.Add([.. step.Versions]);
        }
    }

    /// <inheritdoc />
    public void EraseOpenings(byte[] label, IReadOnlyList<uint> versions)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(versions);
        lock (_gate)
        {
            if (!_versions.TryGetValue(label, out List<PublishedVersion>? stored) || versions.Any(v => v >= stored.Count))
            {
                throw new ArgumentException("The label has no such version.", nameof(versions));
            }

            foreach (uint version in versions)
            {
                PublishedVersion erased = stored[(int)version] with { Opening = [], Value = new UpdateValue([], null) };
                stored[(int)version] = erased;
                PublishedLabelVersion[] added = _added[(int)erased.Position];
                int at = Array.FindIndex(added, a => a.Version.Version == version && LabelComparer.Instance.Equals(a.Label, label));
                added[at] = added[at] with { Version = erased };
            }
        }
    }

    /// <inheritdoc />
    public void StoreHead(TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        lock (_gate)
        {
            if (head.TreeSize == (ulong)_heads.Count && _heads.Count > 0)
            {
                return; // already completed: the first signature stays
            }

            if (head.TreeSize != (ulong)_entries.Count || _heads.Count + 1 != _entries.Count)
            {
                throw new ArgumentException($"A head of size {head.TreeSize} is not the newest entry's in a log of {_entries.Count} with {_heads.Count} signed.", nameof(head));
            }

            _heads.Add(head);
        }
    }
}
