namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// Where prefix-tree pages live: a table keyed by page id, read in batches. This is the storage port of the core
/// (like tlog's hash reader): the database backends implement it; <see cref="InMemoryPrefixPageTable"/> is the
/// in-memory one.
/// </summary>
public interface IPrefixPageTable
{
    /// <summary>The pages with these ids, in one round trip. Every id asked for exists.</summary>
    IReadOnlyDictionary<ulong, PrefixPage> Read(IReadOnlyCollection<ulong> ids);

    /// <summary>The id the next written page may take; ids are never reused.</summary>
    ulong NextId { get; }

    /// <summary>Stores new pages (ids from <see cref="NextId"/> upwards), all or none.</summary>
    void Write(IReadOnlyList<PrefixPage> pages);

    /// <summary>Up to <paramref name="limit"/> ids of stored pages, from <paramref name="first"/> upwards, in order.</summary>
    IReadOnlyList<ulong> IdsFrom(ulong first, int limit);

    /// <summary>
    /// Deletes pages, all or none; ids not stored are ignored. Only for pages no kept tree version reaches
    /// (<see cref="PrefixPageSweep"/>).
    /// </summary>
    void Delete(IReadOnlyCollection<ulong> ids);
}

/// <summary>Pages in a dictionary. Thread-safe.</summary>
public sealed class InMemoryPrefixPageTable : IPrefixPageTable
{
    private readonly Dictionary<ulong, PrefixPage> _pages = [];
    private readonly Lock _gate = new();
    private ulong _nextId = 1;

    /// <summary>How many batched reads were made (for tests and benchmarks).</summary>
    public int Reads { get; private set; }

    /// <inheritdoc />
    public ulong NextId
    {
        get
        {
            lock (_gate)
            {
                return _nextId;
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<ulong, PrefixPage> Read(IReadOnlyCollection<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            Reads++;
            return ids.ToDictionary(id => id, id => _pages[id]);
        }
    }

    /// <inheritdoc />
    public void Write(IReadOnlyList<PrefixPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        lock (_gate)
        {
            if (pages.Any(p => p.Id < _nextId || _pages.ContainsKey(p.Id)))
            {
                throw new ArgumentException("Page ids are never reused.", nameof(pages));
            }

            foreach (PrefixPage page in pages)
            {
                _pages.Add(page.Id, page);
                _nextId = Math.Max(_nextId, page.Id + 1);
            }
        }
    }

    /// <summary>How many pages are stored.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pages.Count;
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ulong> IdsFrom(ulong first, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            return [.. _pages.Keys.Where(id => id >= first).Order().Take(limit)];
        }
    }

    /// <inheritdoc />
    public void Delete(IReadOnlyCollection<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            foreach (ulong id in ids)
            {
                _pages.Remove(id);
            }
        }
    }
}
