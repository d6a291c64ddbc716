namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// The plan/fetch loop shared by paged operations: while <see cref="PagesNeeded"/> is not empty the caller fetches
/// those pages in one round trip and hands them to <see cref="Supply"/>; the operation then re-plans over all the
/// pages it has. The core never performs the I/O itself.
/// </summary>
public abstract class PageFetchLoop
{
    private protected PageFetchLoop()
    {
    }

    /// <summary>The pages to fetch next; empty once the operation's result is ready.</summary>
    public IReadOnlyCollection<ulong> PagesNeeded { get; private set; } = [];

    /// <summary>The pages fetched so far.</summary>
    private protected Dictionary<ulong, PrefixPage> Pages { get; } = [];

    /// <summary>Adds fetched pages and works out what is needed next.</summary>
    /// <exception cref="ArgumentException">A needed page is missing from <paramref name="pages"/>.</exception>
    public void Supply(IReadOnlyDictionary<ulong, PrefixPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        foreach (ulong id in PagesNeeded)
        {
            Pages[id] = pages.TryGetValue(id, out PrefixPage? page) ? page : throw new ArgumentException($"Page {id} was not supplied.", nameof(pages));
        }

        PagesNeeded = Advance();
    }

    /// <summary>Plans the first round; derived constructors call it last.</summary>
    private protected void Start() => PagesNeeded = Advance();

    /// <summary>Runs the operation over the pages at hand: the pages still missing, or none once it completed.</summary>
    private protected abstract HashSet<ulong> Advance();
}
