using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Trees;

/// <summary>One version of the prefix tree as a store names it (an object tree, or a root page id), with its root.</summary>
public abstract record PrefixVersion(Hash32 Root);

/// <summary>
/// The versions of the prefix tree a log keeps, one per entry: how a new version is made from an old one, and how
/// any version is searched. Two implementations: objects in memory (<see cref="InMemoryPrefixVersions"/>) and pages
/// in a table (<see cref="PagedPrefixVersions"/>), which give identical roots and proofs.
/// </summary>
public interface IPrefixVersions
{
    /// <summary>The empty tree.</summary>
    PrefixVersion Empty { get; }

    /// <summary>A new version with <paramref name="leaves"/> added, stored at once: <see cref="Prepare"/> and <see cref="Store"/>.</summary>
    PrefixVersion Insert(PrefixVersion from, IReadOnlyCollection<PrefixLeaf> leaves);

    /// <summary>
    /// Computes the version with <paramref name="leaves"/> added and what storing it takes, and stores nothing: a log
    /// store commits the new pages together with the entry that names the version (<see cref="Logs.Storage.SequencedStep.NewPages"/>),
    /// so a version is never searchable without its entry, and an entry never names pages that are missing.
    /// </summary>
    PrefixInsertion Prepare(PrefixVersion from, IReadOnlyCollection<PrefixLeaf> leaves);

    /// <summary>Stores the pages of a prepared version on their own (stores without a transaction to put them in).</summary>
    void Store(IReadOnlyList<PrefixPage> pages);

    /// <summary>A batch search of one version (KT §12.2).</summary>
    PrefixProof Search(PrefixVersion at, IReadOnlyList<Hash32> keys);

    /// <summary>
    /// Frees the storage that only versions outside <paramref name="kept"/> use; every kept version searches as
    /// before, and the others may no longer be searched.
    /// </summary>
    PrefixSweepResult Reclaim(IReadOnlyCollection<PrefixVersion> kept);
}

/// <summary>A prepared prefix-tree version and the pages it adds (none for trees held as objects, or for a heartbeat).</summary>
public sealed record PrefixInsertion(PrefixVersion Version, IReadOnlyList<PrefixPage> NewPages)
{
    /// <summary>
    /// The ids of the pages the new version replaces with new copies: only older versions read them any more, so a
    /// page cache may let them go first (<see cref="Paged.PrefixPageCache.Committed"/>).
    /// </summary>
    public IReadOnlyList<ulong> ReplacedPages { get; init; } = [];
}

/// <summary>Versions as immutable object trees sharing unchanged nodes: fast, and held in memory.</summary>
public sealed class InMemoryPrefixVersions(TreeHasher hasher) : IPrefixVersions
{
    private sealed record ObjectVersion(PrefixTree Tree) : PrefixVersion(Tree.Root);

    /// <inheritdoc />
    public PrefixVersion Empty { get; } = new ObjectVersion(PrefixTree.Empty(hasher));

    /// <inheritdoc />
    public PrefixVersion Insert(PrefixVersion from, IReadOnlyCollection<PrefixLeaf> leaves) =>
        new ObjectVersion(Own(from).Insert(leaves));

    /// <inheritdoc />
    public PrefixInsertion Prepare(PrefixVersion from, IReadOnlyCollection<PrefixLeaf> leaves) => new(Insert(from, leaves), []);

    /// <inheritdoc />
    public void Store(IReadOnlyList<PrefixPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (pages.Count > 0)
        {
            throw new ArgumentException("Trees held as objects have no pages.", nameof(pages));
        }
    }

    /// <inheritdoc />
    public PrefixProof Search(PrefixVersion at, IReadOnlyList<Hash32> keys) => Own(at).Search(keys);

    /// <inheritdoc />
    /// <remarks>Nothing is stored here but object trees, which the garbage collector frees once nothing holds them.</remarks>
    public PrefixSweepResult Reclaim(IReadOnlyCollection<PrefixVersion> kept) => new(0, 0);

    /// <summary>The object tree behind a version of this store.</summary>
    internal static PrefixTree TreeOf(PrefixVersion version) => Own(version);

    /// <summary>A version of this store for an object tree built elsewhere (a snapshot loader).</summary>
    internal static PrefixVersion VersionOf(PrefixTree tree) => new ObjectVersion(tree);

    private static PrefixTree Own(PrefixVersion version) =>
        (version as ObjectVersion ?? throw new ArgumentException("A version from another store.", nameof(version))).Tree;
}

/// <summary>
/// Versions as immutable pages in a <see cref="IPrefixPageTable"/>: one batched read per page level. The levels per
/// page are fixed for the life of the table.
/// </summary>
public sealed class PagedPrefixVersions(TreeHasher hasher, IPrefixPageTable table, int levelsPerPage = PrefixPage.DefaultLevelsPerPage) : IPrefixVersions
{
    private sealed record PagedVersion(ulong RootPageId, Hash32 Root) : PrefixVersion(Root);

    /// <inheritdoc />
    public PrefixVersion Empty { get; } = new PagedVersion(0, Hash32.Zero);

    /// <summary>The version whose root page is <paramref name="rootPageId"/> (0: the empty tree), as a store kept it.</summary>
    public static PrefixVersion At(ulong rootPageId, Hash32 root) => new PagedVersion(rootPageId, root);

    /// <summary>The root page id of a version of this kind of store (0 for the empty tree), for a store to keep.</summary>
    public static ulong RootPageOf(PrefixVersion version) => Own(version).RootPageId;

    /// <inheritdoc />
    public PrefixVersion Insert(PrefixVersion from, IReadOnlyCollection<PrefixLeaf> leaves)
    {
        PrefixInsertion insertion = Prepare(from, leaves);
        Store(insertion.NewPages);
        return insertion.Version;
    }

    /// <inheritdoc />
    public PrefixInsertion Prepare(PrefixVersion from, IReadOnlyCollection<PrefixLeaf> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count == 0)
        {
            return new PrefixInsertion(Own(from), []); // a heartbeat entry: the same pages, the same root
        }

        var insert = new PagedPrefixInsert(Own(from).RootPageId, leaves, hasher, table.NextId, levelsPerPage);
        while (insert.PagesNeeded.Count > 0)
        {
            insert.Supply(table.Read(insert.PagesNeeded));
        }

        return new PrefixInsertion(new PagedVersion(insert.Result.RootPageId, insert.Result.Root), insert.Result.NewPages)
        {
            ReplacedPages = insert.Result.Replaced,
        };
    }

    /// <inheritdoc />
    public void Store(IReadOnlyList<PrefixPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (pages.Count > 0)
        {
            table.Write(pages);
        }
    }

    /// <inheritdoc />
    public PrefixProof Search(PrefixVersion at, IReadOnlyList<Hash32> keys)
    {
        var search = new PagedPrefixSearch(Own(at).RootPageId, keys);
        while (search.PagesNeeded.Count > 0)
        {
            search.Supply(table.Read(search.PagesNeeded));
        }

        return search.Result;
    }

    /// <inheritdoc />
    public PrefixSweepResult Reclaim(IReadOnlyCollection<PrefixVersion> kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        return PrefixPageSweep.Run(table, kept.Select(RootPageOf));
    }

    private static PagedVersion Own(PrefixVersion version) =>
        version as PagedVersion ?? throw new ArgumentException("A version from another store.", nameof(version));
}
