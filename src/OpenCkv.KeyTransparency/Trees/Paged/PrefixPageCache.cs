namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// What a page table kept in a database holds in memory: decoded pages by id, and the next free page id. A page
/// never changes once written (a change writes a new page under a new id), so a cached page is never stale, whichever
/// process wrote it. Thread-safe.
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
    private ulong _nextId; // 0: not known

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

    /// <summary>
    /// A page table's read: the pages <paramref name="ids"/>, from the cache where it has them, and otherwise from
    /// <paramref name="readMissing"/> (called only when some are missing, with those ids in the order asked), whose
    /// pages are then cached.
    /// </summary>
    /// <exception cref="InvalidOperationException">A page is neither cached nor read: the table lacks it.</exception>
    public IReadOnlyDictionary<ulong, PrefixPage> ReadThrough(IReadOnlyCollection<ulong> ids, Func<List<ulong>, List<PrefixPage>> readMissing)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(readMissing);
        var pages = new Dictionary<ulong, PrefixPage>(ids.Count);
        List<ulong> missing = Lookup(ids, pages);
        if (missing.Count > 0)
        {
            List<PrefixPage> read = readMissing(missing);
            foreach (PrefixPage page in read)
            {
                pages[page.Id] = page;
            }

            Add(read);
        }

        return pages.Count == ids.Count
            ? pages
            : throw new InvalidOperationException($"{ids.Count - pages.Count} of the requested prefix pages are missing from the database.");
    }

    /// <summary>
    /// The id the next written page may take: read from the table once (<paramref name="readFromTable"/>), then
    /// advanced by <see cref="Committed"/>, until <see cref="ForgetNextId"/>. The table is read outside the cache's
    /// lock, so a database lock held around <see cref="Committed"/> cannot deadlock with it.
    /// </summary>
    public ulong NextId(Func<ulong> readFromTable)
    {
        ArgumentNullException.ThrowIfNull(readFromTable);
        lock (_gate)
        {
            if (_nextId != 0)
            {
                return _nextId;
            }
        }

        ulong read = readFromTable();
        lock (_gate)
        {
            _nextId = Math.Max(_nextId, read);
            return _nextId;
        }
    }

    /// <summary>
    /// Pages whose write committed: cached, and the next id, when known, moves past them. The pages they replace
    /// (<paramref name="replaced"/>) move to the old generation: the newest version no longer reads them, so they are
    /// the first to go, and the young generation keeps room for the pages every insert and search of the newest
    /// version walks.
    /// </summary>
    public void Committed(IReadOnlyList<PrefixPage> pages, IReadOnlyCollection<ulong>? replaced = null)
    {
        ArgumentNullException.ThrowIfNull(pages);
        lock (_gate)
        {
            foreach (ulong id in replaced ?? [])
            {
                if (_young.Remove(id, out PrefixPage? page) && _old.Count < _generationSize)
                {
                    _old[id] = page; // with the old generation full it simply goes: neither generation outgrows its half
                }
            }

            foreach (PrefixPage page in pages)
            {
                AddLocked(page);
                if (_nextId != 0)
                {
                    _nextId = Math.Max(_nextId, page.Id + 1);
                }
            }
        }
    }

    /// <summary>Makes the next <see cref="NextId"/> read the table again: a write failed, or another process may have written.</summary>
    public void ForgetNextId()
    {
        lock (_gate)
        {
            _nextId = 0;
        }
    }

    /// <summary>Caches pages just read.</summary>
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
