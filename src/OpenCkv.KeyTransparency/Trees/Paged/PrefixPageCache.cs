namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// Decoded pages by id, for a page table kept in a database. A page never changes once written (a change writes a new
/// page under a new id), so a cached page is never stale, whichever process wrote it. Thread-safe.
/// </summary>
/// <remarks>
/// Two generations of at most half the capacity each: when the young one is full it becomes the old one and the old
/// one is dropped, and a page found in the old generation moves back to the young one. The pages every insert and
/// search walks through (the upper levels of the newest tree) therefore stay, while pages read once age out — where
/// emptying the whole cache when full would make the next batch read even the root page again.
/// </remarks>
public sealed class PrefixPageCache
{
    private readonly int _generationSize;
    private readonly Lock _gate = new();
    private Dictionary<ulong, PrefixPage> _young = [];
    private Dictionary<ulong, PrefixPage> _old = [];

    /// <summary>A cache of at most <paramref name="capacity"/> pages (at least 2).</summary>
    public PrefixPageCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _generationSize = capacity / 2;
    }

    /// <summary>How many pages are cached now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _young.Count + _old.Count;
            }
        }
    }

    /// <summary>
    /// Takes the cached pages among <paramref name="ids"/> into <paramref name="found"/> and returns the ids that are
    /// not cached, in the order asked.
    /// </summary>
    public List<ulong> Lookup(IEnumerable<ulong> ids, Dictionary<ulong, PrefixPage> found)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(found);
        var missing = new List<ulong>();
        lock (_gate)
        {
            foreach (ulong id in ids)
            {
                if (_young.TryGetValue(id, out PrefixPage? page))
                {
                    found[id] = page;
                }
                else if (_old.Remove(id, out page))
                {
                    AddLocked(page);
                    found[id] = page;
                }
                else
                {
                    missing.Add(id);
                }
            }
        }

        return missing;
    }

    /// <summary>Caches pages just read or just written (only once their write committed).</summary>
    public void Add(IEnumerable<PrefixPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        lock (_gate)
        {
            foreach (PrefixPage page in pages)
            {
                AddLocked(page);
            }
        }
    }

    /// <summary>Forgets pages, as a table does for the pages it deletes.</summary>
    public void Remove(IEnumerable<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            foreach (ulong id in ids)
            {
                _young.Remove(id);
                _old.Remove(id);
            }
        }
    }

    private void AddLocked(PrefixPage page)
    {
        if (_young.Count >= _generationSize && !_young.ContainsKey(page.Id))
        {
            _old = _young;
            _young = new Dictionary<ulong, PrefixPage>(_generationSize);
        }

        _young[page.Id] = page;
    }
}
